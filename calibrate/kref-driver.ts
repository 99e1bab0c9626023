// Drives kernels-ref: builds the backend, asks it for its sweep, skips what the output file already holds,
// and appends each measurement as it arrives — so an interrupted sweep resumes without redoing or losing rows.
// Node-only (processes and files): exported from node.ts, not index.ts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GenzError } from '../common/errors.ts';
import { MeasurementSchema, type Measurement } from './measurement-schema.ts';
import { measurementKey, parseMeasurements } from './measurements.ts';
import { appendMeasurement, setAsideTruncatedLastLine } from './measurement-files.ts';

export type KrefBackend = 'cpu' | 'cuda' | 'hip';

export const KERNELS_REF_DIR = fileURLToPath(new URL('../kernels-ref/', import.meta.url));

export function krefBinary(backend: KrefBackend): string {
  return `${KERNELS_REF_DIR}build/${backend}/kref`;
}

/** Builds a backend with make; a missing compiler (nvcc, hipcc) is a clear user-facing error. */
export function buildKernelsRef(backend: KrefBackend): { binary: string; log: string } {
  const result = spawnSync('make', ['-C', KERNELS_REF_DIR, backend], { encoding: 'utf8' });
  const log = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new GenzError('unsupported', `building the ${backend} backend of kernels-ref failed:\n${log.trim().split('\n').slice(-8).join('\n')}`, ['backend']);
  const binary = krefBinary(backend);
  if (!existsSync(binary)) {
    throw new GenzError('unsupported', `the ${backend} backend was not built: ${log.trim().split('\n').pop() ?? 'no compiler'}`, ['backend']);
  }
  return { binary, log };
}

interface PlanLine { kernel: string; shape: Record<string, number>; dtype: string; variant?: string }

export interface RunOptions {
  backend: KrefBackend;
  out: string;
  quick?: boolean;
  /** Plan lines (JSON Lines text) to run instead of kref's own sweep. */
  planText?: string;
  /** Genz preset id of the device measured, written into every row. */
  deviceId?: string;
  /** Called after every finished plan line. */
  onProgress?: (done: number, total: number, line: string) => void;
}

export interface RunSummary {
  planned: number;
  skipped: number;
  measured: number;
  errors: { line: number; error: string }[];
  /**
   * Problems found in the existing output file: a last line cut short by a kill (moved to FILE.partial) and bad lines
   * (reported, left in place).
   */
  fileProblems: string[];
}

