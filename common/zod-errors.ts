// Turns a zod failure into one GenzError whose problems carry the exact path into the input.
import type { z } from 'zod';
import { GenzError } from './errors.ts';

export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  pathPrefix: (string | number)[] = [],
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    path: [...pathPrefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: issue.message,
  }));
  throw new GenzError('invalid_input', problems);
}
