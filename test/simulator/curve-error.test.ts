// An estimate says how far its calibration curves missed on the measurements their profiles held out: the library's
// EstimateReport and SingleOpResult, `genz estimate` and `genz op`. The numbers must be the shipped profiles' own
// (data/profiles/*.json heldOutError), of the curve that priced each op: its dtype's, a same-silicon part's, or none.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultCalibration, estimate, estimateOp, type Op } from '../../index.ts';
import { curveError, curveErrorReport, curveErrorsText, type CalibrationCurves } from '../../simulator/calibration.ts';
import { mergeCurves } from '../../simulator/calibration-defaults.ts';

const root = new URL('../..', import.meta.url).pathname;
interface Entry { family: string; dtype?: string; alignment?: string; heldOutRows: number; after: { medianAbsPctError: number; p90AbsPctError: number } | null }
const profileJson = (id: string): CalibrationCurves & { heldOutError: Entry[] } => JSON.parse(readFileSync(`${root}data/profiles/${id}.json`, 'utf8'));
const shipped = (id: string): Entry[] => profileJson(id).heldOutError;
const entry = (id: string, family: string, dtype?: string, alignment?: string): Entry => shipped(id).find((e) => e.family === family && e.dtype === dtype && e.alignment === alignment)!;

const gemm = (m: number, n: number, k: number, batch = 1, bits = 16): Op => ({
  kind: 'gemm', name: 'g', block: 'mlp', scope: 'layer', count: 1, m, n, k, batch, weightBits: bits, actBits: bits, outBits: bits,
} as Op);