function kref(binary: string, args: string[]): string {
  const r = spawnSync(binary, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new GenzError('unsupported', `kref ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`, ['backend']);
  return r.stdout;
}

/** Runs the sweep of `backend`, appending to `out`; rows already in `out` are not measured again. */
export async function runKernelsRef(options: RunOptions): Promise<RunSummary> {
  const { binary } = buildKernelsRef(options.backend);
  const device = JSON.parse(kref(binary, ['info'])) as { name: string };
  // Plan lines may leave the dtype, variant and shape sizes to kref's defaults (`kref list`): fill them in, so a plan
  // line and the measurement it produces have the same key and a resumed run recognizes it.
  const defaults = new Map(kref(binary, ['list']).split('\n').filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { kernel: string; dtypes: string[]; variants?: string[]; shape: Record<string, number> })
    .map((k) => [k.kernel, { dtype: k.dtypes[0] ?? 'fp32', variant: k.variants?.[0], shape: k.shape }]));
  const planText = options.planText ?? kref(binary, ['plan', ...(options.quick ? ['--quick'] : [])]);
  const plan = parsePlan(planText, defaults);
  const done = new Set<string>();
  const fileProblems: string[] = [];
  if (existsSync(options.out)) {
    if (statSync(options.out).isDirectory()) throw new GenzError('invalid_input', `${options.out} is a directory; --out names the JSON Lines file to append to`, ['out']);
    const moved = setAsideTruncatedLastLine(options.out);
    if (moved > 0) fileProblems.push(`${options.out}: its last line was cut short (${moved} bytes, an interrupted write): moved to ${options.out}.partial; that measurement runs again`);
    const parsed = parseMeasurements(readFileSync(options.out, 'utf8'), { fileName: options.out });
    // Rows of an older kref may lack a variant that kernel has since gained: they ran its default (gemm-blas: NN).
    for (const m of parsed.measurements) done.add(measurementKey(m.variant === undefined && defaults.get(m.kernel)?.variant !== undefined ? { ...m, variant: defaults.get(m.kernel)!.variant } : m));
    for (const p of parsed.problems) fileProblems.push(`${options.out}:${p.line}: ${p.path.length > 0 ? `${p.path.join('.')}: ` : ''}${p.message}`);
  }
  const todo = plan.filter(({ line: p }) => !done.has(measurementKey({ device: { name: device.name, backend: options.backend }, kernel: p.kernel as Measurement['kernel'], ...(p.variant ? { variant: p.variant } : {}), shape: p.shape, dtype: p.dtype as Measurement['dtype'] })));
  const summary: RunSummary = { planned: plan.length, skipped: plan.length - todo.length, measured: 0, errors: [], fileProblems };
  if (todo.length === 0) return summary;

  const args = ['run', ...(options.quick ? ['--quick'] : []), ...(options.deviceId ? ['--device-id', options.deviceId] : [])];
  let index = 0;
  // One kref process; again after a line whose fault left the device unusable (exit 4: that line's error is written).
  for (;;) {
    const rest = todo.slice(index);
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(`${rest.map(({ line }) => JSON.stringify(line)).join('\n')}\n`);
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.trim() === '') continue;
      index++;
      const value = JSON.parse(line) as Record<string, unknown>;
      if ('error' in value) {
        summary.errors.push({ line: todo[index - 1]?.number ?? index, error: String(value.error) });
      } else {
        const m = MeasurementSchema.parse(value);
        appendMeasurement(options.out, m);
        summary.measured++;
      }
      options.onProgress?.(index, todo.length, `${todo[index - 1]?.line.kernel ?? ''}`);
    }
    const code: number = await new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('close', (c) => resolve(c ?? 1))));
    if (code === 4 && index > todo.length - rest.length && index < todo.length) continue;
    if (code !== 0 && index < todo.length) {
      throw new GenzError('unsupported', `kref stopped after ${index} of ${todo.length} plan lines (exit ${code}); rerun to resume`, ['backend']);
    }
    return summary;
  }
}

/** Plan lines with their 1-based line numbers; blank and '#' lines are skipped, bad ones are one GenzError. */
function parsePlan(text: string, defaults: Map<string, { dtype: string; variant?: string; shape: Record<string, number> }>): { number: number; line: PlanLine }[] {
  const lines: { number: number; line: PlanLine }[] = [];
  const problems: { path: (string | number)[]; message: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      problems.push({ path: ['plan', `line ${i + 1}`], message: `not valid JSON (${(error as Error).message})` });
      return;
    }
    if (typeof value !== 'object' || value === null || typeof (value as { kernel?: unknown }).kernel !== 'string') {
      problems.push({ path: ['plan', `line ${i + 1}`], message: 'expected an object with a "kernel" name' });
      return;
    }
    const p = value as Partial<PlanLine> & { kernel: string };
    const known = defaults.get(p.kernel);
    lines.push({
      number: i + 1,
      line: {
        ...p, kernel: p.kernel, shape: { ...(known?.shape ?? {}), ...(p.shape ?? {}) }, dtype: p.dtype ?? known?.dtype ?? 'fp32',
        ...(p.variant ?? known?.variant ? { variant: p.variant ?? known?.variant } : {}),
      },
    });
  });
  if (problems.length > 0) throw new GenzError('invalid_input', problems);
  return lines;
}
