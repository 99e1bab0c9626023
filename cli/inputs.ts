// Turns CLI flag strings into request values, and reads spec files. Every mistake is a GenzError
// whose path is the flag name.
import { readFileSync, existsSync, statSync } from 'node:fs';
import { GenzError } from '../index.ts';

/** A whole number flag; accepts 1024, 1e6 and 4k (k = 1000, m = 1e6). */
export function parseWhole(flag: string) {
  return (value: string): number => {
    const match = /^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kKmM]?)\s*$/.exec(value);
    const scale = match?.[2] === '' ? 1 : match?.[2]?.toLowerCase() === 'k' ? 1e3 : 1e6;
    const number = match ? Number(match[1]) * scale : Number.NaN;
    if (!Number.isFinite(number) || !Number.isInteger(number)) {
      throw new GenzError('invalid_input', `expected a whole number, found "${value}"`, [flag]);
    }
    return number;
  };
}

/** Token counts: 1024, 4k (= 4096), 128k (= 131072), 1m (= 1048576): contexts are counted in powers of two. */
export function parseTokens(flag: string) {
  return (value: string): number => {
    const match = /^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kKmM]?)\s*$/.exec(value);
    const unit = match?.[2]?.toLowerCase();
    const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1;
    const number = match ? Number(match[1]) * scale : Number.NaN;
    if (!Number.isFinite(number) || !Number.isInteger(number)) {
      throw new GenzError('invalid_input', `expected a whole number of tokens (e.g. 2048, 4k, 128k), found "${value}"`, [flag]);
    }
    return number;
  };
}

/** A comma-separated list of token counts: "1k,8k,32k,128k". */
export function parseTokenList(flag: string) {
  const one = parseTokens(flag);
  return (value: string): number[] => value.split(',').map((part) => one(part));
}

export function parseWholeList(flag: string) {
  const one = parseWhole(flag);
  return (value: string): number[] => value.split(',').map((part) => one(part));
}

/** Probabilities in [0, 1], comma-separated. */
export function parseFractionList(flag: string) {
  return (value: string): number[] => value.split(',').map((part) => {
    const number = Number(part);
    if (part.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) {
      throw new GenzError('invalid_input', `expected probabilities between 0 and 1, found "${part}"`, [flag]);
    }
    return number;
  });
}

export function parsePositive(flag: string) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
      throw new GenzError('invalid_input', `expected a positive number, found "${value}"`, [flag]);
    }
    return number;
  };
}

/** Reads a text file named by a flag; a missing or unreadable file is a user error on that flag. */
export function readTextFile(path: string, flag: string): string {
  if (!existsSync(path)) throw new GenzError('file_not_found', `no such file "${path}"`, [flag]);
  if (statSync(path).isDirectory()) throw new GenzError('invalid_input', `"${path}" is a directory, not a file`, [flag]);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new GenzError('file_not_found', `cannot read "${path}" (${(error as Error).message})`, [flag]);
  }
}

export function readJsonFile(path: string, flag: string): unknown {
  const text = readTextFile(path, flag);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new GenzError('invalid_json', `${path} is not valid JSON (${(error as Error).message})`, [flag]);
  }
}

/** A spec flag takes an id, or a path to a JSON file (anything ending in .json or containing a slash). */
export function idOrFile(value: string | undefined, flag: string): string | Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (value.endsWith('.json') || value.includes('/') || value.includes('\\')) {
    const json = readJsonFile(value, flag);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new GenzError('invalid_input', `${value} must hold one JSON object`, [flag]);
    }
    return json as Record<string, unknown>;
  }
  return value;
}
