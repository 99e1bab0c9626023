// GenzError problems (from the same zod schemas as the CLI) matched to the field whose path they carry.
import type { GenzProblem } from './protocol.ts';
import { startsWith, type Path } from '../state/paths.ts';

export function pathText(path: Path): string {
  return path.length === 0 ? '(input)' : path.map(String).join('.');
}

/** Messages of the problems at `prefix` or below it. */
export function problemsAt(problems: readonly GenzProblem[] | undefined, prefix: Path): string[] {
  if (!problems) return [];
  return problems.filter((p) => startsWith(p.path, prefix)).map((p) => {
    const rest = p.path.slice(prefix.length);
    return rest.length > 0 ? `${pathText(rest)}: ${p.message}` : p.message;
  });
}
