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
