// Display units and tables: the only place (with web/) where ms, GB and TFLOP/s appear.

export function formatSeconds(s: number): string {
  if (s === 0) return '0 s';
  const a = Math.abs(s);
  if (a >= 1) return `${s.toPrecision(3)} s`;
  if (a >= 1e-3) return `${(s * 1e3).toPrecision(3)} ms`;
  if (a >= 1e-6) return `${(s * 1e6).toPrecision(3)} µs`;
  return `${(s * 1e9).toPrecision(3)} ns`;
}

export function formatBytes(bytes: number): string {
  const a = Math.abs(bytes);
  if (a >= 1e12) return `${(bytes / 1e12).toFixed(2)} TB`;
  if (a >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (a >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (a >= 1e3) return `${(bytes / 1e3).toFixed(2)} kB`;
  return `${Math.round(bytes)} B`;
}

export function formatCount(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e15) return `${(x / 1e15).toFixed(2)} P`;
  if (a >= 1e12) return `${(x / 1e12).toFixed(2)} T`;
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (a >= 1e3) return `${(x / 1e3).toFixed(2)} k`;
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

export function formatRate(perS: number, unit: string): string {
  return `${formatCount(perS)}${unit}/s`;
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** A plain-text table: first row is the header; numeric-looking cells are right-aligned. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  // A number, maybe % or × after it, then words of its unit ("28.2 µs", "8.19 kB link"); an id such as 8x-mi300x is text.
  // A column is right-aligned when all its cells are numbers (or "-"): a note that starts with one stays text.
  const numeric = /^[-+]?[\d.]+[%×]?(\s\S+){0,2}$/;
  const body = rows.slice(1);
  const numericColumn = widths.map((_, i) => body.length > 0 && body.every((row) => row[i] === undefined || row[i] === '-' || numeric.test(row[i]!)));
  const lines = rows.map((row, r) =>
    row.map((cell, i) => (r > 0 && numericColumn[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines.join('\n');
}

/** JSON for scripts; a non-finite number never leaves (it would be a bug, so fail loudly). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (key, v) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`non-finite number in output at "${key}"`);
    return v;
  }, 2);
}
