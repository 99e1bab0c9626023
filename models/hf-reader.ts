// Reads typed fields out of a Hugging Face config.json, collecting every bad one so the user sees all
// problems at once (paths are HF field names).
import { GenzError, type GenzProblem } from '../common/errors.ts';
import type { Activation } from './transformer-schema.ts';

type Json = Record<string, unknown>;

/** Reads typed fields, collecting every bad one so the user sees all problems at once. */
export class HfReader {
  private readonly problems: GenzProblem[] = [];

  constructor(private readonly c: Json, private readonly activations: Readonly<Record<string, Activation>>) {}

  raw(key: string): unknown {
    return this.c[key];
  }

  /** HF writes `null` for "use the default", so null counts as absent. */
  has(key: string): boolean {
    return this.c[key] !== undefined && this.c[key] !== null;
  }

  /** A required positive integer. Returns 1 after recording a problem, so later arithmetic stays finite. */
  count(key: string): number {
    if (!this.has(key)) {
      this.problems.push({ path: [key], message: `missing required field; expected a positive integer` });
      return 1;
    }
    return this.checkCount(key, false);
  }

  optionalCount(key: string, fallback: number, opts: { allowZero?: boolean } = {}): number {
    return this.has(key) ? this.checkCount(key, opts.allowZero ?? false) : fallback;
  }

  flag(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const v = this.c[key];
    if (typeof v === 'boolean') return v;
    this.problems.push({ path: [key], message: `expected true or false, found ${describe(v)}` });
    return fallback;
  }

  activation(key: string, fallback: string): Activation {
    const v = this.has(key) ? this.c[key] : fallback;
    if (typeof v !== 'string') {
      this.problems.push({ path: [key], message: `expected an activation name such as "silu", found ${describe(v)}` });
      return 'silu';
    }
    const mapped = this.activations[v];
    if (mapped) return mapped;
    throw new GenzError('unsupported', `activation "${v}" is not supported; expected one of ${Object.keys(this.activations).join(', ')}`, [key]);
  }

  throwIfProblems(): void {
    if (this.problems.length > 0) throw new GenzError('invalid_input', [...this.problems]);
  }

  private checkCount(key: string, allowZero: boolean): number {
    const v = this.c[key];
    const min = allowZero ? 0 : 1;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min) return v;
    const wanted = allowZero ? 'a non-negative integer' : 'a positive integer';
    this.problems.push({ path: [key], message: `expected ${wanted}, found ${describe(v)}` });
    return 1;
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
