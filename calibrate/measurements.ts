// Reading and writing the measurement format (JSON Lines, one MeasurementSchema object per line).
// Pure functions on text, so they run in the browser too; measurement-files.ts adds the node:fs pair.
// A reader never gives up on a file: every bad line is reported by number with the field path, and the
// good lines are kept, so nothing already recorded is lost to one bad line or an interrupted write.
import type { z } from 'zod';
import { closestNames } from '../common/closest.ts';
import { GenzError, type GenzProblem } from '../common/errors.ts';
import { MeasurementSchema, type Measurement } from './measurement-schema.ts';

export interface MeasurementProblem {
  /** 1-based line number in the file. */
  line: number;
  /** Path to the field inside that line's object ([] for the whole line). */
  path: (string | number)[];
  message: string;
}

export interface ParsedMeasurements {
  measurements: Measurement[];
  /** The line number of each entry of `measurements`. */
  lines: number[];
  problems: MeasurementProblem[];
}

export interface ParseOptions {
  /** Names the file in strict errors. */
  fileName?: string;
}

/** Marks a bare NaN/Infinity token (not JSON) so the line still parses and the field can be named. */
const NON_FINITE_MARK = '\u0000genz-non-finite:';
const NON_FINITE_TOKEN = /^-?(?:nan|infinity|inf)(?![A-Za-z0-9_])/i;

/** Every measurement of a JSON Lines text, and every problem by line number. Blank lines are skipped. */
export function parseMeasurements(text: string, _options: ParseOptions = {}): ParsedMeasurements {
  const measurements: Measurement[] = [];
  const lines: number[] = [];
  const problems: MeasurementProblem[] = [];
  const rawLines = text.split('\n');
  const endsWithNewline = rawLines[rawLines.length - 1] === '';
  if (endsWithNewline) rawLines.pop();
  rawLines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() === '') return;
    const isLast = index === rawLines.length - 1;
    const parsed = parseLine(content, isLast && !endsWithNewline);
    if ('message' in parsed) {
      problems.push({ line, path: [], message: parsed.message });
      return;
    }
    const { value, nonFinite } = parsed;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ line, path: [], message: `expected a JSON object (one measurement per line), found ${describe(value)}` });
      return;
    }
    const lineProblems = nonFinite.map(({ path, token }) => ({ line, path, message: `must be a finite number, found ${token} (not valid JSON)` }));
    const result = MeasurementSchema.safeParse(value);
    if (result.success && lineProblems.length === 0) {
      measurements.push(result.data);
      lines.push(line);
      return;
    }
    if (!result.success) {
      // One problem per field: the first failed check says it (a negative time also fails "positive").
      const seen = new Set(nonFinite.map(({ path }) => pathKey(path)));
      for (const issue of result.error.issues) {
        for (const problem of issueProblems(issue, value)) {
          const key = pathKey(problem.path);
          if (seen.has(key)) continue;
          seen.add(key);
          lineProblems.push({ line, ...problem });
        }
      }
    }
    problems.push(...lineProblems);
  });
  return { measurements, lines, problems };
}

/** The measurements of a text, or one GenzError ('invalid_input', path ['line N', ...field]) listing every problem. */
export function readMeasurementsStrict(text: string, options: ParseOptions = {}): Measurement[] {
  const { measurements, problems } = parseMeasurements(text, options);
  if (problems.length > 0) throw measurementProblemsError(problems, options.fileName);
  return measurements;
}

/** One GenzError for a list of line problems. */
export function measurementProblemsError(problems: readonly MeasurementProblem[], fileName?: string): GenzError {
  const suffix = fileName ? ` (in ${fileName})` : '';
  const list: GenzProblem[] = problems.map((p) => ({ path: [`line ${p.line}`, ...p.path], message: `${p.message}${suffix}` }));
  return new GenzError('invalid_input', list);
}

const TOP_KEYS = Object.keys(MeasurementSchema.shape) as (keyof Measurement)[];
const DEVICE_KEYS = Object.keys(MeasurementSchema.shape.device.shape) as (keyof Measurement['device'])[];

/**
 * One line of the format (no trailing newline), keys in schema order and shape keys sorted, so the same
 * measurement always prints the same text. Throws a GenzError for an invalid measurement (NaN, negative
 * time…): what is written can always be read back.
 */
export function formatMeasurement(m: Measurement): string {
  const result = MeasurementSchema.safeParse(m);
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => issueProblems(issue, m));
    throw new GenzError('invalid_input', problems);
  }
  const valid = result.data;
  const out: Record<string, unknown> = {};
  for (const key of TOP_KEYS) {
    const value = valid[key];
    if (value === undefined) continue;
    if (key === 'device') {
      const device: Record<string, unknown> = {};
      for (const dk of DEVICE_KEYS) if (valid.device[dk] !== undefined) device[dk] = valid.device[dk];
      out.device = device;
    } else if (key === 'shape') {
      out.shape = Object.fromEntries(Object.keys(valid.shape).sort().map((k) => [k, valid.shape[k]]));
    } else {
      out[key] = value;
    }
  }
  return JSON.stringify(out);
}

