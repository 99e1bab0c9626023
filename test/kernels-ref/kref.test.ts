// kernels-ref through its real command line: builds the CPU backend with make, then checks `kref info`,
// `kref list`, and that `kref run` measures every kernel at small shapes with a passing correctness check
// (gemm-tensor says it is unsupported on the CPU; gemm-blas runs where a system CBLAS such as OpenBLAS is installed), reports bad plan lines by number and
// keeps going, turns a wrong result into an error line, and flushes each line as it finishes.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KERNELS, MeasurementSchema } from '../../calibrate/measurement-schema.ts';

const dir = new URL('../../kernels-ref', import.meta.url).pathname;
const kref = join(dir, 'build/cpu/kref');

interface ListEntry { kernel: string; shape: Record<string, number>; dtypes: string[]; variants: string[]; supported: boolean; reason?: string }
type Line = Record<string, unknown>;

function run(args: string[], input: string, env: NodeJS.ProcessEnv = {}): { status: number | null; lines: Line[]; stderr: string } {
  const r = spawnSync(kref, args, { input, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Line);
  return { status: r.status, lines, stderr: r.stderr };
}

const plan = (items: object[]): string => items.map((i) => JSON.stringify(i)).join('\n') + '\n';

// Every kernel at small shapes, odd sizes included, every variant and every CPU dtype.
const ALL: { kernel: string; shape?: Record<string, number>; dtype?: string; variant?: string }[] = [
  ...['tile=8', 'tile=16', 'tile=32'].map((variant) => ({ kernel: 'gemm-naive', shape: { m: 65, n: 33, k: 47 }, variant })),
  ...['tile=16', 'tile=32', 'tile=64'].map((variant) => ({ kernel: 'gemm-smem', shape: { m: 70, n: 300, k: 270 }, variant })),
  { kernel: 'gemm-tensor', shape: { m: 64, n: 64, k: 64 }, dtype: 'fp16' },
  { kernel: 'gemm-blas', shape: { m: 64, n: 48, k: 32 } },
  { kernel: 'batched-gemm', shape: { batch: 3, m: 33, n: 65, k: 20 } },
  { kernel: 'gemv', shape: { m: 100, k: 257 } },
  { kernel: 'flat-gemm', shape: { m: 3, n: 100, k: 129 } },
  ...['attention-naive', 'attention-flash'].flatMap((kernel) => [
    { kernel, shape: { batch: 2, heads: 4, kvHeads: 2, q: 37, kv: 70, d: 32, causal: 1 } }, // prefill, causal, GQA
    { kernel, shape: { batch: 1, heads: 4, kvHeads: 1, q: 1, kv: 300, d: 64, causal: 1 } }, // decode, MQA
    { kernel, shape: { batch: 1, heads: 2, kvHeads: 2, q: 20, kv: 20, d: 16, causal: 0 } }, // full attention
  ]),
  { kernel: 'softmax', shape: { rows: 31, cols: 500 } },
  { kernel: 'rmsnorm', shape: { rows: 31, cols: 500 } },
  { kernel: 'layernorm', shape: { rows: 31, cols: 500 } },
  ...['add', 'mul', 'silu', 'gelu'].map((kernel) => ({ kernel, shape: { n: 10_001 } })),
  { kernel: 'selective-scan', shape: { batch: 2, dim: 40, len: 100, state: 16 } },
  { kernel: 'conv1d', shape: { batch: 2, dim: 40, len: 100, width: 4 } },
  { kernel: 'lut-gemv', shape: { m: 50, k: 256, group: 64 }, dtype: 'int2' },
  { kernel: 'lut-gemv', shape: { m: 50, k: 256, group: 128 }, dtype: 'int3' },
  { kernel: 'lut-gemv', shape: { m: 50, k: 256, group: 32 }, dtype: 'int4' },
  { kernel: 'memcpy', shape: { bytes: 100_001 }, variant: 'api' },
  { kernel: 'memcpy', shape: { bytes: 100_001 }, variant: 'kernel' },
  { kernel: 'empty' },
];

describe('kernels-ref CPU backend', () => {
  let list: ListEntry[] = [];

  beforeAll(() => {
    execFileSync('make', ['-C', dir, `-j${availableParallelism()}`, 'cpu'], { stdio: 'pipe', timeout: 180_000 });
    list = execFileSync(kref, ['list'], { encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l) as ListEntry);
  }, 200_000);

  it('kref info describes the CPU', () => {
    const info = JSON.parse(execFileSync(kref, ['info'], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(info.backend).toBe('cpu');
    expect(typeof info.name).toBe('string');
    expect(info.computeUnits).toBeGreaterThanOrEqual(1);
    expect(info.memoryBytes).toBeGreaterThan(0);
    expect(info.llcBytes).toBeGreaterThan(0);
    for (const key of ['clockHz', 'driver', 'runtime']) expect(info).toHaveProperty(key);
  });

  it('kref list names only schema kernels, with shape keys, and says what the CPU cannot run', () => {
    expect(list.length).toBeGreaterThanOrEqual(21);
    for (const e of list) expect(KERNELS).toContain(e.kernel);
    const byName = Object.fromEntries(list.map((e) => [e.kernel, e]));
    expect(Object.keys(byName['gemm-naive']!.shape)).toEqual(['m', 'n', 'k']);
    expect(byName['attention-flash']!.shape).toMatchObject({ heads: 32, kvHeads: 8, causal: 1 });
    expect(byName['gemm-tensor']!.supported).toBe(false);
    expect(byName['gemm-tensor']!.reason).toMatch(/unsupported on cpu/);
    expect(byName['gemv']!.dtypes).toEqual(['fp32']); // the CPU runs fp32 only, and says so
  });

  it('every kernel passes its correctness check on small shapes (gemm-tensor/gemm-blas: unsupported)', () => {
    // The plan covers every kernel kref lists, so a new kernel cannot go untested.
    const planned = new Set(ALL.map((p) => p.kernel));
    expect(list.map((e) => e.kernel).filter((k) => !planned.has(k))).toEqual([]);
    const { status, lines } = run(['run', '--repeats', '3', '--warmup', '1', '--seed', '7'], plan(ALL));
    expect(status).toBe(0);
    expect(lines).toHaveLength(ALL.length);
    const blasOnCpu = list.find((e) => e.kernel === 'gemm-blas')!.supported;
    const problems: string[] = [];
    lines.forEach((line, i) => {
      const p = ALL[i]!;
      if (p.kernel === 'gemm-tensor' || (p.kernel === 'gemm-blas' && !blasOnCpu)) {
        expect(line).toEqual({ error: expect.stringMatching(/unsupported on cpu/), line: i + 1, kernel: p.kernel });
        return;
      }
      const parsed = MeasurementSchema.safeParse(line);
      if (!parsed.success) {
        problems.push(`line ${i + 1} (${p.kernel}): ${JSON.stringify(line)} ${parsed.error.message}`);
        return;
      }
      const m = parsed.data;
      expect(m).toMatchObject({ source: 'kernels-ref', kernel: p.kernel, dtype: p.dtype ?? 'fp32', repeats: 3 });
      expect(m.device.backend).toBe('cpu');
      expect(m.shape).toMatchObject(p.shape ?? {});
      if (p.variant) expect(m.variant).toBe(p.variant);
      expect(m.minS!).toBeLessThanOrEqual(m.medianS);
      expect(m.maxS!).toBeGreaterThanOrEqual(m.medianS);
      const tolerance = p.kernel === 'memcpy' || p.kernel === 'empty' ? 0 : 1e-3;
      if (!(m.maxAbsError! <= tolerance)) problems.push(`${p.kernel}: maxAbsError ${m.maxAbsError} > ${tolerance}`);
    });
    expect(problems).toEqual([]);
  });

  it('FLOP and byte counts follow the documented formulas', () => {
    const { lines } = run(['run', '--quick'], plan([
      { kernel: 'gemm-smem', shape: { m: 64, n: 32, k: 16 } },
      { kernel: 'attention-flash', shape: { batch: 1, heads: 4, kvHeads: 2, q: 8, kv: 16, d: 16, causal: 1 } },
      { kernel: 'memcpy', shape: { bytes: 4096 } },
    ]));
    expect(lines[0]).toMatchObject({ flops: 2 * 64 * 32 * 16, bytes: 4 * (64 * 16 + 16 * 32 + 64 * 32) });
    // causal: query i (at position kv-q+i) sees kv-q+i+1 keys, so q*(kv-q) + q(q+1)/2 pairs; GQA: K/V use kvHeads
    const pairs = 8 * (16 - 8) + (8 * 9) / 2;
    expect(lines[1]).toMatchObject({ flops: 4 * 4 * 16 * pairs, bytes: 4 * (2 * 4 * 8 * 16 + 2 * 2 * 16 * 16) });
    expect(lines[2]).toMatchObject({ flops: 0, bytes: 8192 });
  });

  it('a bad plan line yields an error line with its number, and the run goes on', () => {
    const { status, lines } = run(['run', '--quick'], [
      JSON.stringify({ kernel: 'add', shape: { n: 1000 } }),
      '{"kernel": "add", ',
      JSON.stringify({ kernel: 'gemm-smme' }),
      '',
      JSON.stringify({ kernel: 'gemm-naive', shape: { m: 8, x: 1 } }),
      JSON.stringify({ kernel: 'gemm-naive', variant: 'tile=7' }),
      JSON.stringify({ kernel: 'attention-flash', shape: { heads: 6, kvHeads: 4 } }),
      JSON.stringify({ kernel: 'rope' }),
      JSON.stringify({ kernel: 'gemv', shape: { m: 8, k: 8 }, dtype: 'fp16' }),
      JSON.stringify({ kernel: 'mul', shape: { n: 1000 } }),
    ].join('\n') + '\n');
    expect(status).toBe(0);
    expect(lines).toHaveLength(9); // the blank line 4 is skipped, but still counted
    expect(MeasurementSchema.safeParse(lines[0]).success).toBe(true);
    expect(lines[1]).toEqual({ error: expect.stringMatching(/^invalid JSON/), line: 2 });
    expect(lines[2]).toEqual({ error: "unknown kernel 'gemm-smme'; closest is 'gemm-smem'", line: 3 });
    expect(lines[3]).toMatchObject({ error: "unknown shape key 'x' for gemm-naive (expected m, n, k)", line: 5 });
    expect(lines[4]).toMatchObject({ error: expect.stringMatching(/no variant 'tile=7'/), line: 6 });
    expect(lines[5]).toMatchObject({ error: 'heads must be a multiple of kvHeads', line: 7 });
    expect(lines[6]).toMatchObject({ error: expect.stringMatching(/not run by kernels-ref/), line: 8 });
    expect(lines[7]).toMatchObject({ error: expect.stringMatching(/fp16 gemv is unsupported on cpu/), line: 9 });
    expect(MeasurementSchema.safeParse(lines[8]).success).toBe(true);
  });

  it('a wrong result is an error line, not a measurement', () => {
    const { lines } = run(['run', '--quick'], plan([{ kernel: 'rmsnorm', shape: { rows: 4, cols: 64 } }, { kernel: 'add', shape: { n: 64 } }]), {
      KREF_INJECT_FAULT: 'rmsnorm',
    });
    expect(lines[0]).toMatchObject({ error: expect.stringMatching(/^correctness check failed: maxAbsError/), line: 1, kernel: 'rmsnorm' });
    expect(MeasurementSchema.safeParse(lines[1]).success).toBe(true);
  });

  it('writes each line as soon as it is measured, so a killed run keeps what it finished', async () => {
    const child = spawn(kref, ['run', '--quick']);
    child.stdin.write(JSON.stringify({ kernel: 'add', shape: { n: 4096 } }) + '\n'); // stdin stays open
    const first = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.on('error', reject);
      setTimeout(() => reject(new Error(`no line within 20 s (got ${JSON.stringify(out)})`)), 20_000);
    });
    child.kill('SIGKILL');
    expect(MeasurementSchema.safeParse(JSON.parse(first)).success).toBe(true);
  });

  it('rejects bad options with exit code 2', () => {
    expect(spawnSync(kref, ['run', '--repeats', '0'], { input: '' }).status).toBe(2);
    expect(spawnSync(kref, ['frobnicate']).status).toBe(2);
    // Graph replays are a GPU backend's: the CPU backend refuses --graph rather than time it another way.
    const graph = spawnSync(kref, ['run', '--graph'], { input: '{"kernel":"add","shape":{"n":1024}}\n', encoding: 'utf8' });
    expect(graph.status).toBe(2);
    expect(graph.stderr).toMatch(/--graph: graph replays need a GPU backend/);
    expect(graph.stdout).toBe('');
  });
});
