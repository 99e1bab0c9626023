// A GEMM curve must price the weight shapes of a model it never saw: its n- and k-terms are fitted only from enough
// distinct weight shapes (calibrate/fit.ts WEIGHT_SHAPE_FEATURES), and GEMM rows are split by problem, so a layout
// twin never sits on the other side of the split (FitRow.splitKey).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMPORTERS, type Measurement } from '../../index.ts';
import { chooseCurveParts, fitCurve, fitCurves, fitRows, splitKeyOf, type FitRow } from '../../calibrate/fit.ts';
import { absPctError, medianP90 } from '../../calibrate/accuracy/error-stats.ts';
import { findDevice } from '../../hardware/registry.ts';
import { CALIBRATION_FEATURES } from '../../simulator/calibration.ts';
import { costOp } from '../../simulator/roofline/roofline-backend.ts';

const data = (file: string): string => readFileSync(new URL(`../../data/${file}`, import.meta.url), 'utf8');
const vidur = IMPORTERS.vidur(data('vidur_mlp_llama2-7b_tp1_a100_a40.csv'), 'vidur_mlp_llama2-7b_tp1_a100_a40.csv');
const weightShape = (r: FitRow): string => (r.op.kind === 'gemm' ? `${r.op.n}x${r.op.k}` : '');
const SHAPE_TERMS = ['shape2', 'shape3', 'mn', 'k2', 'padN', 'padK', 'misalign', 'pow2Stride'].map((f) => CALIBRATION_FEATURES.indexOf(f as never));

function gemmRows(deviceId: string): FitRow[] {
  const mine = vidur.filter((m) => m.device.id === deviceId);
  return fitRows(mine, findDevice(deviceId)!, deviceId, 0).rows.filter((r) => r.family === 'gemm');
}

describe('GEMM curves on few weight shapes', () => {
  it("Vidur's A40 sweep (4 weight shapes) fits no n- or k-term; NeuSight-like many shapes may", () => {
    const rows = gemmRows('a40');
    expect(new Set(rows.map(weightShape)).size).toBe(4);
    const curve = fitCurve(rows);
    for (const i of SHAPE_TERMS) expect(curve.weights[i], CALIBRATION_FEATURES[i]).toBe(0);
    expect(curve.weights[CALIBRATION_FEATURES.indexOf('shape1')]).not.toBe(0); // m still counts
  });

  it('held out one weight shape at a time, the A40 curves beat the defaults (another model\'s layers)', () => {
    const rows = gemmRows('a40');
    const calibrated: number[] = [];
    const defaults: number[] = [];
    for (const shape of new Set(rows.map(weightShape))) {
      const held = (r: FitRow): boolean => weightShape(r) === shape;
      const parts = chooseCurveParts(rows.filter((r) => !held(r)), 'a40', 5, true);
      const curves = fitCurves(rows, (r) => !held(r), 'a40', parts);
      for (const r of rows.filter(held)) {
        calibrated.push(absPctError(costOp(r.op, { ...r.ctx, calibration: curves }).latencyS, r.measuredS));
        defaults.push(absPctError(costOp(r.op, r.ctx).latencyS, r.measuredS));
      }
    }
    const c = medianP90(calibrated);
    const d = medianP90(defaults);
    console.log(`A40 leave-one-weight-shape-out: curves ${c.median.toFixed(1)} / ${c.p90.toFixed(1)} %, defaults ${d.median.toFixed(1)} / ${d.p90.toFixed(1)} %`);
    // 2026-11-27: 4.4 / 15.3 % against the defaults' 8.2 / 17.1 (with n- and k-terms the curves scored 7.7 / 17.7).
    expect(c.median).toBeLessThan(6);
    expect(c.median).toBeLessThan(d.median);
    expect(c.p90).toBeLessThan(d.p90);
  }, 120_000);
});

describe('split by problem', () => {
  const deepbench = IMPORTERS.deepbench(data('deepbench_gemm_results.csv'), 'deepbench_gemm_results.csv');
  it("DeepBench's NN, NT and TN calls of one shape share a split key; other rows keep their measurement key", () => {
    const v100 = deepbench.filter((m) => m.device.id === 'v100' && m.dtype === 'fp32');
    const byShape = new Map<string, Measurement[]>();
    for (const m of v100) {
      const shape = JSON.stringify(m.shape);
      (byShape.get(shape) ?? byShape.set(shape, []).get(shape)!).push(m);
    }
    const twins = [...byShape.values()].find((ms) => new Set(ms.map((m) => m.layout)).size >= 2)!;
    expect(twins).toBeDefined();
    expect(new Set(twins.map((m) => splitKeyOf(m, 'v100', 'gemm'))).size).toBe(1);
    const attention = IMPORTERS.vidur(data('vidur_attention_a100_llama2-70b_tp2_subsample.csv'), 'vidur_attention_a100_llama2-70b_tp2_subsample.csv')[0]!;
    const [row] = fitRows([attention], findDevice('a100-80gb-sxm')!, 'a100-80gb-sxm', 20).rows;
    expect(row!.splitKey).toBe(row!.key);
  });
});

describe("kernels-ref's GEMV and GEMM rows of one problem", () => {
  const h100 = readFileSync(new URL('../../data/kernels-ref-h100-sxm.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Measurement);
  it('gemv {m, k} shares its split key with gemm-blas {m: 1, n: m, k} of any layout', () => {
    const gemv = h100.find((m) => m.kernel === 'gemv' && m.shape.m === 4096 && m.shape.k === 11008 && m.dtype === 'fp16')!;
    const blas = h100.filter((m) => m.kernel === 'gemm-blas' && m.shape.m === 1 && m.shape.n === 4096 && m.shape.k === 11008 && m.dtype === 'fp16');
    expect(new Set(blas.map((m) => m.layout))).toEqual(new Set(['NN', 'TN']));
    for (const m of blas) expect(splitKeyOf(m, 'h100-sxm', 'gemm')).toBe(splitKeyOf(gemv, 'h100-sxm', 'gemm'));
  });
});