describe("the curves' held-out error", () => {
  it("is the entry of the curve's dtype (or its twin), else the family's over every dtype", () => {
    const h200 = defaultCalibration('h200')!;
    const bf16 = curveError(h200, 'h200', gemm(512, 4096, 4096), 'bf16')!;
    expect(bf16).toMatchObject({ family: 'gemm', dtype: 'fp16', alignment: 'aligned', deviceId: 'h200', after: entry('h200', 'gemm', 'fp16', 'aligned').after });
    expect(curveError(h200, 'h200', gemm(512, 4096, 4096, 1, 32), 'fp32')!.after).toEqual(entry('h200', 'gemm', 'fp32').after);
    const norm: Op = { kind: 'elementwise', name: 'n', block: 'norm', scope: 'layer', count: 1, fn: 'rmsnorm', elements: 4096 * 512, rowLength: 4096, readsPerElement: 1, writesPerElement: 1, flopsPerElement: 5, bits: 16 } as Op;
    expect(curveError(h200, 'h200', norm, null)).toMatchObject({ family: 'norm', deviceId: 'h200', after: entry('h200', 'norm').after });
  });

  it("a dtype curve with a misaligned sub-curve: the entry of the op's side (each side has its own curve)", () => {
    const h100 = defaultCalibration('h100-sxm')!;
    expect(h100.byDtype?.gemm?.fp16?.misaligned).toBeDefined();
    const aligned = curveErrorReport(h100, 'h100-sxm', gemm(512, 4096, 4096), 'fp16')!;
    const misaligned = curveErrorReport(h100, 'h100-sxm', gemm(512, 4097, 4096), 'fp16')!;
    expect(aligned).toMatchObject({ alignment: 'aligned', heldOutRows: entry('h100-sxm', 'gemm', 'fp16', 'aligned').heldOutRows, p90AbsPctError: entry('h100-sxm', 'gemm', 'fp16', 'aligned').after!.p90AbsPctError });
    expect(misaligned).toMatchObject({ alignment: 'misaligned', heldOutRows: entry('h100-sxm', 'gemm', 'fp16', 'misaligned').heldOutRows });
    // The two sides add up to the dtype's rows, and the aligned side misses less (docs/calibration.md).
    expect(aligned.heldOutRows + misaligned.heldOutRows).toBe(entry('h100-sxm', 'gemm', 'fp16').heldOutRows);
    expect(aligned.medianAbsPctError).toBeLessThan(misaligned.medianAbsPctError);
    // fp32 has no such split: the dtype entry.
    expect(curveErrorReport(h100, 'h100-sxm', gemm(512, 4097, 4096, 1, 32), 'fp32')).not.toHaveProperty('alignment');
  });

  it('merged profiles: the error of the profile whose curve priced the op, whichever splits by dtype', () => {
    // The first profile's family curve (fitted on fp16 rows, no dtype split) wins the fp16 slot over the second's fp16
    // curve: its family entry is the error, not the second profile's fp16 one.
    const x = { ...profileJson('a100-80gb-sxm'), deviceId: 'x' };
    const merged = mergeCurves('x', [x, profileJson('h100-sxm')]);
    const priced = curveErrorReport(merged, 'x', gemm(512, 4096, 4096), 'fp16')!;
    expect(priced).toMatchObject({ deviceId: 'x', heldOutRows: entry('a100-80gb-sxm', 'gemm').heldOutRows, medianAbsPctError: entry('a100-80gb-sxm', 'gemm').after!.medianAbsPctError });
    expect(priced).not.toHaveProperty('dtype');
    // A family only the second profile has: its entry.
    const allReduce: Op = { kind: 'collective', name: 'ar', block: 'attention', scope: 'layer', count: 1, collective: 'all-reduce', bytes: 1 << 20, groupSize: 8, group: 'tp' } as Op;
    expect(curveErrorReport(merged, 'x', allReduce, null)?.deviceId).toBe('h100-sxm');
    // The other way round, the second profile's dtype curve is not the first's: h100 first, then the renamed a100.
    const reverse = mergeCurves('x', [{ ...profileJson('h100-sxm'), deviceId: 'x' }, profileJson('a100-80gb-sxm')]);
    expect(curveErrorReport(reverse, 'x', gemm(512, 4096, 4096), 'fp16')).toMatchObject({ deviceId: 'x', dtype: 'fp16', alignment: 'aligned' });
    const embedding: Op = { kind: 'gather', name: 'e', block: 'embedding', scope: 'pre', count: 1, rows: 512, width: 4096, bits: 16 } as Op;
    expect(curveErrorReport(reverse, 'x', embedding, null)?.deviceId).toBe('a100-80gb-sxm');
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
    expect(curveErrorReport(a100, 'a100-80gb-sxm', gemm(64, 128, 128, 32), 'fp16')).toMatchObject({ family: 'gemm', pricing: 'bmm' });
    const withBmm: CalibrationCurves = {
      ...a100, byDtype: { ...a100.byDtype, bmm: { fp16: a100.byDtype!.gemm!.fp16! } },
      heldOutError: [...a100.heldOutError!, { family: 'bmm', heldOutRows: 7, after: { medianAbsPctError: 1, p90AbsPctError: 2 } }],
    };
    expect(curveErrorReport(withBmm, 'a100-80gb-sxm', gemm(64, 128, 128, 32), 'fp16')).toMatchObject({ family: 'bmm', heldOutRows: 7 });
    expect(curveErrorReport(withBmm, 'a100-80gb-sxm', gemm(64, 128, 128, 32), 'fp16')).not.toHaveProperty('pricing');
  });

  it("an op takes the entry of the dtype slot its curve came from: its own dtype's before its twin's", () => {
    const v100 = defaultCalibration('v100')!;
    const fp16 = v100.byDtype!.gemm!.fp16!;
    const both: CalibrationCurves = {
      ...v100, byDtype: { ...v100.byDtype, gemm: { ...v100.byDtype!.gemm, bf16: fp16 } },
      heldOutError: [{ family: 'gemm', dtype: 'bf16', heldOutRows: 3, after: { medianAbsPctError: 1, p90AbsPctError: 2 } }, ...v100.heldOutError!],
    };
    expect(curveErrorReport(both, 'v100', gemm(512, 4096, 4096), 'bf16')).toMatchObject({ dtype: 'bf16', heldOutRows: 3 });
    expect(curveErrorReport(both, 'v100', gemm(512, 4096, 4096), 'fp16')).toMatchObject({ dtype: 'fp16', heldOutRows: entry('v100', 'gemm', 'fp16').heldOutRows });
  });

  it('words group the entries by device', () => {
    expect(curveErrorsText([
      { family: 'gemm', dtype: 'fp16', deviceId: 'h200', heldOutRows: 89, medianAbsPctError: 8.48, p90AbsPctError: 22.88 },
      { family: 'norm', deviceId: 'h200', heldOutRows: 12, medianAbsPctError: 8.82, p90AbsPctError: 19.43 },
      { family: 'collective', deviceId: 'h100-sxm', heldOutRows: 988, medianAbsPctError: 0.8, p90AbsPctError: 7 },
      { family: 'gemm', dtype: 'fp16', alignment: 'misaligned', pricing: 'bmm', deviceId: 'h100-sxm', heldOutRows: 65, medianAbsPctError: 11.9, p90AbsPctError: 32.4 },
    ])).toBe('h200 gemm fp16 8.5 / 22.9 (89 rows), norm 8.8 / 19.4 (12 rows); h100-sxm collective 0.8 / 7.0 (988 rows), gemm fp16 misaligned (pricing bmm: no bmm curve) 11.9 / 32.4 (65 rows)');
  });
});

