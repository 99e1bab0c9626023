// calibrate fit / report / profile schema: synthetic curves are recovered, Vidur's A100/A40 operator times are
// predicted within the GEMM targets on held-out shapes (error printed), profiles round-trip and bad ones are
// rejected with the field path.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMPORTERS, estimateOp, findDevice, IDEAL_EFFICIENCY } from '../../index.ts';
import { parseCsv, num } from '../../calibrate/accuracy/csv.ts';
import { chooseCurveParts, crossValidate, crossValidatedRows, fastestImplementations, fitCurves, fitProfile, fitProfiles, fitRows, measurementContext, withoutWorseCurves } from '../../calibrate/fit.ts';
import type { Measurement } from '../../calibrate/measurement-schema.ts';
import { measurementOp } from '../../calibrate/op-family.ts';
import { parseProfile, parseProfileText, profileCurves, profileText, type CalibrationProfile } from '../../calibrate/profile-schema.ts';
import { largeGemmThroughputTable, ownKernelsTable, profileErrors, reportProfile, rerunDriftTable } from '../../calibrate/report.ts';
import { CALIBRATION_FEATURES, CALIBRATION_SCHEMA_ID, FEATURE_COUNT, calibrationFeature, curveFor, type CalibrationCurve, type CalibrationCurves, type CalibrationFamily } from '../../simulator/calibration.ts';
import type { BlasLayout, Op } from '../../models/ops.ts';
import { DEFAULT_EFFICIENCY } from '../../simulator/efficiency.ts';
import { costOp } from '../../simulator/roofline/roofline-backend.ts';
import { expectGenzError } from '../helpers.ts';

type Device = { id?: string; name: string; backend: 'cpu' | 'cuda' | 'hip' | 'other' };

function measurement(device: Device, kernel: Measurement['kernel'], shape: Record<string, number>, medianS: number,
  extra: Partial<Measurement> = {}): Measurement {
  return { schema: 'genz.measurement.v1', source: 'test', device, kernel, shape, dtype: 'fp16', medianS, flops: 0, bytes: 0, ...extra };
}

// --- Vidur (microsoft/vidur, MIT): Llama-2-7B layer ops on A100 and A40, Llama-2-70B TP 2 FlashAttention on A100.
const VIDUR_DEVICES: Record<string, Device> = {
  a100: { id: 'a100-80gb-sxm', name: 'NVIDIA A100-SXM4-80GB', backend: 'cuda' },
  a40: { id: 'a40', name: 'NVIDIA A40', backend: 'cuda' },
};

function vidurMeasurements(): Measurement[] {
  const out: Measurement[] = [];
  const data = new URL('../../data/', import.meta.url);
  for (const row of parseCsv(readFileSync(new URL('vidur_mlp_llama2-7b_tp1_a100_a40.csv', data), 'utf8'))) {
    const device = VIDUR_DEVICES[row.device!]!;
    const [t, d, f, h, kvh] = ['num_tokens', 'n_embd', 'n_expanded_embd', 'n_head', 'n_kv_head'].map((c) => num(row, c)) as [number, number, number, number, number];
    const hd = d / h;
    const add = (kernel: Measurement['kernel'], shape: Record<string, number>, column: string): void => {
      out.push(measurement(device, kernel, shape, num(row, column) / 1e3, { source: 'vidur' }));
    };
    add('gemm', { m: t, n: (h + 2 * kvh) * hd, k: d }, 'attn_pre_proj_median_ms');
    add('gemm', { m: t, n: d, k: d }, 'attn_post_proj_median_ms');
    add('gemm', { m: t, n: 2 * f, k: d }, 'mlp_up_proj_median_ms');
    add('gemm', { m: t, n: d, k: f }, 'mlp_down_proj_median_ms');
    add('silu-mul', { rows: t, cols: f }, 'mlp_act_median_ms');
    add('rmsnorm', { rows: t, cols: d }, 'input_layernorm_median_ms');
    add('rmsnorm', { rows: t, cols: d }, 'post_attention_layernorm_median_ms');
    add('rope', { elements: t * (h + kvh) * hd }, 'attn_rope_median_ms');
    add('add', { rows: t, cols: d }, 'add_median_ms');
    add('embedding', { rows: t, width: d }, 'emb_median_ms');
  }
  for (const row of parseCsv(readFileSync(new URL('vidur_attention_a100_llama2-70b_tp2_subsample.csv', data), 'utf8'))) {
    const tp = num(row, 'tp');
    const prefill = row.is_prefill === 'True';
    const q = prefill ? num(row, 'prefill_chunk_size') : 1;
    out.push(measurement(VIDUR_DEVICES.a100!, 'attention-flash', {
      batch: num(row, 'batch_size'), queryLen: q, kvLen: num(row, 'kv_cache_size') + (prefill ? q : 0), numHeads: num(row, 'n_q_head') / tp,
      numKvHeads: Math.max(1, num(row, 'n_kv_head') / tp), headDim: num(row, 'n_embd') / num(row, 'n_q_head'), causal: 1,
    }, num(row, 'attn_kernel_median_ms') / 1e3, { source: 'vidur' }));
  }
  return out;
}

const vidur = vidurMeasurements();
const vidurProfiles = fitProfiles(vidur, { createdBy: 'test: fitProfiles(vidur)' });
const byDevice = (id: string): CalibrationProfile => vidurProfiles.find((p) => p.deviceId === id)!;
const errorOf = (p: CalibrationProfile, family: CalibrationFamily) => p.heldOutError.find((e) => e.family === family)!;

describe('fit on Vidur A100 / A40 (held-out shapes)', () => {
  it('prints the before/after table', () => {
    console.log(reportProfile(vidurProfiles));
    expect(vidurProfiles.map((p) => p.deviceId)).toEqual(['a100-80gb-sxm', 'a40']);
  });

  for (const id of ['a100-80gb-sxm', 'a40']) {
    it(`${id}: calibrated GEMM median ≤ 10%, p90 ≤ 25%, better than the defaults`, () => {
      const gemm = errorOf(byDevice(id), 'gemm');
      expect(gemm.heldOutRows).toBeGreaterThan(100);
      expect(gemm.after!.medianAbsPctError).toBeLessThanOrEqual(10);
      expect(gemm.after!.p90AbsPctError).toBeLessThanOrEqual(25);
      expect(gemm.after!.medianAbsPctError).toBeLessThanOrEqual(gemm.before!.medianAbsPctError);
      expect(gemm.after!.p90AbsPctError).toBeLessThan(gemm.before!.p90AbsPctError);
    });

    it(`${id}: every family's calibrated p90 is better than the defaults`, () => {
      for (const e of byDevice(id).heldOutError) expect(e.after!.p90AbsPctError, e.family).toBeLessThan(e.before!.p90AbsPctError);
    });
  }

  it('attention (A100) and norms are reported', () => {
    expect(errorOf(byDevice('a100-80gb-sxm'), 'attention').after!.medianAbsPctError).toBeLessThan(15);
    expect(errorOf(byDevice('a40'), 'norm').heldOutRows).toBeGreaterThan(0);
  });

  it('holds out about 20% of shapes, deterministically; repeats of a shape stay together', () => {
    const p = byDevice('a100-80gb-sxm');
    const total = p.heldOutError.reduce((s, e) => s + e.trainRows + e.heldOutRows, 0);
    const held = p.heldOutError.reduce((s, e) => s + e.heldOutRows, 0);
    expect(held / total).toBeGreaterThan(0.12);
    expect(held / total).toBeLessThan(0.28);
    expect(fitProfile(vidur, { deviceId: 'a100-80gb-sxm', createdBy: 'test: fitProfiles(vidur)' })).toEqual(p);
  });

  it('the stored table matches a recomputation from the measurements', () => {
    const text = reportProfile(byDevice('a40'), vidur);
    const stored = reportProfile(byDevice('a40'));
    expect(text.split('\n').filter((l) => l.startsWith('| a40'))).toEqual(stored.split('\n').filter((l) => l.startsWith('| a40')));
  });
});

