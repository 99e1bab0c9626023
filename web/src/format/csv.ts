// Tables as CSV for download: SI values at full precision (the column names carry the unit), quoted where needed.
export type Cell = string | number | boolean | undefined;

function cell(value: Cell): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\n') + '\n';
}
