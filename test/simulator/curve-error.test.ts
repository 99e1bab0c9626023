// An estimate says how far its calibration curves missed on the measurements their profiles held out: the library's
// EstimateReport and SingleOpResult, `genz estimate` and `genz op`. The numbers must be the shipped profiles' own
// (data/profiles/*.json heldOutError), of the curve that priced each op: its dtype's, a same-silicon part's, or none.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultCalibration, estimate, estimateOp, type Op } from '../../index.ts';
import { curveError, curveErrorReport, curveErrorsText, type CalibrationCurves } from '../../simulator/calibration.ts';

const root = new URL('../..', import.meta.url).pathname;
interface Entry { family: string; dtype?: string; heldOutRows: number; after: { medianAbsPctError: number; p90AbsPctError: number } | null }
const shipped = (id: string): Entry[] => JSON.parse(readFileSync(`${root}data/profiles/${id}.json`, 'utf8')).heldOutError;
const entry = (id: string, family: string, dtype?: string): Entry => shipped(id).find((e) => e.family === family && e.dtype === dtype)!;

const gemm = (m: number, n: number, k: number, batch = 1, bits = 16): Op => ({
  kind: 'gemm', name: 'g', block: 'mlp', scope: 'layer', count: 1, m, n, k, batch, weightBits: bits, actBits: bits, outBits: bits,
} as Op);

describe("the curves' held-out error", () => {
  it("is the entry of the curve's dtype (or its twin), else the family's over every dtype", () => {
    const h200 = defaultCalibration('h200')!;
    const bf16 = curveError(h200, 'h200', gemm(512, 4096, 4096), 'bf16')!;
    expect(bf16).toMatchObject({ family: 'gemm', dtype: 'fp16', deviceId: 'h200', after: entry('h200', 'gemm', 'fp16').after });
    expect(curveError(h200, 'h200', gemm(512, 4096, 4096, 1, 32), 'fp32')!.after).toEqual(entry('h200', 'gemm', 'fp32').after);
    const norm: Op = { kind: 'elementwise', name: 'n', block: 'norm', scope: 'layer', count: 1, fn: 'rmsnorm', elements: 4096 * 512, rowLength: 4096, readsPerElement: 1, writesPerElement: 1, flopsPerElement: 5, bits: 16 } as Op;
    expect(curveError(h200, 'h200', norm, null)).toMatchObject({ family: 'norm', deviceId: 'h200', after: entry('h200', 'norm').after });
  });

  it("takes a same-silicon part's entry where that part's curve prices the op, and none where no curve does", () => {
    const h200 = defaultCalibration('h200')!;
    const allReduce: Op = { kind: 'collective', name: 'ar', block: 'attention', scope: 'layer', count: 1, collective: 'all-reduce', bytes: 1 << 20, groupSize: 8, group: 'tp' } as Op;
    expect(curveErrorReport(h200, 'h200', allReduce, null)).toEqual({
      family: 'collective', deviceId: 'h100-sxm', heldOutRows: entry('h100-sxm', 'collective').heldOutRows,
      medianAbsPctError: entry('h100-sxm', 'collective').after!.medianAbsPctError, p90AbsPctError: entry('h100-sxm', 'collective').after!.p90AbsPctError,
    });
    // The MI250 GCD borrows the MI210's curves: their rows, their device.
    expect(curveErrorReport(defaultCalibration('mi250-gcd'), 'mi250-gcd', gemm(512, 4096, 4096), 'fp16')?.deviceId).toBe('mi210');
    expect(curveErrorReport(defaultCalibration('h200'), 'b200', gemm(512, 4096, 4096), 'fp16')).toBeUndefined();
    const bare: CalibrationCurves = { ...defaultCalibration('a100-80gb-sxm')!, heldOutError: undefined };
    expect(curveErrorReport(bare, 'a100-80gb-sxm', gemm(512, 4096, 4096), 'fp16')).toBeUndefined();
  });

  it("a batched GEMM priced by the gemm curves takes the gemm entry; with a bmm curve, the bmm one", () => {
    const a100 = defaultCalibration('a100-80gb-sxm')!;
    expect(a100.byDtype?.bmm).toBeUndefined();
    expect(curveError(a100, 'a100-80gb-sxm', gemm(64, 128, 128, 32), 'fp16')?.family).toBe('gemm');
    const withBmm: CalibrationCurves = {
      ...a100, byDtype: { ...a100.byDtype, bmm: { fp16: a100.byDtype!.gemm!.fp16! } },
      heldOutError: [...a100.heldOutError!, { family: 'bmm', heldOutRows: 7, after: { medianAbsPctError: 1, p90AbsPctError: 2 } }],
    };
    expect(curveError(withBmm, 'a100-80gb-sxm', gemm(64, 128, 128, 32), 'fp16')).toMatchObject({ family: 'bmm', heldOutRows: 7 });
  });

  it('words group the entries by device', () => {
    expect(curveErrorsText([
      { family: 'gemm', dtype: 'fp16', deviceId: 'h200', heldOutRows: 89, medianAbsPctError: 8.48, p90AbsPctError: 22.88 },
      { family: 'norm', deviceId: 'h200', heldOutRows: 12, medianAbsPctError: 8.82, p90AbsPctError: 19.43 },
      { family: 'collective', deviceId: 'h100-sxm', heldOutRows: 988, medianAbsPctError: 0.8, p90AbsPctError: 7 },
    ])).toBe('h200 gemm fp16 8.5 / 22.9 (89 rows), norm 8.8 / 19.4 (12 rows); h100-sxm collective 0.8 / 7.0 (988 rows)');
  });
});