describe('fit recovers known curves (synthetic)', () => {
  const device: Device = { id: 'a100-80gb-sxm', name: 'NVIDIA A100', backend: 'cuda' };
  const truth: Partial<Record<CalibrationFamily, CalibrationCurve>> = {
    gemm: { weights: [0.3, 0.1, 0.04, 0.8, -0.03, -0.05, 0.02, 0.03, 0], featureMin: new Array(FEATURE_COUNT).fill(-1e9), featureMax: new Array(FEATURE_COUNT).fill(1e9), overheadS: 5e-6 },
    elementwise: { weights: [0.5, 0.02, 0, 0, 0.1, 0, 0, 0, 0], featureMin: new Array(FEATURE_COUNT).fill(-1e9), featureMax: new Array(FEATURE_COUNT).fill(1e9), overheadS: 2e-6 },
  };
  const a100 = findDevice('a100-80gb-sxm')!;
  const truthCurves = { schema: CALIBRATION_SCHEMA_ID, deviceId: a100.id, families: truth } as const;
  const rows: Measurement[] = [];
  const timed = (kernel: Measurement['kernel'], shape: Record<string, number>): void => {
    const m = measurement(device, kernel, shape, 1);
    const priced = measurementOp(m);
    if ('problem' in priced) throw new Error(priced.problem);
    const ctx = measurementContext(a100, DEFAULT_EFFICIENCY, priced.baseDtype);
    rows.push({ ...m, medianS: costOp(priced.op, { ...ctx, calibration: truthCurves }).latencyS });
  };
  // 25 weight shapes: a curve fits its n- and k-terms only from 21 (calibrate/fit.ts WEIGHT_SHAPE_FEATURES).
  for (let m = 1; m <= 16384; m *= 2) for (const n of [1024, 2048, 3072, 5120, 8192]) for (const k of [1024, 2048, 4096, 8192, 14336]) timed('gemm', { m, n, k });
  for (let e = 1024; e <= 2 ** 28; e *= 2) for (const kernel of ['add', 'silu-mul', 'rope'] as const) timed(kernel, { elements: e });

  const profile = fitProfile(rows, { createdBy: 'test: synthetic' });

  it('gets the curve and the overhead back, also between the training shapes', () => {
    for (const family of ['gemm', 'elementwise'] as const) {
      expect(profile.families[family]!.overheadS / truth[family]!.overheadS, family).toBeCloseTo(1, 1);
    }
    // Weights are not compared one by one: size is a combination of balance and log m, n, k, so only the curve
    // is identifiable. Fresh shapes between the training ones:
    const fitted = profileCurves(profile);
    for (const [m, n, k] of [[3, 2000, 6000], [96, 5000, 1500], [1536, 1536, 10000], [12000, 2500, 2500]] as const) {
      const priced = measurementOp(measurement(device, 'gemm', { m, n, k }, 1));
      if ('problem' in priced) throw new Error(priced.problem);
      const ctx = measurementContext(a100, DEFAULT_EFFICIENCY, priced.baseDtype);
      const want = costOp(priced.op, { ...ctx, calibration: truthCurves }).latencyS;
      expect(costOp(priced.op, { ...ctx, calibration: fitted }).latencyS / want, `${m}x${n}x${k}`).toBeCloseTo(1, 2);
    }
  });

  it('5-fold cross-validation scores every row once, within 2% on these curves', () => {
    const cv = crossValidate(rows, profile);
    expect(cv.map((e) => e.family)).toEqual(['gemm', 'elementwise']);
    expect(cv.find((e) => e.family === 'gemm')!.rows).toBe(rows.filter((r) => r.kernel === 'gemm').length);
    for (const e of cv) expect(e.p90AbsPctError, e.family).toBeLessThan(2);
  });

  it('predicts the held-out synthetic rows within 2%', () => {
    for (const e of profile.heldOutError) {
      expect(e.heldOutRows, e.family).toBeGreaterThan(0);
      expect(e.after!.p90AbsPctError, e.family).toBeLessThan(2);
    }
  });

  it('no calibrated time beats the best measured efficiency (minSlowdown), even where the curve extrapolates', () => {
    const gemm = profile.families.gemm!;
    const ratios = rows.filter((r) => r.kernel === 'gemm').map((r) => {
      const priced = measurementOp(r);
      if ('problem' in priced) throw new Error(priced.problem);
      const ideal = costOp(priced.op, { ...measurementContext(a100, DEFAULT_EFFICIENCY, priced.baseDtype), efficiency: IDEAL_EFFICIENCY });
      return r.medianS / Math.max(ideal.computeS, ideal.memoryS);
    });
    // The smallest measured/floor of the training rows (the profile's 80% split).
    const { rows: fitted } = fitRows(fastestImplementations(rows).kept, a100, a100.id, profile.split.heldOutPercent);
    const training = fitted.filter((r) => r.family === 'gemm' && !r.heldOut).map((r) => r.measuredS / r.floorS);
    expect(gemm.minSlowdown).toBeCloseTo(Math.min(...training), 12);
    expect(gemm.minSlowdown).toBeGreaterThanOrEqual(Math.min(...ratios) - 1e-9);
    // A curve that would price an op at its floor is held at floor × minSlowdown.
    const flat: CalibrationCurve = { weights: [0], featureMin: [1], featureMax: [1], overheadS: 0, minSlowdown: 1.25 };
    const curves = { schema: CALIBRATION_SCHEMA_ID, deviceId: a100.id, families: { gemm: flat } } as const;
    const priced = measurementOp(measurement(device, 'gemm', { m: 4096, n: 4096, k: 4096, batch: 64 }, 1));
    if ('problem' in priced) throw new Error(priced.problem);
    const ctx = measurementContext(a100, DEFAULT_EFFICIENCY, priced.baseDtype);
    const ideal = costOp(priced.op, { ...ctx, efficiency: IDEAL_EFFICIENCY });
    expect(costOp(priced.op, { ...ctx, calibration: curves }).latencyS / ideal.latencyS).toBeCloseTo(1.25, 9);
    expect(costOp(priced.op, { ...ctx, calibration: { ...curves, families: { gemm: { ...flat, minSlowdown: undefined } } } }).latencyS / ideal.latencyS).toBeCloseTo(1, 9);
  });

  it('a curve that does worse than the defaults in cross-validation is not kept, with a note; a better one is', () => {
    expect(withoutWorseCurves(profile, rows).families).toEqual(profile.families);
    // GEMMs timed exactly as the defaults price them: no curve can beat an error of 0.
    const byDefaults = rows.filter((r) => r.kernel === 'gemm').map((r) => {
      const priced = measurementOp(r);
      if ('problem' in priced) throw new Error(priced.problem);
      return { ...r, medianS: costOp(priced.op, measurementContext(a100, DEFAULT_EFFICIENCY, priced.baseDtype)).latencyS };
    });
    const mixed = [...byDefaults, ...rows.filter((r) => r.kernel !== 'gemm')];
    const kept = withoutWorseCurves(fitProfile(mixed, { createdBy: 'test: defaults' }), mixed);
    expect(Object.keys(kept.families)).toEqual(['elementwise']);
    expect(kept.heldOutError.map((e) => e.family)).toEqual(['elementwise']);
    expect(kept.notes.join(' ')).toMatch(/gemm curve not kept: 5-fold cross-validation \d+\.\d\/\d+\.\d % \(median\/p90\) against the defaults' 0\.0\/0\.0 %/);
  });

  it('the calibrated estimate is never below the roofline floor', () => {
    const curves = profileCurves(byDevice('a100-80gb-sxm'));
    for (const m of vidur.filter((x) => x.device.id === a100.id)) {
      const priced = measurementOp(m);
      if ('problem' in priced) throw new Error(priced.problem);
      const ctx = measurementContext(a100, DEFAULT_EFFICIENCY, priced.baseDtype);
      const floor = costOp(priced.op, { ...ctx, efficiency: IDEAL_EFFICIENCY });
      const calibrated = costOp(priced.op, { ...ctx, calibration: curves });
      expect(calibrated.latencyS).toBeGreaterThanOrEqual(Math.max(floor.computeS, floor.memoryS, floor.networkS));
      expect(calibrated.latencyS).toBeGreaterThanOrEqual(floor.latencyS);
    }
  });
});

/** A GEMM curve that is 0.2 in log slowdown everywhere, plus ln(factor) per unit of `feature`: the truth of a synthetic fit. */
function truthWith(deviceId: string, feature: (typeof CALIBRATION_FEATURES)[number], factor: number) {
  const weights = new Array<number>(FEATURE_COUNT).fill(0);
  weights[0] = 0.2;
  weights[CALIBRATION_FEATURES.indexOf(feature)] = Math.log(factor);
  return {
    schema: CALIBRATION_SCHEMA_ID, deviceId,
    families: { gemm: { weights, featureMin: new Array(FEATURE_COUNT).fill(-1e9), featureMax: new Array(FEATURE_COUNT).fill(1e9), overheadS: 3e-6 } },
  } as const;
}

/** Prices a measurement's op on `device` with the default efficiencies. */
const pricedOn = (device: ReturnType<typeof findDevice> & object) => (m: Measurement): { op: Op; ctx: ReturnType<typeof measurementContext> } => {
  const p = measurementOp(m);
  if ('problem' in p) throw new Error(p.problem);
  return { op: p.op, ctx: measurementContext(device, DEFAULT_EFFICIENCY, p.baseDtype) };
};

describe('GEMM layout (synthetic)', () => {
  // Truth: the same shape runs 1.5× slower when the BLAS call reads the weight transposed (as in DeepBench's TN vs NN).
  const device: Device = { id: 'v100', name: 'NVIDIA V100', backend: 'cuda' };
  const v100 = findDevice('v100')!;
  const truth = truthWith(v100.id, 'transW', 1.5);
  const priced = pricedOn(v100);
  const rows: Measurement[] = [];
  for (let m = 16; m <= 8192; m *= 2) for (const n of [1024, 4096]) for (const k of [1024, 4096]) for (const layout of ['NN', 'TN'] as const) {
    const row = measurement(device, 'gemm', { m, n, k }, 1, { layout, variant: layout });
    const { op, ctx } = priced(row);
    rows.push({ ...row, medianS: costOp(op, { ...ctx, calibration: truth }).latencyS });
  }
  const profile = fitProfile(rows, { createdBy: 'test: layout' });
  const fitted = profileCurves(profile);

  it('the fitted curve prices TN 1.5× NN on a fresh shape, and an op without a layout as TN', () => {
    const time = (layout?: BlasLayout): number => {
      const { op, ctx } = priced(measurement(device, 'gemm', { m: 3000, n: 2500, k: 1500 }, 1, layout ? { layout } : {}));
      return costOp(op, { ...ctx, calibration: fitted }).latencyS;
    };
    expect(time('TN') / time('NN')).toBeCloseTo(1.5, 1);
    expect(time()).toBe(time('TN'));
  });

  it('genz op --layout reaches the curve (single-op request)', () => {
    const op = (layout: BlasLayout) => estimateOp({ kind: 'gemm', m: 3000, n: 2500, k: 1500, dtype: 'fp16', hardware: 'v100', layout, calibration: profile });
    expect(op('TN').latencyS / op('NN').latencyS).toBeCloseTo(1.5, 1);
  });
});

describe('GEMM row alignment (synthetic)', () => {
  // Truth: a GEMM whose n or k is odd (2-byte rows) runs 4× slower (cuBLAS leaves the tensor-core path and the async
  // copies), one whose rows are 4- or 8-byte aligned 2× (misalign 0.5).
  const device: Device = { id: 'h100-sxm', name: 'NVIDIA H100 80GB HBM3', backend: 'cuda' };
  const h100 = findDevice('h100-sxm')!;
  const misalign = CALIBRATION_FEATURES.indexOf('misalign');
  const truth = truthWith(h100.id, 'misalign', 4);
  const priced = pricedOn(h100);
  const rows: Measurement[] = [];
  for (let m = 16; m <= 8192; m *= 2) for (const n of [1024, 2048, 4096, 1021, 2051, 4099]) for (const k of [1024, 4096, 1030, 2054]) {
    const row = measurement(device, 'gemm', { m, n, k }, 1);
    const { op, ctx } = priced(row);
    rows.push({ ...row, medianS: costOp(op, { ...ctx, calibration: truth }).latencyS });
  }
  const fitted = profileCurves(fitProfile(rows, { createdBy: 'test: alignment' }));
  const time = (shape: Record<string, number>, dtype: Measurement['dtype'] = 'fp16'): number => {
    const { op, ctx } = priced(measurement(device, 'gemm', shape, 1, { dtype }));
    return costOp(op, { ...ctx, calibration: fitted }).latencyS;
  };

  it('prices an odd n or k 4× an aligned neighbour and an even one 2×; m does not matter; only 16-bit GEMMs (tensor cores) are affected', () => {
    expect(time({ m: 3000, n: 2051, k: 1504 }) / time({ m: 3000, n: 2048, k: 1504 })).toBeCloseTo(4, 0);
    expect(time({ m: 3000, n: 2048, k: 1501 }) / time({ m: 3000, n: 2048, k: 1504 })).toBeCloseTo(4, 0);
    expect(time({ m: 3000, n: 2052, k: 1504 }) / time({ m: 3000, n: 2048, k: 1504 })).toBeCloseTo(2, 0);
    expect(time({ m: 3000, n: 2048, k: 1502 }) / time({ m: 3000, n: 2048, k: 1504 })).toBeCloseTo(2, 0);
    expect(time({ m: 3001, n: 2048, k: 1504 }) / time({ m: 3000, n: 2048, k: 1504 })).toBeCloseTo(1, 1);
    const feature = (n: number, actBits: number, k = 4096): number => calibrationFeature(misalign, { kind: 'gemm', m: 8, n, k, batch: 1, weightBits: actBits, actBits, outBits: actBits } as Op, 1, 1, 0, 132);
    expect([feature(4100, 32), feature(4100, 16), feature(4102, 16), feature(4101, 16), feature(4104, 16), feature(4104, 16, 4099), feature(4100, 8)]).toEqual([0, 0.5, 0.5, 1, 0, 1, 0]);
  });
});

describe('per-dimension tile padding (synthetic)', () => {
  // Truth: a batched GEMM's time follows k rounded up to whole 128s (NeuSight's torch.bmm rows on the A100 and P100
  // boards do): k = 129 costs about what k = 256 does.
  const device: Device = { id: 'a100-80gb-sxm', name: 'NVIDIA A100', backend: 'cuda' };
  const a100 = findDevice('a100-80gb-sxm')!;
  const padK = CALIBRATION_FEATURES.indexOf('padK');
  const tiled = truthWith(a100.id, 'padK', 10);
  const plain = truthWith(a100.id, 'bias', 1);
  const priced = pricedOn(a100);
  // m and n on and off their tiles too, so every tile term varies and a fit could use it.
  const rowsOf = (truth: CalibrationCurves, dtype: Measurement['dtype'] = 'fp16'): Measurement[] => {
    const rows: Measurement[] = [];
    for (const m of [64, 200, 1000, 4096]) for (const n of [512, 1300, 2048]) for (let k = 40; k <= 1100; k += 37) {
      const row = measurement(device, 'gemm', { m, n, k }, 1, { dtype });
      const { op, ctx } = priced(row);
      rows.push({ ...row, medianS: costOp(op, { ...ctx, calibration: truth }).latencyS });
    }
    return rows;
  };
  const time = (curves: ReturnType<typeof profileCurves>, k: number): number => {
    const { op, ctx } = priced(measurement(device, 'gemm', { m: 1000, n: 1000, k }, 1));
    return costOp(op, { ...ctx, calibration: curves }).latencyS;
  };

  it('a fit on rows with the k sawtooth keeps the tile terms and prices k = 128, 129 and 256 as the truth does', () => {
    const profile = fitProfile(rowsOf(tiled), { createdBy: 'test: tiles', neighbors: false });
    expect(profile.families.gemm!.weights[padK]).toBeGreaterThan(1);
    const fitted = profileCurves(profile);
    // Within 10% of the truth's ratios (the ridge penalty and the other shape terms leave a few %; a curve without the
    // tile terms, smooth in k, would be ~20% off the 128 / 129 one).
    expect(Math.abs((time(fitted, 129) / time(fitted, 256)) / (time(tiled, 129) / time(tiled, 256)) - 1)).toBeLessThan(0.1);
    expect(Math.abs((time(fitted, 128) / time(fitted, 129)) / (time(tiled, 128) / time(tiled, 129)) - 1)).toBeLessThan(0.1);
    expect(time(tiled, 128) / time(tiled, 129)).toBeLessThan(0.85);
  });

  it('a fit on rows without it leaves the tile terms out (cross-validation finds no gain)', () => {
    const weights = fitProfile(rowsOf(plain), { createdBy: 'test: no tiles', neighbors: false }).families.gemm!.weights;
    for (const f of ['padN', 'padK', 'padM64'] as const) expect(weights[CALIBRATION_FEATURES.indexOf(f)] ?? 0, f).toBe(0);
  });

  it('the tile features: 0 on a whole tile, log10 of the padded share off it; an MoE expert\'s fractional m counts as 1', () => {
    const padM = CALIBRATION_FEATURES.indexOf('padM64');
    const at = (index: number, m: number, n: number, k: number): number =>
      calibrationFeature(index, { kind: 'gemm', m, n, k, batch: 1, weightBits: 16, actBits: 16, outBits: 16 } as Op, 1, 1, 0, 132);
    expect([at(padK, 8, 256, 256), at(padM, 64, 256, 256), at(CALIBRATION_FEATURES.indexOf('padN'), 8, 256, 256)]).toEqual([0, 0, 0]);
    expect(at(padK, 8, 256, 129)).toBeCloseTo(Math.log10(256 / 129), 12);
    expect(at(padM, 65, 256, 256)).toBeCloseTo(Math.log10(128 / 65), 12);
    expect(at(padM, 0.25, 256, 256)).toBeCloseTo(Math.log10(64), 12);
    expect([at(padM, Infinity, 256, 256), at(padM, 0, 256, 256)]).toEqual([0, 0]);
  });

  it('each dtype curve chooses on its own rows: the fp16 curve keeps the tile terms, the fp32 one does not', () => {
    const both: CalibrationCurves = { schema: CALIBRATION_SCHEMA_ID, deviceId: a100.id, families: {}, byDtype: { gemm: { fp16: tiled.families.gemm, fp32: plain.families.gemm } } };
    const profile = fitProfile([...rowsOf(both, 'fp16'), ...rowsOf(both, 'fp32')], { createdBy: 'test: tiles per dtype', neighbors: false });
    expect(profile.byDtype?.gemm?.fp16?.weights[padK]).toBeGreaterThan(1);
    for (const f of ['padN', 'padK', 'padM64'] as const) expect(profile.byDtype?.gemm?.fp32?.weights[CALIBRATION_FEATURES.indexOf(f)] ?? 0, f).toBe(0);
  });
});

describe('a richer feature tier on few rows (synthetic)', () => {
  // 36 GEMMs of 36 weight shapes (enough for the n- and k-terms): under the 40 rows the shape tier needs at 4 rows per
  // parameter, so by default the curve keeps balance and size only. Truth A: the slowdown grows with k (×3 per decade), which balance and size cannot separate from m
  // and n; truth B: a constant slowdown, which needs no more terms.
  const device: Device = { id: 'a100-80gb-sxm', name: 'NVIDIA A100', backend: 'cuda' };
  const a100 = findDevice('a100-80gb-sxm')!;
  const priced = pricedOn(a100);
  const shape3 = CALIBRATION_FEATURES.indexOf('shape3');
  const rowsOf = (truth: CalibrationCurves): Measurement[] => {
    const rows: Measurement[] = [];
    let i = 0;
    for (const n of [512, 768, 1024, 2048, 3072, 5120]) for (const k of [96, 256, 640, 1536, 4096, 8192]) {
      const m = [64, 1000, 4096][i++ % 3]!;
      const row = measurement(device, 'gemm', { m, n, k }, 1);
      const { op, ctx } = priced(row);
      rows.push({ ...row, medianS: costOp(op, { ...ctx, calibration: truth }).latencyS });
    }
    return rows;
  };
  const trainRows = (rows: Measurement[]) => fitRows(rows, a100, a100.id, 0).rows;
  const partsOf = (truth: CalibrationCurves, tables = false) => chooseCurveParts(trainRows(rowsOf(truth)), a100.id, 5, tables);

  it('is taken where cross-validation finds it lowers the error, and then prices an unmeasured k as the truth does', () => {
    const truth = truthWith(a100.id, 'shape3', 3);
    expect(partsOf(truth).rich).toEqual(new Set(['gemm']));
    expect(partsOf(truth, true).rich).toEqual(new Set(['gemm'])); // scored with and without neighbour tables alike
    const profile = fitProfile(rowsOf(truth), { createdBy: 'test: rich tier', neighbors: false, heldOutPercent: 0 });
    expect(profile.families.gemm!.weights[shape3]).not.toBe(0);
    const time = (curves: CalibrationCurves, k: number): number => {
      const { op, ctx } = priced(measurement(device, 'gemm', { m: 2000, n: 1024, k }, 1));
      return costOp(op, { ...ctx, calibration: curves }).latencyS;
    };
    for (const k of [160, 1000, 6000]) expect(Math.abs(time(profileCurves(profile), k) / time(truth, k) - 1), `k ${k}`).toBeLessThan(0.1);
  });

  it('is left out where the default tier does as well', () => {
    expect(partsOf(truthWith(a100.id, 'bias', 1)).rich).toEqual(new Set());
  });
});

describe('collectives (synthetic)', () => {
  // NCCL beating the α–β floor: every all-reduce and send/recv runs at 0.75 × its floor on the fabric of bare H100s
  // (the 8x-h100-hgx preset's: NVSwitch, in-network reduction), plus 4 µs. A curve held at the floor could not follow; a collective curve may go under it.
  const h100 = findDevice('h100-sxm')!;
  const device: Device = { id: 'h100-sxm', name: 'NVIDIA H100', backend: 'cuda' };
  const rows: Measurement[] = [];
  for (const workers of [2, 4, 8]) for (let e = 3; e <= 8.5; e += 0.25) {
    for (const kernel of workers === 2 ? ['all-reduce', 'send-recv'] as const : ['all-reduce'] as const) {
      const row = measurement(device, kernel, { elements: Math.round(10 ** e), workers, devicesPerNode: workers }, 1);
      const { op, ctx } = pricedOn(h100)(row);
      const ideal = costOp(op, { ...ctx, efficiency: IDEAL_EFFICIENCY });
      rows.push({ ...row, medianS: 0.75 * Math.max(ideal.computeS, ideal.memoryS, ideal.networkS) + 4e-6 });
    }
  }

  it('fits a curve under the floor (minSlowdown < 1) that prices held-out collectives within a few %', () => {
    const profile = fitProfile(rows, { createdBy: 'test: collectives', neighbors: false });
    const curve = profile.families.collective!;
    expect(curve.minSlowdown).toBeLessThan(1);
    expect(curve.collectives).toEqual(['all-reduce', 'p2p']);
    const held = profile.heldOutError.find((e) => e.family === 'collective')!;
    expect(held.heldOutRows).toBeGreaterThan(5);
    expect(held.after!.p90AbsPctError).toBeLessThan(5);
    expect(held.before!.medianAbsPctError).toBeGreaterThan(10); // the defaults cannot go under the floor
    // The schema takes it back (collective curves alone may have minSlowdown < 1).
    expect(parseProfileText(JSON.stringify(profile)).families.collective!.minSlowdown).toBe(curve.minSlowdown);
  });

  it('a measurement of a system preset prices its collectives on that system\'s fabric', () => {
    const fabric = (system?: string) => measurementContext(h100, DEFAULT_EFFICIENCY, 'fp16', system).links.tp;
    expect(fabric('8x-h100-hgx').inNetworkReduction).toBe(true); // NVSwitch with NVLS
    // No system, another device's system or an unknown one: the device's own link, as an estimate on bare h100-sxm
    // devices prices it (it meets the HGX board's NVSwitch: in-network reduction too), not the A100 board's.
    const own = { name: h100.scaleUp!.name, bandwidthBytesPerS: 450e9, latencyS: 1e-6, inNetworkReduction: true };
    for (const other of [undefined, '8x-a100-hgx', 'no-such-system']) expect(fabric(other)).toEqual(own);
    expect(measurementContext(findDevice('l4')!, DEFAULT_EFFICIENCY, 'fp16').links.tp.inNetworkReduction).toBeUndefined();
    // The fit says so in the profile's notes.
    const notes = fitProfile(rows.map((m) => ({ ...m, system: '8x-a100-hgx' })), { createdBy: 'test: stray system', neighbors: false }).notes;
    expect(notes.some((n) => n.includes('"8x-a100-hgx" named by measurements is not a genz system preset of h100-sxm'))).toBe(true);
  });

  it('a row of another system is not "fitted" for calibrate report --except', () => {
    const profile = fitProfile(rows, { createdBy: 'test: except by system', neighbors: false });
    const onHgx = rows.map((m) => ({ ...m, system: '8x-h100-hgx' }));
    const errors = profileErrors(profile, [...rows, ...onHgx], { except: rows });
    expect(errors.find((e) => e.family === 'collective')!.heldOutRows).toBe(onHgx.length);
  });
});

describe('large-GEMM throughput check (synthetic)', () => {
  // A100 fp16 peak 312 TFLOP/s: the gemm rows run at 200 TFLOP/s, the bmm rows alternate between 200 and 50 (a
  // board whose clocks moved); small, memory-bound and short GEMMs (a floor under 100 µs: 4 of the 18 gemm rows) are
  // not counted.
  const device: Device = { id: 'a100-80gb-sxm', name: 'NVIDIA A100', backend: 'cuda' };
  const rows: Measurement[] = [];
  let i = 0;
  for (const m of [1024, 2048, 4096]) for (const n of [2048, 4096, 8192]) for (const k of [2048, 4096]) {
    const flops = 2 * m * n * k;
    rows.push(measurement(device, 'gemm', { m, n, k }, flops / 200e12));
    rows.push(measurement(device, 'batched-gemm', { batch: 4, m, n, k }, (4 * flops) / (i++ % 2 === 0 ? 200e12 : 50e12)));
  }
  rows.push(measurement(device, 'gemm', { m: 1, n: 4096, k: 4096 }, 1e-3), measurement(device, 'gemm', { m: 256, n: 256, k: 256 }, 1e-3));
  const table = largeGemmThroughputTable([fitProfile(rows, { createdBy: 'test: throughput', neighbors: false })], rows);

  it('reports each family\'s achieved TFLOP/s on its large GEMMs and their p90/p10 spread', () => {
    expect(table).toMatch(/\| a100-80gb-sxm \| gemm \| fp16 \| 14 \| 200 \| 200 \| 200 \| 1\.00 \|/);
    expect(table).toMatch(/\| a100-80gb-sxm \| bmm \| fp16 \| 18 \| 50\.0 \| 125 \| 200 \| 4\.00 \|/);
  });
});

describe('run-to-run drift', () => {
  it('pairs the re-timed kernel, dtype and shape (not the variant) and reports |second / first − 1|', () => {
    const cpu: Device = { name: 'AMD EPYC', backend: 'cpu' };
    const first = [10, 20, 30, 40].map((k) => measurement(cpu, 'gemm-blas', { m: 64, n: 64, k }, 1e-3, { dtype: 'fp32' }));
    const second = [
      ...first.map((m, i) => ({ ...m, variant: 'NN', medianS: m.medianS * [1.1, 0.8, 1, 1.5][i]! })),
      measurement(cpu, 'gemm-blas', { m: 64, n: 64, k: 50 }, 1e-3, { dtype: 'fp32' }),
      measurement(cpu, 'gemm-blas', { m: 64, n: 64, k: 10 }, 1e-3, { dtype: 'fp16' }),
    ];
    const table = rerunDriftTable(first, second);
    expect(table.split('\n')).toHaveLength(3);
    expect(table).toMatch(/\| amd-epyc \| gemm-blas \| fp32 \| 4 \| 15\.0 \| 41\.0 \|/);
  });
});

describe('per-dtype curves and collectives (synthetic)', () => {
  const device: Device = { id: 'a100-80gb-sxm', name: 'NVIDIA A100', backend: 'cuda' };
  const a100 = findDevice('a100-80gb-sxm')!;
  const flat = (bias: number, size: number, overheadS: number): CalibrationCurve => ({
    weights: [bias, 0, 0, 0, size, 0, 0, 0, 0], featureMin: new Array(FEATURE_COUNT).fill(-1e9), featureMax: new Array(FEATURE_COUNT).fill(1e9), overheadS,
  });
  const truth = {
    schema: CALIBRATION_SCHEMA_ID, deviceId: a100.id,
    families: { gemm: flat(0.2, 0, 4e-6), collective: flat(0.3, -0.05, 15e-6) },
    byDtype: { gemm: { fp32: flat(0.1, 0.05, 8e-6), fp16: flat(0.6, -0.1, 4e-6) } },
  } as const;
  const rows: Measurement[] = [];
  const timed = (kernel: Measurement['kernel'], shape: Record<string, number>, dtype: Measurement['dtype']): void => {
    const m = measurement(device, kernel, shape, 1, { dtype });
    const priced = measurementOp(m);
    if ('problem' in priced) throw new Error(priced.problem);
    const ctx = measurementContext(a100, DEFAULT_EFFICIENCY, priced.baseDtype);
    rows.push({ ...m, medianS: costOp(priced.op, { ...ctx, calibration: truth }).latencyS });
  };
  for (const dtype of ['fp32', 'fp16'] as const) {
    for (let m = 1; m <= 8192; m *= 2) for (const n of [1024, 4096]) for (const k of [1024, 8192]) timed('gemm', { m, n, k }, dtype);
  }
  for (let elements = 1024; elements <= 2 ** 28; elements *= 2) for (const workers of [2, 4, 8]) timed('all-reduce', { elements, workers, devicesPerNode: 8 }, 'fp16');
  const profile = fitProfile(rows, { createdBy: 'test: dtypes' });

  it('fits one gemm curve per dtype and reports each', () => {
    expect(Object.keys(profile.byDtype!.gemm!).sort()).toEqual(['fp16', 'fp32']);
    const labels = profile.heldOutError.map((e) => `${e.family}${e.dtype ? ` ${e.dtype}` : ''}`);
    expect(labels).toEqual(['gemm', 'gemm fp32', 'gemm fp16', 'collective']);
    for (const e of profile.heldOutError) expect(e.after!.p90AbsPctError, e.family + (e.dtype ?? '')).toBeLessThan(2);
    expect(reportProfile(profile)).toMatch(/\| a100-80gb-sxm \| gemm fp32 \|/);
  });

  it('5-fold cross-validation reports the family and each dtype curve, every row once', () => {
    const cv = crossValidate(rows, profile);
    expect(cv.map((e) => `${e.family}${e.dtype ? ` ${e.dtype}` : ''}`)).toEqual(['gemm', 'gemm fp32', 'gemm fp16', 'collective']);
    const gemm = cv.filter((e) => e.family === 'gemm');
    expect(gemm[1]!.rows + gemm[2]!.rows).toBe(gemm[0]!.rows);
    for (const e of cv) expect(e.p90AbsPctError, `${e.family} ${e.dtype ?? ''}`).toBeLessThan(2);
  });

  it('round-trips dtype curves; a bad dtype key is rejected at its path', () => {
    expect(parseProfile(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
    const bad = structuredClone(profile) as Record<string, any>;
    bad.byDtype.gemm.fp12 = bad.byDtype.gemm.fp16;
    expectGenzError(() => parseProfile(bad), 'invalid_input', ['byDtype', 'gemm', 'fp12']);
  });
});

describe('aligned and misaligned 16-bit GEMM curves (synthetic)', () => {
  // Truth: misaligned fp16 GEMMs (n or k off a multiple of 8) follow a curve of their own, slower and with another
  // size slope; fp32 GEMMs one more. With 40 training rows or more on each side the fp16 curve splits in two.
  const device: Device = { id: 'h100-sxm', name: 'NVIDIA H100 80GB HBM3', backend: 'cuda' };
  const h100 = findDevice('h100-sxm')!;
  const flat = (bias: number, size: number, overheadS: number): CalibrationCurve => ({
    weights: [bias, 0, 0, 0, size, 0, 0, 0, 0], featureMin: new Array(FEATURE_COUNT).fill(-1e9), featureMax: new Array(FEATURE_COUNT).fill(1e9), overheadS,
  });
  const truth: CalibrationCurves = {
    schema: CALIBRATION_SCHEMA_ID, deviceId: h100.id, families: {},
    byDtype: { gemm: { fp32: flat(0.1, 0.05, 8e-6), fp16: { ...flat(0.3, 0, 4e-6), misaligned: flat(1.2, 0.15, 6e-6) } } },
  };
  const priced = pricedOn(h100);
  const timed = (shape: Record<string, number>, dtype: Measurement['dtype']): Measurement => {
    const row = measurement(device, 'gemm', shape, 1, { dtype });
    const { op, ctx } = priced(row);
    return { ...row, medianS: costOp(op, { ...ctx, calibration: truth }).latencyS };
  };
  const rowsWith = (misalignedNs: number[]): Measurement[] => {
    const rows: Measurement[] = [];
    for (let m = 1; m <= 8192; m *= 2) {
      for (const k of [1024, 8192]) {
        for (const n of [1024, 2048, 4096]) rows.push(timed({ m, n, k }, 'fp32'), timed({ m, n, k }, 'fp16'));
        for (const n of misalignedNs) rows.push(timed({ m, n, k: k - 2 }, 'fp16'));
      }
    }
    return rows;
  };
  const rows = rowsWith([1022, 2051, 4099]);
  const profile = fitProfile(rows, { createdBy: 'test: alignment split', neighbors: false });
  const misalign = CALIBRATION_FEATURES.indexOf('misalign');

  it('fits the fp16 GEMMs as two curves (aligned, misaligned) and the fp32 ones as one; each prices its rows', () => {
    const fp16 = profile.byDtype!.gemm!.fp16!;
    expect(fp16.misaligned).toBeDefined();
    expect(fp16.featureMax[misalign]).toBe(0);
    expect(fp16.misaligned!.featureMin[misalign]).toBeGreaterThanOrEqual(0.5);
    expect(profile.byDtype!.gemm!.fp32!.misaligned).toBeUndefined();
    for (const e of profile.heldOutError) expect(e.after!.p90AbsPctError, `${e.family} ${e.dtype ?? ''}`).toBeLessThan(2);
    const curves = profileCurves(profile);
    const op = (n: number, k: number): Op => ({ kind: 'gemm', m: 512, n, k, batch: 1, weightBits: 16, actBits: 16, outBits: 16 } as Op);
    expect(curveFor(curves, h100.id, op(2051, 4096), 'fp16')).toBe(curves.byDtype!.gemm!.fp16!.misaligned);
    expect(curveFor(curves, h100.id, op(2048, 4094), 'bf16')).toBe(curves.byDtype!.gemm!.fp16!.misaligned);
    expect(curveFor(curves, h100.id, op(2048, 4096), 'fp16')).toBe(curves.byDtype!.gemm!.fp16);
  });

  it('cross-validation scores every row once and within the truth', () => {
    const cv = crossValidate(rows, profile);
    const gemm = cv.filter((e) => e.family === 'gemm');
    expect(gemm.map((e) => e.dtype ?? '')).toEqual(['', 'fp32', 'fp16']);
    expect(gemm[1]!.rows + gemm[2]!.rows).toBe(gemm[0]!.rows);
    for (const e of gemm) expect(e.p90AbsPctError, e.dtype ?? 'all').toBeLessThan(2);
  });

  it('with neighbour tables: the table of each side holds its own rows (category digit 1 on the misaligned curve, 0 on the aligned)', () => {
    const { rows: fitted } = fitRows(rows, h100, h100.id, 0);
    const parts = chooseCurveParts(fitted, h100.id);
    expect([...parts.alignmentSplit!]).toEqual(['gemm/fp16']);
    expect(parts.scored!.has('gemm/fp16/misaligned')).toBe(true);
    // Every part on (fitCurves' default): both fp16 curves carry a table, each of its own rows.
    const fp16 = fitCurves(fitted, () => true, h100.id).byDtype!.gemm!.fp16!;
    expect(fp16.neighbors!.points).toHaveLength(rows.filter((r) => r.dtype === 'fp16' && r.shape.n! % 8 === 0 && r.shape.k! % 8 === 0).length);
    expect(fp16.misaligned!.neighbors!.points).toHaveLength(rows.filter((r) => r.dtype === 'fp16' && (r.shape.n! % 8 !== 0 || r.shape.k! % 8 !== 0)).length);
    for (const [curve, digit] of [[fp16, 0], [fp16.misaligned!, 1]] as const) {
      for (const p of curve.neighbors!.points) expect(p[0]! % 10).toBe(digit);
    }
  });

  it('a family of one dtype (no dtype curves) is not split, and its choice makes no misaligned curve key', () => {
    const fp16Only = rows.filter((r) => r.dtype === 'fp16');
    const { rows: fitted } = fitRows(fp16Only, h100, h100.id, 0);
    expect(chooseCurveParts(fitted, h100.id).alignmentSplit!.size).toBe(0);
    const one = fitProfile(fp16Only, { createdBy: 'test: alignment, one dtype', neighbors: false });
    expect(one.byDtype).toBeUndefined();
    expect(one.families.gemm!.misaligned).toBeUndefined();
  });

  it('keeps one fp16 curve where the misaligned rows are too few for a curve of their own', () => {
    const few = fitProfile(rowsWith([2051]), { createdBy: 'test: alignment, few', neighbors: false });
    expect(few.byDtype!.gemm!.fp16!.misaligned).toBeUndefined();
  });

  it('round-trips through the profile text; a misaligned curve anywhere but a 16-bit GEMM dtype curve is rejected at its path', () => {
    expect(parseProfileText(profileText(profile))).toEqual(profile);
    const sub = profile.byDtype!.gemm!.fp16!.misaligned!;
    const onFamily = structuredClone(profile) as Record<string, any>;
    onFamily.families.gemm.misaligned = sub;
    expectGenzError(() => parseProfile(onFamily), 'invalid_input', ['families', 'gemm', 'misaligned']);
    const onFp32 = structuredClone(profile) as Record<string, any>;
    onFp32.byDtype.gemm.fp32.misaligned = sub;
    expectGenzError(() => parseProfile(onFp32), 'invalid_input', ['byDtype', 'gemm', 'fp32', 'misaligned']);
    const nested = structuredClone(profile) as Record<string, any>;
    nested.byDtype.gemm.fp16.misaligned.misaligned = sub;
    expectGenzError(() => parseProfile(nested), 'invalid_input', ['byDtype', 'gemm', 'fp16', 'misaligned', 'misaligned']);
    const short = structuredClone(profile) as Record<string, any>;
    short.byDtype.gemm.fp16.misaligned.weights.pop();
    expectGenzError(() => parseProfile(short), 'invalid_input', ['byDtype', 'gemm', 'fp16', 'misaligned', 'weights']);
  });
});

describe("kernels-ref's shape keys", () => {
  const ref: Device = { name: 'Test CPU', backend: 'cpu' };
  const op = (kernel: Measurement['kernel'], shape: Record<string, number>) => {
    const priced = measurementOp(measurement(ref, kernel, shape, 1, { source: 'kernels-ref', dtype: 'fp32' }));
    if ('problem' in priced) throw new Error(priced.problem);
    return priced.op;
  };

  it('gemv {m: W rows, k} is one token against an m × k weight', () => {
    expect(op('gemv', { m: 4096, k: 11008 })).toMatchObject({ kind: 'gemm', m: 1, n: 4096, k: 11008, batch: 1 });
    expect(op('gemv', { m: 2, n: 4096, k: 4096 })).toMatchObject({ m: 2, n: 4096 }); // with n given, m is tokens
  });

  it('add {n} is n elements; a row-wise {M, n} is rows × cols, not n', () => {
    expect(op('add', { n: 1 << 20 })).toMatchObject({ kind: 'elementwise', elements: 1 << 20, readsPerElement: 2 });
    expect(op('rmsnorm', { M: 128, N: 4096 })).toMatchObject({ elements: 128 * 4096 });
    expect(op('softmax', { rows: 16, cols: 1024, n: 7 })).toMatchObject({ elements: 16 * 1024 });
  });

  it('a gemv and a BLAS GEMM of the same problem compete; the slower is left out', () => {
    const gemv = measurement(ref, 'gemv', { m: 4096, k: 4096 }, 2e-3, { source: 'kernels-ref', dtype: 'fp32' });
    const blas = measurement(ref, 'gemm-blas', { m: 1, n: 4096, k: 4096 }, 3e-3, { source: 'kernels-ref', dtype: 'fp32' });
    expect(fastestImplementations([gemv, blas]).kept).toEqual([gemv]);
    // The layout is part of the problem: kernels-ref's TN call (what gemv computes) meets gemv, its NN call does not.
    const tn = { ...blas, variant: 'TN', layout: 'TN' as const };
    const nn = { ...blas, variant: 'NN', layout: 'NN' as const, medianS: 1e-3 };
    expect(fastestImplementations([gemv, tn, nn]).kept).toEqual([gemv, nn]);
    // Public datasets' GEMMs never compete (each row is its own problem, e.g. DeepBench's layout variants).
    const a = measurement(ref, 'gemm', { m: 16, n: 4096, k: 4096 }, 2e-3, { source: 'deepbench', dtype: 'fp32', variant: 'NN', layout: 'NN' });
    const b = { ...a, variant: 'TN', layout: 'TN' as const, medianS: 3e-3 };
    expect(fastestImplementations([a, b]).kept).toHaveLength(2);
  });
});

describe('a device without a preset (the CI CPU)', () => {
  const cpu: Device = { name: 'AMD EPYC 7B13 64-Core Processor', backend: 'cpu' };
  const rows: Measurement[] = [];
  for (const size of [64, 128, 256, 512, 1024]) {
    const flops = 2 * size ** 3;
    // ~100 GFLOP/s at large sizes, less when small.
    rows.push(measurement(cpu, 'gemm-blas', { m: size, n: size, k: size }, flops / (100e9 * size / (size + 64)) + 20e-6, { dtype: 'fp32', flops, bytes: 12 * size * size }));
  }
  for (let bytes = 2 ** 16; bytes <= 2 ** 30; bytes *= 4) {
    rows.push(measurement(cpu, 'memcpy', { bytes }, bytes / 20e9 + 5e-6, { dtype: 'fp32', bytes }));
    rows.push(measurement(cpu, 'add', { elements: bytes / 4 }, (3 * bytes) / 15e9 + 5e-6, { dtype: 'fp32', bytes: 3 * bytes }));
  }
  const profile = fitProfile(rows, { createdBy: 'test: cpu' });

  it('embeds a device spec built from the best achieved rates, and says so', () => {
    expect(profile.deviceId).toBe('amd-epyc-7b13-64-core-processor');
    expect(profile.device!.kind).toBe('cpu');
    expect(profile.device!.peakFlopsPerS.fp32).toBeGreaterThan(80e9);
    expect(profile.device!.peakFlopsPerS.fp32).toBeLessThan(100e9);
    expect(profile.device!.memory[0]!.bandwidthBytesPerS).toBeGreaterThan(15e9);
    expect(profile.notes.join(' ')).toMatch(/no genz preset/);
    expect(profile.skippedRows).toBe(rows.filter((r) => r.kernel === 'memcpy').length);
    expect(Object.keys(profile.families).sort()).toEqual(['elementwise', 'gemm']);
    expect(reportProfile(parseProfile(JSON.parse(JSON.stringify(profile))), rows, { rows: 'all' })).toMatch(/\| amd-epyc-7b13-64-core-processor \| gemm \| — \| 5 \|/);
  });

  it("fits the GEMM curve on the vendor BLAS: kernels-ref's hand-written GEMMs of other shapes are left out, with a note", () => {
    const hand = [
      measurement(cpu, 'batched-gemm', { batch: 8, m: 256, n: 256, k: 256 }, 5e-3, { source: 'kernels-ref', dtype: 'fp32', flops: 2 * 8 * 256 ** 3 }),
      measurement(cpu, 'flat-gemm', { m: 8, n: 4096, k: 4096 }, 9e-3, { source: 'kernels-ref', dtype: 'fp32', flops: 2 * 8 * 4096 ** 2 }),
      // A hand kernel that beats the BLAS on the BLAS's own shape stays (the library would be beaten there too).
      measurement(cpu, 'gemm-smem', { m: 64, n: 64, k: 64 }, 1e-6, { source: 'kernels-ref', dtype: 'fp32', flops: 2 * 64 ** 3 }),
    ];
    const blas = rows.map((r) => ({ ...r, source: 'kernels-ref' }));
    const { kept, handWritten } = fastestImplementations([...blas, ...hand]);
    expect(handWritten).toBe(2);
    expect(kept.filter((m) => m.kernel === 'gemm-smem')).toHaveLength(1);
    expect(kept.filter((m) => m.kernel === 'gemm-blas' && m.shape.m === 64)).toHaveLength(0);
    expect(fitProfile([...blas, ...hand], { createdBy: 'x' }).notes.join(' ')).toMatch(/2 rows of kernels-ref's hand-written GEMM kernels/);
    // Without a BLAS on that datapath the hand kernels are all there is, and they stay.
    expect(fastestImplementations(hand).handWritten).toBe(0);
  });

  it("kernels-ref's own attention, softmax and norm kernels count on a CPU, not on a GPU (teaching kernels there), with a note", () => {
    const gpu: Device = { id: 'h100-sxm', name: 'NVIDIA H100 80GB HBM3', backend: 'cuda' };
    const own = (d: Device): Measurement[] => [
      measurement(d, 'attention-flash', { batch: 1, heads: 32, kvHeads: 8, q: 512, kv: 512, d: 128, causal: 1 }, 1e-3, { source: 'kernels-ref', dtype: 'fp32' }),
      measurement(d, 'rmsnorm', { rows: 16, cols: 4096 }, 1e-5, { source: 'kernels-ref', dtype: 'fp32' }),
    ];
    expect(fastestImplementations(own(cpu))).toMatchObject({ ownKernels: 0, dropped: 0 });
    const onGpu = fastestImplementations([...own(gpu), measurement(gpu, 'add', { n: 1 << 20 }, 1e-5, { source: 'kernels-ref', dtype: 'fp32' })]);
    expect(onGpu).toMatchObject({ ownKernels: 2, dropped: 0 });
    expect(onGpu.kept.map((m) => m.kernel)).toEqual(['add']);
    // Public data of the same families (Vidur's FlashAttention, LLMCompass's layernorm) is what runs in production: kept.
    expect(fastestImplementations(own(gpu).map((m) => ({ ...m, source: 'vidur' }))).ownKernels).toBe(0);
    const gemms = [256, 512, 1024, 2048].map((s) => measurement(gpu, 'gemm-blas', { m: s, n: s, k: s }, 2 * s ** 3 / 5e14 + 5e-6, { source: 'kernels-ref', flops: 2 * s ** 3 }));
    const profile = fitProfile([...gemms, ...own(gpu)], { createdBy: 'x' });
    expect(profile.notes.join(' ')).toMatch(/2 rows of kernels-ref's own GPU attention, softmax and norm kernels left out/);
    // They are still reported: time over the roofline floor and the defaults' error, per kernel and dtype.
    const table = ownKernelsTable([profile], [...gemms, ...own(gpu)]);
    expect(table.split('\n').filter((l) => l.startsWith('| h100-sxm |')).map((l) => l.split(' | ')[1])).toEqual(['attention-flash', 'rmsnorm']);
  });

  it('needs GEMM rows to infer peaks', () => {
    expectGenzError(() => fitProfile(rows.filter((r) => r.kernel !== 'gemm-blas'), { createdBy: 'x' }), 'invalid_input', ['hardware']);
  });
});

describe('options', () => {
  it('several devices need a deviceId', () => {
    expectGenzError(() => fitProfile(vidur, { createdBy: 'x' }), 'invalid_input', ['deviceId']);
    expectGenzError(() => fitProfile(vidur, { createdBy: 'x', deviceId: 'h100-sxm' }), 'invalid_input', ['deviceId']);
  });

  it('an unknown --hardware names the closest preset', () => {
    const e = expectGenzError(() => fitProfile(vidur, { createdBy: 'x', deviceId: 'a40', hardware: 'a4O' }), 'unknown_id', ['hardware']);
    expect(e.message).toMatch(/a40/);
  });

  it("a profile scores its own device's rows only; a --hardware fit remembers the device it measured", () => {
    const v100 = parseProfileText(readFileSync(new URL('../../data/profiles/v100.json', import.meta.url), 'utf8'));
    const deepbench = IMPORTERS.deepbench(readFileSync(new URL('../../data/deepbench_gemm_results.csv', import.meta.url), 'utf8'), 'd')
      .filter((m) => m.device.id === 'v100');
    // The same rows as another board's, one genz has no preset for (a kept-back DeepBench file may hold a TITAN Xp).
    const titan = deepbench.map((m) => ({ ...m, device: { name: 'NVIDIA TitanXp', backend: m.device.backend } }));
    expectGenzError(() => profileErrors(v100, titan), 'invalid_input', ['measurements']);
    const fitted = fitProfile(titan, { createdBy: 'x', hardware: 'v100' });
    expect(fitted).toMatchObject({ deviceId: 'v100', measuredDeviceId: 'nvidia-titanxp' });
    const titanRows = profileErrors(fitted, titan).find((e) => e.family === 'gemm' && e.dtype === undefined)!;
    expect(titanRows.heldOutRows).toBeGreaterThan(0);
    // Beside the real V100's rows, each profile takes its own board's: the same counts as alone.
    const mixed = [...titan, ...deepbench];
    expect(profileErrors(fitted, mixed).find((e) => e.family === 'gemm' && e.dtype === undefined)).toEqual(titanRows);
    expect(profileErrors(v100, mixed)).toEqual(profileErrors(v100, deepbench));
    expect(crossValidatedRows(mixed, fitted, 5).length).toBe(crossValidatedRows(titan, fitted, 5).length);
    expect(reportProfile([v100, fitted], mixed)).toMatch(/\| v100 \(rows of nvidia-titanxp\) \| gemm \|/);
    expect(parseProfileText(profileText(fitted))).toEqual(fitted);
    // The V100's own profile names no measured device: its rows match by id.
    expect(v100).not.toHaveProperty('measuredDeviceId');
    expect(profileErrors(v100, deepbench).length).toBeGreaterThan(0);
  });
});

describe('profile schema', () => {
  const good = byDevice('a100-80gb-sxm');

  it('round-trips through JSON and the schema', () => {
    expect(parseProfileText(JSON.stringify(good, null, 2))).toEqual(good);
  });

  const broken = (edit: (p: Record<string, any>) => void): unknown => {
    const copy = structuredClone(good) as Record<string, any>;
    edit(copy);
    return copy;
  };

  it.each([
    ['short weights', (p: Record<string, any>) => { p.families.gemm.weights.pop(); }, ['families', 'gemm', 'weights']],
    ['negative overhead', (p: Record<string, any>) => { p.families.norm.overheadS = -1e-6; }, ['families', 'norm', 'overheadS']],
    ['minSlowdown below 1', (p: Record<string, any>) => { p.families.norm.minSlowdown = 0.5; }, ['families', 'norm', 'minSlowdown']],
    ['minSlowdown below 1 on a dtype curve', (p: Record<string, any>) => { p.byDtype = { gemm: { fp16: { ...p.families.gemm, minSlowdown: 0.9 } } }; }, ['byDtype', 'gemm', 'fp16', 'minSlowdown']],
    ['NaN weight', (p: Record<string, any>) => { p.families.gemm.weights[2] = Number.NaN; }, ['families', 'gemm', 'weights', 2]],
    ['min above max', (p: Record<string, any>) => { p.families.gemm.featureMin[4] = 99; }, ['families', 'gemm', 'featureMin', 4]],
    ['unknown family', (p: Record<string, any>) => { p.families.matmul = p.families.gemm; }, ['families', 'matmul']],
    ['other features', (p: Record<string, any>) => { p.features = ['size']; }, ['features']],
    ['fewer features than weights', (p: Record<string, any>) => { p.features = ['bias']; }, ['families', 'gemm', 'weights']],
    ['wrong schema', (p: Record<string, any>) => { p.schema = 'genz.calibration.v0'; }, ['schema']],
    ['missing createdBy', (p: Record<string, any>) => { delete p.createdBy; }, ['createdBy']],
    ['bad embedded device', (p: Record<string, any>) => { p.device = { ...findDevice('a40')!, memory: [] }; }, ['device', 'memory']],
  ])('%s → GenzError at the field', (_name, edit, path) => {
    expectGenzError(() => parseProfile(broken(edit)), 'invalid_input', path);
  });

  it("a profile of an earlier genz (a leading part of today's features) parses and prices as if the new weights were 0", () => {
    const old = structuredClone(good) as Record<string, any>;
    const kept = CALIBRATION_FEATURES.indexOf('transW');
    old.features = old.features.slice(0, kept);
    const zeroed = structuredClone(good) as Record<string, any>;
    for (const curve of Object.values(old.families) as Record<string, number[]>[]) {
      for (const key of ['weights', 'featureMin', 'featureMax']) curve[key] = curve[key]!.slice(0, kept);
    }
    for (const curve of Object.values(zeroed.families) as Record<string, number[]>[]) curve.weights!.fill(0, kept);
    const a100 = findDevice('a100-80gb-sxm')!;
    const ctx = measurementContext(a100, DEFAULT_EFFICIENCY, 'fp16');
    const parsedOld = profileCurves(parseProfile(old));
    const parsedZeroed = profileCurves(parseProfile(zeroed));
    for (const m of vidur.filter((x) => x.device.id === a100.id).slice(0, 200)) {
      const p = measurementOp(m);
      if ('problem' in p) throw new Error(p.problem);
      expect(costOp(p.op, { ...ctx, calibration: parsedOld }).latencyS).toBe(costOp(p.op, { ...ctx, calibration: parsedZeroed }).latencyS);
    }
  });

  it('a profile of an earlier genz fitted on DeepBench rows (M and N read the other way round then) is refused with the reason', () => {
    const old = structuredClone(good) as Record<string, any>;
    const kept = CALIBRATION_FEATURES.indexOf('transW');
    old.features = old.features.slice(0, kept);
    for (const curve of Object.values(old.families) as Record<string, number[]>[]) {
      for (const key of ['weights', 'featureMin', 'featureMax']) curve[key] = curve[key]!.slice(0, kept);
    }
    old.measurementSources = ['deepbench'];
    const e = expectGenzError(() => parseProfile(old), 'invalid_input', ['measurementSources']);
    expect(e.message).toMatch(/refit/);
  });

  it('text that is not JSON is invalid_json', () => {
    expectGenzError(() => parseProfileText('{"schema": '), 'invalid_json', ['profile']);
  });
});

describe('cross-validation repeats the procedure that made the profile', () => {
  // A fit allowed tables may keep none (inner folds found none helped); its cross-validation must still let each
  // fold choose tables, as the fit did, and not read "no table kept" as "fitted without tables".
  const shipped = JSON.parse(readFileSync('data/profiles/amd-epyc.json', 'utf8')) as CalibrationProfile;
  const strip = (c: CalibrationCurve | undefined): CalibrationCurve | undefined => (c === undefined ? undefined : { ...c, neighbors: undefined });
  const profile: CalibrationProfile = { ...shipped, families: Object.fromEntries(Object.entries(shipped.families).map(([f, c]) => [f, strip(c)])) };
  const measurements = readFileSync('data/kernels-ref-cpu-ci.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Measurement);

  it('a profile fitted with tables allowed is cross-validated with them, whether or not a curve kept one', () => {
    expect(shipped.neighborTables).toBe(true);
    const gemm = (p: CalibrationProfile) => crossValidate(measurements, p, 5).find((x) => x.family === 'gemm' && x.dtype === undefined)!;
    // The same curves, no table kept: allowed (today's profiles) and inferred (a profile before the field) differ.
    expect(gemm(profile)).not.toEqual(gemm({ ...profile, neighborTables: undefined }));
    expect(gemm({ ...profile, neighborTables: false })).toEqual(gemm({ ...profile, neighborTables: undefined }));
  });

  it('depends on the device and table choice of the profile, not its curves: a repeat call gives the same rows, unshared', () => {
    const first = crossValidatedRows(measurements, shipped, 5);
    const noCurves = crossValidatedRows(measurements, { ...shipped, families: {}, byDtype: undefined }, 5);
    expect(noCurves).toEqual(first);
    first.length = 0;
    expect(crossValidatedRows(measurements, shipped, 5)).toEqual(noCurves);
    // Another salt, another device choice or other measurements are other results.
    expect(crossValidatedRows(measurements, shipped, 5, 'draw 1|')).not.toEqual(noCurves);
    expect(crossValidatedRows(measurements, { ...shipped, neighborTables: false }, 5)).not.toEqual(noCurves);
    const firstBlas = measurements.findIndex((m) => m.kernel === 'gemm-blas');
    expect(crossValidatedRows(measurements.filter((_, i) => i !== firstBlas), shipped, 5)).toHaveLength(noCurves.length - 1);
  });
});
