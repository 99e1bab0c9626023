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
  const problems = result.error.issues.flatMap((issue) => {
    const path = [...pathPrefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    // Name each unknown key at its own path, so the message points at it.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field "${key}"` }));
    }
    const missing = /^Invalid input: expected (\w+), received undefined$/.exec(issue.message);
    return [{ path, message: missing ? `required: expected ${missing[1]}` : issue.message }];
  });
  throw new GenzError('invalid_input', problems);
}
