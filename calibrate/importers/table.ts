// What the importers share: a CSV reader that handles quoted cells (DeepBench's precision column has commas),
// checked number cells that report problems by line and column, and the measurement builders (FLOPs at 2 per
// multiply-add, minimum DRAM bytes from shape and dtype).
import { GenzError, type GenzProblem } from '../../common/errors.ts';
import { MEASUREMENT_SCHEMA_ID, type Measurement } from '../measurement-schema.ts';

export interface CsvRecord {
  /** 1-based line number where the record starts. */
  line: number;
  cells: Record<string, string>;
  /** How many cells the line had (a short line's missing cells read as ''). */
  width: number;
}

export interface CsvTable {
  header: string[];
  records: CsvRecord[];
}

/** RFC 4180 CSV: quoted cells may hold commas, doubled quotes and newlines. Blank lines are skipped. */
export function parseCsvTable(text: string): CsvTable {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let inQuotes = false;
  let line = 1;
  let rowLine = 1;
  let rowHasContent = false;
  const endRow = (): void => {
    cells.push(cell);
    if (rowHasContent || cells.length > 1 || cell.trim() !== '') rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
    rowHasContent = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"') {
      inQuotes = true;
      rowHasContent = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      rowHasContent = true;
    } else if (c === '\n') {
      endRow();
      line++;
      rowLine = line;
    } else if (c !== '\r') {
      cell += c;
    }
  }
  if (cell !== '' || cells.length > 0) endRow();
  const [head, ...body] = rows;
  // A byte-order mark (spreadsheet exports) is not part of the first column's name.
  const header = (head?.cells ?? []).map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
  return {
    header,
    records: body.map((row) => ({
      line: row.line,
      cells: Object.fromEntries(header.map((name, i) => [name, row.cells[i] ?? ''])),
      width: row.cells.length,
    })),
  };
}

/** What every importer takes besides the text and the file's name. */
export interface ImportOptions {
  /**
   * Where given, rows with a bad cell are left out and their problems (with line numbers) appended here; the rows
   * that read well are imported. Absent: any bad row rejects the file, every problem listed.
   */
  skipped?: GenzProblem[];
  /** Where given, what the importer leaves out by design (a backend or an op genz does not model), counted by reason. */
  leftOut?: Map<string, number>;
}

/** Counts one more left-out item under `reason` in the options' leftOut (if the caller asked). */
export function leaveOut(options: ImportOptions, reason: string, count = 1): void {
  options.leftOut?.set(reason, (options.leftOut.get(reason) ?? 0) + count);
}

/** Collects problems while rows are read, and throws them all at once (or hands them to the caller's list). */
export class ImportProblems {
  readonly problems: GenzProblem[] = [];

  constructor(readonly source: string, readonly fileName?: string, readonly options: ImportOptions = {}) {}

  add(line: number, column: string | undefined, message: string): void {
    const suffix = this.fileName ? ` (in ${this.fileName})` : '';
    this.problems.push({ path: column === undefined ? [`line ${line}`] : [`line ${line}`, column], message: `${message}${suffix}` });
  }

  /** The cell as a finite number (>= 0, or > 0 with `positive`), or NaN after recording a problem. */
  num(record: CsvRecord, column: string, options: { positive?: boolean; integer?: boolean } = {}): number {
    const raw = (record.cells[column] ?? '').trim();
    const value = raw === '' ? Number.NaN : Number(raw);
    const kind = options.positive ? 'a positive number' : 'a non-negative number';
    if (!Number.isFinite(value)) this.add(record.line, column, `expected ${kind}, found ${raw === '' ? 'an empty cell' : JSON.stringify(raw)}`);
    else if (options.positive ? value <= 0 : value < 0) this.add(record.line, column, `expected ${kind}, found ${raw}`);
    else if (options.integer && !Number.isInteger(value)) this.add(record.line, column, `expected an integer, found ${raw}`);
    else return value;
    return Number.NaN;
  }

  /** The cell as one of `allowed` (matched exactly), or undefined after recording a problem. */
  oneOf<T extends string>(record: CsvRecord, column: string, allowed: readonly T[]): T | undefined {
    const raw = (record.cells[column] ?? '').trim();
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.add(record.line, column, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, found ${JSON.stringify(raw)}`);
    return undefined;
  }

  /** Rejects the file with every problem, or, with the options' `skipped` list, appends them there. */
  throwIfAny(): void {
    if (this.problems.length === 0) return;
    if (this.options.skipped) this.options.skipped.push(...this.problems);
    else throw new GenzError('invalid_input', this.problems);
  }
}

/** The table, after checking its header names every column the importer needs. */
export function requireColumns(text: string, columns: readonly string[], what: string, fileName?: string): CsvTable {
  const table = parseCsvTable(text);
  const missing = columns.filter((c) => !table.header.includes(c));
  if (missing.length > 0) {
    const found = table.header.length > 0 ? table.header.join(',') : 'no header';
    throw new GenzError('invalid_input',
      `expected ${what} with columns ${columns.join(',')}; missing ${missing.join(', ')} (found ${found})${fileName ? ` (in ${fileName})` : ''}`, ['line 1']);
  }
  return table;
}

export const DTYPE_BYTES = { fp64: 8, fp32: 4, tf32: 4, bf16: 2, fp16: 2, fp8: 1, int8: 1, int4: 0.5, int3: 0.375, int2: 0.25 } as const satisfies Record<Measurement['dtype'], number>;

export type MeasurementFields = Omit<Measurement, 'schema' | 'achievedFlopsPerS' | 'achievedBytesPerS'>;

/** A measurement with the schema id and the achieved rates (FLOPs and bytes over the median time) filled in. */
export function measurement(fields: MeasurementFields): Measurement {
  return { schema: MEASUREMENT_SCHEMA_ID, ...fields, achievedFlopsPerS: fields.flops / fields.medianS, achievedBytesPerS: fields.bytes / fields.medianS };
}

export interface GemmBytes {
  /** Bytes per element of A, B and C (C = A·B). */
  a: number;
  b: number;
  c: number;
  /** True when every batch shares one B (nn.Linear weights); false for a batched GEMM (bmm). */
  sharedB: boolean;
}

/** FLOPs (2 per multiply-add) and minimum DRAM bytes (each operand read once, C written once) of batch × (m×k · k×n). */
export function gemmCost(m: number, n: number, k: number, batch: number, bytes: GemmBytes): { flops: number; bytes: number } {
  const bBytes = (bytes.sharedB ? 1 : batch) * k * n * bytes.b;
  return { flops: 2 * batch * m * n * k, bytes: batch * m * k * bytes.a + bBytes + batch * m * n * bytes.c };
}

/** Milliseconds (as the public files give them) to seconds. */
export function msToS(ms: number): number {
  // Shift the decimal exponent so 0.234 ms reads 0.000234 s, not 0.00023400000000000002.
  const text = String(ms);
  return /e/i.test(text) ? ms / 1e3 : Number(`${text}e-3`);
}
