// `genz show`: a spec as indented key/value lines, with its sources last.

function flatten(value: unknown, prefix: string, rows: [string, string][]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => flatten(item, `${prefix}.${i}`, rows));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'sources') continue;
      flatten(v, prefix === '' ? key : `${prefix}.${key}`, rows);
    }
  } else {
    rows.push([prefix, typeof value === 'number' ? readableNumber(value) : String(value)]);
  }
}

/** Whole numbers below a million as they are; others in short exponent form (9.895e+14). */
function readableNumber(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
  if (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6) return String(Number(x.toPrecision(6)));
  return x.toExponential(4).replace(/\.?0+e/, 'e');
}

export function showText(spec: object): string {
  const rows: [string, string][] = [];
  flatten(spec, '', rows);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  const sources = (spec as { sources?: Record<string, string>; source?: string }).sources;
  if (sources) {
    lines.push('', 'sources');
    for (const [k, v] of Object.entries(sources)) lines.push(`  ${k}: ${v}`);
  }
  return lines.join('\n');
}
