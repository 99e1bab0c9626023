// The lent-GPU runs committed to data/: every row validates; docs/gpu-runs.md is what calibrate/gpu-run-report.ts
// prints from them (so the numbers quoted there are the data's); kernels-ref's PyTorch scripts at least parse.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitProfile, parseMeasurements } from '../../index.ts';
import { parseProfileText } from '../../calibrate/profile-schema.ts';
import { CALIBRATION_FEATURES, curveFor } from '../../simulator/calibration.ts';
import { defaultCalibration } from '../../simulator/calibration-defaults.ts';
import type { Op } from '../../models/ops.ts';

const root = new URL('../..', import.meta.url).pathname;
const data = (file: string): string => readFileSync(new URL(`../../data/${file}`, import.meta.url), 'utf8');

describe('H100 and H200 runs of 2026-11-26 and 2026-11-27', () => {
  it('every kernels-ref and PyTorch row validates and names its preset', () => {
    for (const [device, files] of [['h100-sxm', ['kernels-ref-h100-sxm.jsonl', 'kernels-ref-h100-sxm-dense.jsonl', 'torch-ops-h100-sxm.jsonl']],
      ['h200', ['kernels-ref-h200.jsonl', 'kernels-ref-h200-dense.jsonl', 'torch-ops-h200.jsonl']]] as const) {
      for (const file of files) {
        const parsed = parseMeasurements(data(file));
        expect(parsed.problems, file).toEqual([]);
        expect(new Set(parsed.measurements.map((m) => m.device.id)), file).toEqual(new Set([device]));
      }
    }
    expect(parseMeasurements(data('kernels-ref-h100-sxm.jsonl')).measurements).toHaveLength(597);
    expect(parseMeasurements(data('kernels-ref-h200.jsonl')).measurements).toHaveLength(608);
    expect(parseMeasurements(data('torch-ops-h200.jsonl')).measurements).toHaveLength(162);
    // 2026-11-27: the two dense GEMM plans (279 + 723 lines) on each card, every line measured.
    for (const file of ['kernels-ref-h100-sxm-dense.jsonl', 'kernels-ref-h200-dense.jsonl']) expect(parseMeasurements(data(file)).measurements, file).toHaveLength(1002);
  });

  it('the shipped Hopper profiles price misaligned fp16 GEMMs by a curve of their own, fitted on those rows alone', () => {
    const misalign = CALIBRATION_FEATURES.indexOf('misalign');
    for (const id of ['h100-sxm', 'h200']) {
      const profile = parseProfileText(readFileSync(new URL(`../../data/profiles/${id}.json`, import.meta.url), 'utf8'), id);
      const fp16 = profile.byDtype!.gemm!.fp16!;
      expect(fp16.featureMax[misalign], id).toBe(0);
      expect(fp16.misaligned!.featureMin[misalign], id).toBe(0.5);
      expect(fp16.misaligned!.featureMax[misalign], id).toBe(1);
      expect(profile.byDtype!.gemm!.fp32!.misaligned, id).toBeUndefined();
      // The estimator's default calibration for the device prices a misaligned bf16 GEMM (fp16's twin) by it.
      const shipped = defaultCalibration(id)!;
      const op = (n: number): Op => ({ kind: 'gemm', m: 512, n, k: 4096, batch: 1, weightBits: 16, actBits: 16, outBits: 16 } as Op);
      expect(curveFor(shipped, id, op(4097), 'bf16'), id).toBe(shipped.byDtype!.gemm!.fp16!.misaligned);
      expect(curveFor(shipped, id, op(4096), 'bf16'), id).toBe(shipped.byDtype!.gemm!.fp16);
    }
  });

  it('the H100 graph check: both timings of every line validate; a fit refuses to mix them', () => {
    const parsed = parseMeasurements(data('graph-check-h100-sxm.jsonl'));
    expect(parsed.problems).toEqual([]);
    const graph = parsed.measurements.filter((m) => m.timing === 'graph-replay');
    expect(parsed.measurements).toHaveLength(4 * 78);
    expect(graph).toHaveLength(2 * 78);
    // Graph replays leave out the host's dispatch: an empty launch is several times faster in one.
    const empty = parsed.measurements.filter((m) => m.kernel === 'empty');
    expect(Math.max(...empty.filter((m) => m.timing === 'graph-replay').map((m) => m.medianS))).toBeLessThan(Math.min(...empty.filter((m) => m.timing === undefined).map((m) => m.medianS)) / 3);
    expect(() => fitProfile(parsed.measurements, { deviceId: 'h100-sxm', createdBy: 'test' })).toThrow(/kernels-ref measurements of "h100-sxm" mix graph replays \(156 rows .*\) with back-to-back timings \(156\); fit them apart/);
    // Graph replays beside PyTorch's rows of the same card are no mix: those are no rival timing of kernels-ref's lines.
    const torch = parseMeasurements(data('torch-ops-h100-sxm.jsonl')).measurements;
    expect(fitProfile([...graph, ...torch], { deviceId: 'h100-sxm', createdBy: 'test' }).deviceId).toBe('h100-sxm');
  });

  it('docs/gpu-runs.md is the report of the committed data, one section per device', () => {
    const files = ['kernels-ref-h100-sxm.jsonl', 'kernels-ref-h100-sxm-dense.jsonl', 'graph-check-h100-sxm.jsonl', 'torch-linear-h100-sxm.jsonl', 'torch-ops-h100-sxm.jsonl',
      'kernels-ref-h200.jsonl', 'kernels-ref-h200-dense.jsonl', 'torch-ops-h200.jsonl'];
    const r = spawnSync('npx', ['tsx', 'calibrate/gpu-run-report.ts', ...files.map((f) => `data/${f}`)], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(new URL('../../docs/gpu-runs.md', import.meta.url), 'utf8'));
    expect(r.stdout).toMatch(/## NVIDIA H100 80GB HBM3 \(h100-sxm\)[\s\S]*\| gemm-blas \| fp16 \| 481 \| 785\.0 \|[\s\S]*## NVIDIA H200 \(h200\)[\s\S]*\| gemm-blas \| fp16 \| 481 \| 769\.1 \|/);
    // Each card's 58 repeated shapes (43 within the dense runs, 15 shared with the first day's) are scored as pairs, in that card's section.
    expect(r.stdout.match(/### The same shapes on two machines[\s\S]*?\| all \| 58 \|/g)).toHaveLength(2);
    // The graph check is the H100's own table, not rows of its sweep (no ceiling or cross-validation counts them).
    expect(r.stdout).toMatch(/## NVIDIA H100[\s\S]*### Graph replays against back-to-back calls: data\/graph-check-h100-sxm\.jsonl[\s\S]*An empty kernel: 4\.8 µs back to back, 0\.8 µs in a graph[\s\S]*## NVIDIA H200/);
    // The F.linear cross-check belongs to the H100 section only (no torch-check.py run on the H200).
    expect(r.stdout.match(/### Cross-check: cuBLAS/g)).toHaveLength(1);
  }, 120_000);

  const hasPython = spawnSync('python3', ['--version']).status === 0;
  it.skipIf(!hasPython)('the committed GPU plans are what kernels-ref/plans/gpu-calibration.py writes (python3, where installed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genz-plans-'));
    try {
      mkdirSync(join(dir, 'kernels-ref/plans'), { recursive: true });
      const r = spawnSync('python3', [join(root, 'kernels-ref/plans/gpu-calibration.py')], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      for (const plan of ['gpu-calibration.jsonl', 'gpu-gemm-dense.jsonl', 'gpu-gemm-dense2.jsonl', 'graph-check.jsonl', 'gpu-gemm-align.jsonl']) {
        expect(readFileSync(join(dir, 'kernels-ref/plans', plan), 'utf8'), plan).toBe(readFileSync(join(root, 'kernels-ref/plans', plan), 'utf8'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the alignment plan: 40 fp16 GEMMs per class of row alignment, none of them a shape the Hopper fits read', () => {
    const plan = readFileSync(join(root, 'kernels-ref/plans/gpu-gemm-align.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kernel: string; dtype: string; shape: Record<string, number> });
    const alignment = (x: number): number => (x % 8 === 0 ? 8 : x % 4 === 0 ? 4 : x % 2 === 0 ? 2 : 1);
    const classes = new Map<number, number>();
    for (const line of plan) {
      expect([line.kernel, line.dtype]).toEqual(['gemm-blas', 'fp16']);
      const a = Math.min(alignment(line.shape.n!), alignment(line.shape.k!));
      classes.set(a, (classes.get(a) ?? 0) + 1);
    }
    expect([...classes].sort((x, y) => x[0] - y[0])).toEqual([[1, 40], [2, 40], [4, 40], [8, 40]]);
    const fitted = new Set(['kernels-ref-h100-sxm.jsonl', 'kernels-ref-h100-sxm-dense.jsonl', 'kernels-ref-h200.jsonl', 'kernels-ref-h200-dense.jsonl']
      .flatMap((f) => parseMeasurements(data(f)).measurements).map((m) => `${m.shape.m}x${m.shape.n}x${m.shape.k}`));
    expect(plan.filter((l) => fitted.has(`${l.shape.m}x${l.shape.n}x${l.shape.k}`))).toEqual([]);
  });

  it.skipIf(!hasPython)('the PyTorch scripts for a lent GPU parse (python3, where installed)', () => {
    for (const script of ['kernels-ref/torch-check.py', 'kernels-ref/torch-ops.py', 'kernels-ref/plans/gpu-calibration.py']) {
      const r = spawnSync('python3', ['-c', `import ast, sys; ast.parse(open(sys.argv[1]).read())`, script], { cwd: root, encoding: 'utf8' });
      expect(r.status, `${script}: ${r.stderr}`).toBe(0);
    }
  });
});
