// Pretty-printed JSON, one entry per line with the path of the value that line opens, so a problem's path can
// be pointed at in the text the user gave.
import { startsWith, type Path } from '../state/paths.ts';

export interface JsonLine {
  text: string;
  path: Path;
}

export function jsonLines(value: unknown, path: Path = [], indent = '', label = '', comma = ''): JsonLine[] {
  const head = `${indent}${label}`;
  if (typeof value !== 'object' || value === null) return [{ text: `${head}${JSON.stringify(value)}${comma}`, path }];
  const isArray = Array.isArray(value);
  const entries: [string | number, unknown][] = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return [{ text: `${head}${open}${close}${comma}`, path }];
  const lines: JsonLine[] = [{ text: `${head}${open}`, path }];
  entries.forEach(([key, v], i) => {
    const childLabel = isArray ? '' : `${JSON.stringify(key)}: `;
    lines.push(...jsonLines(v, [...path, key], `${indent}  `, childLabel, i < entries.length - 1 ? ',' : ''));
  });
  lines.push({ text: `${indent}${close}${comma}`, path: [...path, '\u0000end'] });
  return lines;
}

/** The line a problem at `path` belongs to: the value's own line, else its nearest ancestor's (a missing field). */
export function lineOf(lines: readonly JsonLine[], path: Path): number {
  let best = 0;
  let bestDepth = -1;
  lines.forEach((line, i) => {
    if (line.path.length > bestDepth && startsWith(path, line.path)) {
      best = i;
      bestDepth = line.path.length;
    }
  });
  return best;
}