/** Many measurements as file text: one line each, newline-terminated. */
export function formatMeasurements(ms: readonly Measurement[]): string {
  return ms.map((m) => `${formatMeasurement(m)}\n`).join('');
}

/**
 * A stable identity of what was measured (device name, kernel, variant, dtype, shape), for resuming a sweep
 * and for de-duplicating: two measurements of the same thing share it, whatever their times or key order.
 */
export function measurementKey(m: Pick<Measurement, 'device' | 'kernel' | 'variant' | 'shape' | 'dtype'>): string {
  const shape = Object.keys(m.shape).sort().map((k) => [k, m.shape[k]]);
  return JSON.stringify([m.device.name, m.kernel, m.variant ?? '', m.dtype, shape]);
}

// --- internals -----------------------------------------------------------------------------------

interface ParsedLine {
  value: unknown;
  nonFinite: { path: (string | number)[]; token: string }[];
}

function parseLine(content: string, truncatable: boolean): ParsedLine | { message: string } {
  let firstError: string;
  try {
    return { value: JSON.parse(content) as unknown, nonFinite: [] };
  } catch (err) {
    firstError = (err as Error).message;
  }
  // NaN / Infinity written bare (Python's json.dumps, C's printf): name the field instead of failing the line.
  const marked = markNonFinite(content);
  if (marked !== undefined) {
    try {
      const value = JSON.parse(marked) as unknown;
      const nonFinite: ParsedLine['nonFinite'] = [];
      collectMarks(value, [], nonFinite);
      if (nonFinite.length > 0) return { value, nonFinite };
    } catch {
      // fall through to the plain JSON error
    }
  }
  if (truncatable) return { message: 'truncated last line: no newline at the end and not valid JSON (an interrupted write?)' };
  return { message: `not valid JSON: ${firstError}` };
}

/** The line with bare non-finite tokens outside strings replaced by marked strings; undefined if none. */
function markNonFinite(text: string): string | undefined {
  let out = '';
  let inString = false;
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (c === '"') {
        inString = false;
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const previous = text[i - 1];
    if ((c === '-' || /[A-Za-z]/.test(c)) && (previous === undefined || !/[A-Za-z0-9_.]/.test(previous))) {
      const match = NON_FINITE_TOKEN.exec(text.slice(i));
      if (match) {
        out += JSON.stringify(NON_FINITE_MARK + match[0]);
        i += match[0].length - 1;
        changed = true;
        continue;
      }
    }
    out += c;
  }
  return changed ? out : undefined;
}

function collectMarks(value: unknown, path: (string | number)[], into: ParsedLine['nonFinite']): void {
  if (typeof value === 'string' && value.startsWith(NON_FINITE_MARK)) {
    into.push({ path, token: value.slice(NON_FINITE_MARK.length) });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => collectMarks(v, [...path, i], into));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectMarks(v, [...path, k], into);
  }
}

function pathKey(path: readonly (string | number)[]): string {
  return JSON.stringify(path);
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Zod issues as problems that say what was expected and what was found. */
function issueProblems(issue: z.core.$ZodIssue, root: unknown): { path: (string | number)[]; message: string }[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field "${key}"` }));
  }
  const value = valueAt(root, path);
  const field = path[path.length - 1];
  if (issue.code === 'invalid_type') {
    if (value === undefined) return [{ path, message: `required: expected ${issue.expected}` }];
    return [{ path, message: `expected ${issue.expected}, found ${describe(value)}` }];
  }
  if (issue.code === 'invalid_value') {
    const values = issue.values.map((v) => String(v));
    if (value === undefined) {
      return [{ path, message: `required: expected ${values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.join(', ')}`}` }];
    }
    if (values.length === 1) return [{ path, message: `expected ${JSON.stringify(values[0])}, found ${describe(value)}` }];
    const closest = typeof value === 'string' ? closestNames(value, values, 3) : [];
    const name = typeof field === 'string' ? field : 'value';
    const found = typeof value === 'string' ? JSON.stringify(value) : describe(value);
    const expected = values.length <= 12 ? `; expected one of ${values.join(', ')}` : `; expected one of ${values.length} names`;
    return [{ path, message: `unknown ${name} ${found}${expected}${closest.length ? ` (closest: ${closest.join(', ')})` : ''}` }];
  }
  return [{ path, message: `${issue.message}, found ${describe(value)}` }];
}