describe('reports carry it', () => {
  it("an estimate lists one entry per curve that priced its ops, and none without calibration", () => {
    const r = estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm', batch: 4, inputTokens: 512, outputTokens: 64 });
    const errors = r.inputs.calibration!.heldOutError;
    expect(errors.map((e) => e.family)).toEqual(expect.arrayContaining(['attention', 'gemm', 'norm']));
    expect(new Set(errors.map((e) => `${e.family} ${e.dtype}`)).size).toBe(errors.length);
    // Hymba's GEMMs are aligned and misaligned; the V100's fp16 curve has one entry for both: listed once.
    const hymba = estimate({ model: 'hymba-1.5b', hardware: 'v100' }).inputs.calibration!.heldOutError;
    expect(hymba.filter((e) => e.family === 'gemm' && e.dtype === 'fp16')).toHaveLength(1);
    expect(errors.find((e) => e.family === 'gemm')).toMatchObject({ deviceId: 'a100-80gb-sxm', heldOutRows: entry('a100-80gb-sxm', 'gemm').heldOutRows, medianAbsPctError: entry('a100-80gb-sxm', 'gemm').after!.medianAbsPctError });
    expect(estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm', calibration: 'none' }).inputs.calibration).toBeNull();
    // Only ops a curve priced count: at batch 64 and 2,048 tokens the A100's attention lies outside the range its curve
    // was fitted on (the efficiency factors price it), at batch 1 and 512 inside.
    const families = (batch: number, inputTokens: number): string[] =>
      estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm', batch, inputTokens, outputTokens: 64 }).inputs.calibration!.heldOutError.map((e) => e.family);
    expect(families(64, 2048)).not.toContain('attention');
    expect(families(1, 512)).toContain('attention');
    expect(estimate({ model: 'llama-2-7b', hardware: 'h200', tp: 2 }).inputs.calibration!.heldOutError.some((e) => e.family === 'collective')).toBe(true);
  });

  it('one op says whether a curve priced it, and that curve\'s error', () => {
    const priced = estimateOp({ kind: 'gemm', m: 16, n: 4096, k: 4096, dtype: 'fp16', hardware: 'h100-sxm' });
    expect(priced.pricedBy).toBe('curve');
    expect(priced.heldOutError).toMatchObject({ family: 'gemm', dtype: 'fp16', alignment: 'aligned', deviceId: 'h100-sxm', p90AbsPctError: entry('h100-sxm', 'gemm', 'fp16', 'aligned').after!.p90AbsPctError });
    const factors = estimateOp({ kind: 'gemm', m: 16, n: 4096, k: 4096, dtype: 'fp16', hardware: 'b200' });
    expect(factors.pricedBy).toBe('factors');
    expect(factors.heldOutError).toBeUndefined();
    // Outside the range the MI210's GEMM curve was fitted on: the factors price it, and no curve's error is given.
    const outside = estimateOp({ kind: 'gemm', m: 1, n: 64, k: 64, hardware: 'mi250-gcd' });
    expect(outside.pricedBy).toBe('outside-curve');
    expect(outside.heldOutError).toBeUndefined();
    expect(estimateOp({ kind: 'gemm', m: 16, n: 4096, k: 4096, dtype: 'fp16', hardware: 'h100-sxm', calibration: 'none' }).pricedBy).toBe('factors');
  });

  it('genz estimate and genz op print it', () => {
    const run = (...args: string[]) => spawnSync('node', ['cli/bin.js', ...args], { cwd: root, encoding: 'utf8' });
    const e = run('estimate', '--hardware', 'h200', '--tp', '2');
    expect(e.status, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/^held-out error of these curves \(kernel time on rows of their sweeps the fit never saw, median \/ p90 %\): h200 .*gemm fp16 aligned \d+\.\d \/ \d+\.\d \(\d+ rows\).*; h100-sxm collective /m);
    expect(run('estimate', '--hardware', 'h200', '--calibration', 'none').stdout).not.toMatch(/held-out error/);
    const op = run('op', 'gemm', '--m', '16', '--n', '4096', '--k', '4096', '--dtype', 'fp16', '--hardware', 'h100-sxm');
    expect(op.stdout).toMatch(/priced by the h100-sxm calibration curve for gemm fp16 aligned: held-out kernel-time error \d+\.\d \/ \d+\.\d % \(median \/ p90, \d+ rows\)/);
    expect(run('op', 'gemm', '--m', '16', '--n', '4096', '--k', '4096', '--hardware', 'b200').stdout).toMatch(/priced by the efficiency factors \(no calibration curve applies/);
    expect(run('op', 'gemm', '--m', '1', '--n', '64', '--k', '64', '--hardware', 'mi250-gcd').stdout).toMatch(/outside the range its family's calibration curve was fitted on/);
  }, 60_000);
});
