// Minimal CSV reading for the measurement files we ship (no quoted commas in any of them).

export type CsvRow = Record<string, string>;

export function parseCsv(text: string): CsvRow[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0]?.split(',') ?? [];
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    const row: CsvRow = {};
    header.forEach((name, i) => { row[name] = cells[i] ?? ''; });
    return row;
  });
}

export function num(row: CsvRow, column: string): number {
  const value = Number(row[column]);
  if (!Number.isFinite(value)) throw new Error(`column ${column} is not a number: "${row[column]}"`);
  return value;
}

/** A cell's positive finite number (a whole one where `whole`), else undefined (empty cells and words such as "OOM"). */
export function positive(cell: string, whole: boolean): number | undefined {
  const value = cell === '' ? Number.NaN : Number(cell);
  return Number.isFinite(value) && value > 0 && (!whole || Number.isInteger(value)) ? value : undefined;
}
