// One error type for every user mistake. The CLI prints `problems` one per line and exits 2;
// anything else that escapes is an internal bug (exit 1 with a stack).

export type GenzErrorCode =
  | 'unknown_id'
  | 'invalid_input'
  | 'invalid_json'
  | 'file_not_found'
  | 'unsupported';

export interface GenzProblem {
  /** Path into the input, e.g. ['hardware', 'memory', 0, 'bandwidthBytesPerS']. */
  path: (string | number)[];
  message: string;
}

export class GenzError extends Error {
  readonly code: GenzErrorCode;
  readonly problems: GenzProblem[];

  constructor(code: GenzErrorCode, problems: GenzProblem[] | string, path: (string | number)[] = []) {
    const list = typeof problems === 'string' ? [{ path, message: problems }] : problems;
    super(list.map(formatProblem).join('\n'));
    this.name = 'GenzError';
    this.code = code;
    this.problems = list;
  }

  /** The first problem's path (most errors have exactly one). */
  get path(): (string | number)[] {
    return this.problems[0]?.path ?? [];
  }
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(input)' : path.map((p) => String(p)).join('.');
}

export function formatProblem(problem: GenzProblem): string {
  return `${formatPath(problem.path)}: ${problem.message}`;
}

export function isGenzError(value: unknown): value is GenzError {
  return value instanceof GenzError;
}
