// Shared test helpers: HF fixture loading, shape comparison, and asserting a GenzError's code and path.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { GenzError, type GenzErrorCode, type TransformerConfig } from '../index.ts';

/** A Hugging Face config.json fixture from test/fixtures/hf/, by file name without extension. */
export function hfFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`fixtures/hf/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** A config without its labels, for comparing shapes. */
export function shapeOf(c: TransformerConfig): Omit<TransformerConfig, 'id' | 'name' | 'source'> {
  const { id: _id, name: _name, source: _source, ...shape } = c;
  return shape;
}

export function expectGenzError(fn: () => unknown, code: GenzErrorCode, path: (string | number)[]): GenzError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GenzError);
    const e = err as GenzError;
    expect({ code: e.code, path: e.path }).toEqual({ code, path });
    return e;
  }
  throw new Error('expected a GenzError, but nothing was thrown');
}

/** Like expectGenzError, but `path` may be the path of any of the error's problems. */
export function expectGenzProblem(fn: () => unknown, code: GenzErrorCode, path: (string | number)[]): GenzError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GenzError);
    const e = err as GenzError;
    expect(e.code).toBe(code);
    expect(e.problems.map((p) => p.path)).toContainEqual(path);
    return e;
  }
  throw new Error('expected a GenzError');
}

/** |value / expected − 1| ≤ fraction. */
export function within(value: number, expected: number, fraction: number): void {
  expect(Math.abs(value / expected - 1)).toBeLessThanOrEqual(fraction);
}