describe('reports carry it', () => {
  it("an estimate lists one entry per curve that priced its ops, and none without calibration", () => {
    const r = estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm', batch: 4, inputTokens: 512, outputTokens: 64 });
    const errors = r.inputs.calibration!.heldOutError;
    expect(errors.map((e) => e.family)).toEqual(expect.arrayContaining(['attention', 'gemm', 'norm']));
    expect(new Set(errors.map((e) => `${e.family} ${e.dtype}`)).size).toBe(errors.length);
    expect(errors.find((e) => e.family === 'gemm')).toMatchObject({ deviceId: 'a100-80gb-sxm', heldOutRows: entry('a100-80gb-sxm', 'gemm').heldOutRows, medianAbsPctError: entry('a100-80gb-sxm', 'gemm').after!.medianAbsPctError });
    expect(estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm', calibration: 'none' }).inputs.calibration).toBeNull();
    // Only ops a curve priced count: a collective curve's error appears with tensor parallelism, not without.
    expect(estimate({ model: 'llama-2-7b', hardware: 'h200' }).inputs.calibration!.heldOutError.some((e) => e.family === 'collective')).toBe(false);
    expect(estimate({ model: 'llama-2-7b', hardware: 'h200', tp: 2 }).inputs.calibration!.heldOutError.some((e) => e.family === 'collective')).toBe(true);
  });

  it('one op says whether a curve priced it, and that curve\'s error', () => {
    const priced = estimateOp({ kind: 'gemm', m: 16, n: 4096, k: 4096, dtype: 'fp16', hardware: 'h100-sxm' });
    expect(priced.calibrated).toBe(true);
    expect(priced.heldOutError).toMatchObject({ family: 'gemm', dtype: 'fp16', deviceId: 'h100-sxm', p90AbsPctError: entry('h100-sxm', 'gemm', 'fp16').after!.p90AbsPctError });
    const factors = estimateOp({ kind: 'gemm', m: 16, n: 4096, k: 4096, dtype: 'fp16', hardware: 'b200' });
    expect(factors.calibrated).toBe(false);
    expect(factors.heldOutError).toBeUndefined();
  });

  it('genz estimate and genz op print it', () => {
    const run = (...args: string[]) => spawnSync('node', ['cli/bin.js', ...args], { cwd: root, encoding: 'utf8' });
    const e = run('estimate', '--hardware', 'h200', '--tp', '2');
    expect(e.status, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/^held-out error of these curves \(kernel time, median \/ p90 %\): h200 .*gemm fp16 \d+\.\d \/ \d+\.\d \(\d+ rows\).*; h100-sxm collective /m);
    expect(run('estimate', '--hardware', 'h200', '--calibration', 'none').stdout).not.toMatch(/held-out error/);
    const op = run('op', 'gemm', '--m', '16', '--n', '4096', '--k', '4096', '--dtype', 'fp16', '--hardware', 'h100-sxm');
    expect(op.stdout).toMatch(/priced by the h100-sxm calibration curve for gemm fp16: held-out kernel-time error \d+\.\d \/ \d+\.\d % \(median \/ p90, \d+ rows\)/);
    expect(run('op', 'gemm', '--m', '16', '--n', '4096', '--k', '4096', '--hardware', 'b200').stdout).toMatch(/priced by the efficiency factors/);
  }, 60_000);
});
