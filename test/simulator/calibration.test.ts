// Calibration curves in the roofline backend: family mapping, never below the roofline floor (whatever the
// weights), parts sum to the total, features clamped to the fitted range, curves of another device ignored.
import { describe, expect, it } from 'vitest';
import { findDevice, IDEAL_EFFICIENCY, DEFAULT_EFFICIENCY, type CostContext, type Op, type OpCost } from '../../index.ts';
import {
  CALIBRATION_SCHEMA_ID, FEATURE_COUNT, calibratedLatencyS, calibrationFamily, calibrationFeature, curveFor, neighborCategory, type CalibrationCurve, type CalibrationCurves,
} from '../../simulator/calibration.ts';
import { energyRates } from '../../simulator/energy.ts';
import { costOp } from '../../simulator/roofline/roofline-backend.ts';

const device = findDevice('h100-sxm')!;
const link = { name: 'nvlink', bandwidthBytesPerS: 450e9, latencyS: 2e-6 };
const ctx: CostContext = {
  device, efficiency: DEFAULT_EFFICIENCY, energy: energyRates(device), links: { tp: link, ep: link, pp: link, dp: link }, baseDtype: 'bf16',
};
const base = { name: 'op', scope: 'layer' as const, block: 'mlp' as const, count: 1 };

const OPS: Op[] = [];
for (const m of [1, 7, 64, 512, 4096, 32768]) {
  for (const [n, k] of [[128, 128], [4096, 4096], [28672, 8192]] as const) {
    OPS.push({ ...base, kind: 'gemm', m, n, k, batch: 1, weightBits: 16, actBits: 16, outBits: 16 });
    OPS.push({ ...base, kind: 'gemm', m, n, k, batch: 4, weightBits: 4, actBits: 16, outBits: 16 });
  }
}
for (const [queryLen, kvLen] of [[1, 128], [1, 32768], [512, 512], [4096, 8192]] as const) {
  for (const flash of [true, false]) {
    OPS.push({ ...base, kind: 'attention', batch: 8, queryLen, kvLen, numHeads: 32, numKvHeads: 8, headDim: 128, causal: true, flash, actBits: 16, kvBits: 16 });
  }
}
for (const fn of ['add', 'silu-mul', 'rmsnorm', 'layernorm', 'softmax', 'rope'] as const) {
  // Row-wise ops carry their row length, as the graph builders give it (models/emitter.ts).
  const rowWise = fn === 'rmsnorm' || fn === 'layernorm' || fn === 'softmax';
  for (const elements of [1, 4096, 1 << 24]) {
    OPS.push({ ...base, kind: 'elementwise', fn, elements, readsPerElement: 1, writesPerElement: 1, flopsPerElement: 5, bits: 16, ...(rowWise ? { rowLength: Math.min(elements, 4096) } : {}) });
  }
}
for (const rows of [1, 4096]) OPS.push({ ...base, kind: 'gather', rows, width: 8192, bits: 16 });
for (const bytes of [1e3, 1e6, 1e9]) OPS.push({ ...base, block: 'comm', kind: 'collective', collective: 'all-reduce', group: 'tp', groupSize: 8, bytes });

const wide = (v: number): number[] => new Array<number>(FEATURE_COUNT).fill(v);
/** Weights padded with zeros to the feature count. */
const w = (...values: number[]): number[] => [...values, ...wide(0)].slice(0, FEATURE_COUNT);
function curve(weights: number[], overheadS = 3e-6, featureMin = wide(-10), featureMax = wide(10)): CalibrationCurve {
  return { weights, featureMin, featureMax, overheadS };
}
const allFamilies = (c: CalibrationCurve): CalibrationCurves => ({
  schema: CALIBRATION_SCHEMA_ID, deviceId: device.id,
  families: { gemm: c, attention: c, softmax: c, norm: c, elementwise: c, embedding: c, collective: c },
});

const floorOf = (op: Op, context: CostContext = ctx): number => {
  const ideal = costOp(op, { ...context, calibration: undefined, efficiency: IDEAL_EFFICIENCY });
  return Math.max(ideal.computeS, ideal.memoryS, ideal.networkS);
};

describe('calibration family of an op', () => {
  it('maps genz ops to families', () => {
    const families = OPS.map((op) => `${op.kind}${op.kind === 'elementwise' ? `:${op.fn}` : ''}${op.kind === 'gemm' ? `×${op.batch}` : ''}=${calibrationFamily(op)}`);
    expect(new Set(families)).toEqual(new Set([
      'gemm×1=gemm', 'gemm×4=bmm', 'attention=attention', 'elementwise:add=elementwise', 'elementwise:silu-mul=elementwise', 'elementwise:rope=elementwise',
      'elementwise:rmsnorm=norm', 'elementwise:layernorm=norm', 'elementwise:softmax=softmax', 'gather=embedding', 'collective=collective',
    ]));
  });
});

describe('batched GEMMs (bmm)', () => {
  const op = (batch: number): Op => ({ name: 'g', scope: 'layer', block: 'mlp', count: 1, kind: 'gemm', m: 256, n: 256, k: 256, batch, weightBits: null, actBits: 16, outBits: 16 });
  const curve = (bias: number): CalibrationCurve => ({ weights: w(bias), featureMin: wide(-1e9), featureMax: wide(1e9), overheadS: 0 });
  const gemm = curve(0.1);
  const bmm = curve(0.7);

  it('a bmm curve prices batched GEMMs only; without one the gemm curve prices them', () => {
    const both: CalibrationCurves = { schema: CALIBRATION_SCHEMA_ID, deviceId: 'a100-80gb-sxm', families: { gemm, bmm } };
    expect(curveFor(both, 'a100-80gb-sxm', op(1), 'fp16')).toBe(gemm);
    expect(curveFor(both, 'a100-80gb-sxm', op(8), 'fp16')).toBe(bmm);
    const gemmOnly: CalibrationCurves = { schema: CALIBRATION_SCHEMA_ID, deviceId: 'a100-80gb-sxm', families: { gemm } };
    expect(curveFor(gemmOnly, 'a100-80gb-sxm', op(8), 'fp16')).toBe(gemm);
    // The bmm family's own curve comes before gemm's dtype curves; on a datapath it was not fitted on, neither applies.
    const byDtype: CalibrationCurves = { ...both, families: { bmm: { ...bmm, dtypes: ['fp16'] } }, byDtype: { gemm: { fp16: gemm } } };
    expect(curveFor(byDtype, 'a100-80gb-sxm', op(8), 'fp16')).toMatchObject({ weights: bmm.weights });
    expect(curveFor(byDtype, 'a100-80gb-sxm', op(8), 'fp32')).toBeUndefined();
  });
});

/** An op its family's curve does not price (outside its fitted range): the defaults' cost, said to be so. */
function outsideCurve(priced: OpCost, defaults: OpCost): void {
  expect(priced.pricedBy).toBe('outside-curve');
  expect(defaults.pricedBy).toBe('factors');
  expect({ ...priced, pricedBy: undefined }).toEqual({ ...defaults, pricedBy: undefined });
}

describe('calibrated cost', () => {
  const cases: [string, number[]][] = [
    ['zero weights', wide(0)],
    ['negative weights (would be faster than the floor)', wide(-1)],
    ['positive weights', w(0.4, 0.2, 0.1, 1, -0.05, -0.1, 0.05, 0.02, -0.03)],
    ['mixed', w(1, -3, 2, -4, 0.5, -0.7, 0.3, -0.2, 0.1)],
  ];
  for (const [name, weights] of cases) {
    it(`never below the roofline floor: ${name}`, () => {
      const calibration = allFamilies(curve(weights));
      for (const op of OPS) {
        const c = costOp(op, { ...ctx, calibration });
        const floor = floorOf(op);
        expect(c.latencyS, op.name).toBeGreaterThanOrEqual(floor);
        expect(Number.isFinite(c.latencyS)).toBe(true);
        // A dequantizing GEMM (4-bit weights on the 16-bit datapath) is no curve's: the default efficiencies price it.
        if (op.kind === 'gemm' && op.weightBits !== null && op.weightBits < op.actBits) {
          expect(c.latencyS).toBe(costOp(op, ctx).latencyS);
          continue;
        }
        // Parts sum to the total, and the latency is the curve's.
        expect(c.latencyS).toBeCloseTo(Math.max(c.computeS, c.memoryS, c.networkS) + c.overheadS, 15);
        const ideal = costOp(op, { ...ctx, efficiency: IDEAL_EFFICIENCY });
        const kernels = op.kind === 'attention' && !op.flash ? 3 : 1;
        expect(c.latencyS / calibratedLatencyS(curve(weights), op, ideal.computeS, ideal.memoryS, ideal.networkS, kernels, ctx.device.computeUnits ?? 0, ideal.computeDtype)).toBeCloseTo(1, 12);
      }
    });
  }

  it('an unfused attention pays the overhead once per kernel', () => {
    const calibration = allFamilies(curve(wide(0), 5e-6));
    const unfused = OPS.find((op) => op.kind === 'attention' && !op.flash)!;
    expect(costOp(unfused, { ...ctx, calibration }).overheadS).toBeCloseTo(15e-6, 12);
  });

  it('shape features are clamped to the fitted range: no wild extrapolation', () => {
    // Balance (index 1) and size (index 4) span everything; the shape feature m (index 5) was fitted on [0, 1].
    const min = [0, -3, 0, 0, -6, 0, 0, 0, 0];
    const max = [1, 3, 9, 1, 12, 1, 1, 1, 1];
    const narrow = curve(w(0.2, 0, 0, 0, 0, 0.5), 0, min, max);
    const calibration = allFamilies(narrow);
    const big: Op = { ...base, kind: 'gemm', m: 65536, n: 65536, k: 65536, batch: 1, weightBits: 16, actBits: 16, outBits: 16 };
    expect(costOp(big, { ...ctx, calibration }).latencyS / floorOf(big)).toBeCloseTo(Math.exp(0.2 + 0.5), 10);
  });

  it('an op outside the balance or size the curve was fitted on keeps the default efficiencies', () => {
    const fittedOnSmall = curve(w(1), 0, [0, -3, 0, 0, -1, 0, 0, 0, 0], [1, 3, 9, 1, 1, 1, 1, 1, 1]); // ops of 0.1–10 µs
    const big: Op = { ...base, kind: 'gemm', m: 16384, n: 16384, k: 16384, batch: 1, weightBits: 16, actBits: 16, outBits: 16 };
    outsideCurve(costOp(big, { ...ctx, calibration: allFamilies(fittedOnSmall) }), costOp(big, ctx));
  });

  it('on a GPU an op the curve does not price pays at least its floor plus the curve\'s per-kernel overhead; not on a CPU', () => {
    // Fitted on 1–100 ms GEMMs with a 30 µs overhead: a small GEMV lies below its sizes.
    const fittedOnBig = curve(w(1), 30e-6, [0, -3, 0, 0, 3, 0, 0, 0, 0], [1, 3, 9, 1, 5, 1, 1, 1, 1]);
    const gemv: Op = { ...base, kind: 'gemm', m: 1, n: 4096, k: 4096, batch: 1, weightBits: 16, actBits: 16, outBits: 16 };
    const priced = costOp(gemv, { ...ctx, calibration: allFamilies(fittedOnBig) });
    const defaults = costOp(gemv, ctx);
    expect(priced.latencyS).toBeCloseTo(Math.max(defaults.latencyS, floorOf(gemv) + 30e-6), 12);
    expect(priced.latencyS).toBeGreaterThan(defaults.latencyS);
    // The busy time is the defaults' (no extrapolated slowdown); the floor lifts the overhead alone.
    expect(priced.computeS).toBe(defaults.computeS);
    expect(priced.memoryS).toBe(defaults.memoryS);
    expect(priced.bound).toBe('overhead');
    expect(priced.pricedBy).toBe('outside-curve');
    // A CPU keeps the range guard as it was: the defaults alone.
    const cpu = { ...device, kind: 'cpu' as const };
    outsideCurve(costOp(gemv, { ...ctx, device: cpu, calibration: { ...allFamilies(fittedOnBig) } }), costOp(gemv, { ...ctx, device: cpu }));
  });

  it('an op above the size of a curve fitted up to saturated ops (floors of 1 ms and more) is priced by the curve', () => {
    // Size (index 4) is log10 of the floor in µs: fitted on 0.1 ms – 10 ms ops, the curve prices a 4-second GEMM at its
    // edge slowdown (e^0.2 here); fitted up to 0.1 ms only, the defaults price it.
    const saturated = curve(w(0.2), 0, [0, -3, 0, 0, 2, 0, 0, 0, 0], [1, 3, 9, 1, 4, 1, 1, 1, 1]);
    const unsaturated = curve(w(0.2), 0, [0, -3, 0, 0, 0, 0, 0, 0, 0], [1, 3, 9, 1, 2, 1, 1, 1, 1]);
    const big: Op = { ...base, kind: 'gemm', m: 65536, n: 65536, k: 65536, batch: 1, weightBits: 16, actBits: 16, outBits: 16 };
    expect(Math.log10(floorOf(big) / 1e-6)).toBeGreaterThan(4.5);
    expect(costOp(big, { ...ctx, calibration: allFamilies(saturated) }).latencyS / floorOf(big)).toBeCloseTo(Math.exp(0.2), 10);
    outsideCurve(costOp(big, { ...ctx, calibration: allFamilies(unsaturated) }), costOp(big, ctx));
    // Below the fitted sizes (beyond the slack) the defaults still price an op.
    const small: Op = { ...big, m: 8, n: 8, k: 8 };
    outsideCurve(costOp(small, { ...ctx, calibration: allFamilies(saturated) }), costOp(small, ctx));
  });

  it('a family without a curve keeps the default efficiencies, and curves of another device are ignored', () => {
    const only = { schema: CALIBRATION_SCHEMA_ID, deviceId: device.id, families: { gemm: curve(wide(0.3)) } } as const;
    const attention = OPS.find((op) => op.kind === 'attention')!;
    expect(costOp(attention, { ...ctx, calibration: only })).toEqual(costOp(attention, ctx));
    const gemm = OPS[20]!;
    expect(costOp(gemm, { ...ctx, calibration: only }).latencyS).not.toBe(costOp(gemm, ctx).latencyS);
    expect(costOp(gemm, { ...ctx, calibration: { ...only, deviceId: 'a100-80gb-sxm' } })).toEqual(costOp(gemm, ctx));
  });

  it('a curve of the op\'s compute dtype is used before the family curve', () => {
    const fp8Only = { schema: CALIBRATION_SCHEMA_ID, deviceId: device.id, families: { gemm: curve(wide(0)) }, byDtype: { gemm: { fp8: curve(w(1), 0) } } } as const;
    const bf16: Op = { ...base, kind: 'gemm', m: 4096, n: 4096, k: 4096, batch: 1, weightBits: 16, actBits: 16, outBits: 16 };
    const fp8: Op = { ...bf16, weightBits: 8, actBits: 8 };
    const fp8Ctx = { ...ctx, baseDtype: 'fp8' as const, calibration: fp8Only };
    expect(costOp(fp8, fp8Ctx).latencyS).toBeCloseTo(floorOf(fp8, fp8Ctx) * Math.E, 12);
    expect(costOp(bf16, { ...ctx, calibration: fp8Only }).latencyS).toBeCloseTo(floorOf(bf16) + 3e-6, 12);
  });

  it('a collective curve may price under the floor, down to its minSlowdown, and only the kinds it was fitted on', () => {
    // ln 0.5 below the floor everywhere; minSlowdown 0.7 stops it at 0.7 × floor. A GEMM curve alike stops at the floor.
    const below: CalibrationCurve = { ...curve(w(Math.log(0.5)), 0), minSlowdown: 0.7, collectives: ['all-reduce', 'p2p'] };
    const calibration = allFamilies(below);
    const allReduce: Op = { ...base, block: 'comm', kind: 'collective', collective: 'all-reduce', group: 'tp', groupSize: 8, bytes: 1e9 };
    expect(costOp(allReduce, { ...ctx, calibration }).latencyS / floorOf(allReduce)).toBeCloseTo(0.7, 9);
    const gemm: Op = { ...base, kind: 'gemm', m: 4096, n: 4096, k: 4096, batch: 1, weightBits: 16, actBits: 16, outBits: 16 };
    expect(costOp(gemm, { ...ctx, calibration: allFamilies({ ...below, minSlowdown: 1 }) }).latencyS / floorOf(gemm)).toBeCloseTo(1, 9);
    // An all-to-all is none of the kinds it saw: the default efficiencies price it.
    const allToAll: Op = { ...allReduce, collective: 'all-to-all' };
    expect(costOp(allToAll, { ...ctx, calibration })).toEqual(costOp(allToAll, ctx));
    // Only a collective: a GEMM curve given minSlowdown < 1 (not a profile the schema takes) still stops at the floor.
    expect(costOp(gemm, { ...ctx, calibration: allFamilies({ ...below, minSlowdown: 0.5 }) }).latencyS / floorOf(gemm)).toBeCloseTo(1, 9);
  });

  it('collective features: log10 group size, the p2p flag, and their products with the size', () => {
    const op = (collective: 'all-reduce' | 'p2p', groupSize: number): Op => ({ ...base, block: 'comm', kind: 'collective', collective, group: 'tp', groupSize, bytes: 1e6 });
    const at = (o: Op, index: number): number => calibrationFeature(index, o, 0, 0, 1e-4, 132); // floor 100 µs: size 2
    expect([5, 6, 7, 8].map((i) => at(op('all-reduce', 8), i))).toEqual([Math.log10(8), 0, 2 * Math.log10(8), 0]);
    expect([5, 6, 7, 8].map((i) => at(op('p2p', 2), i))).toEqual([Math.log10(2), 1, 2 * Math.log10(2), 2]);
    // Neighbours share a kind, and the scale-out (dp) ones stay apart from the scale-up ones.
    const dp: Op = { ...op('p2p', 2), group: 'dp' } as Op;
    expect(new Set([neighborCategory(op('all-reduce', 8), null, 0), neighborCategory(op('p2p', 2), null, 0), neighborCategory(dp, null, 0)]).size).toBe(3);
    // A point-to-point message is between two devices whatever its group: its features do not move with the group size.
    expect([5, 6, 7, 8].map((i) => at(op('p2p', 8), i))).toEqual([Math.log10(2), 1, 2 * Math.log10(2), 2]);
  });

  it('a collective over one device stays free', () => {
    const calibration = allFamilies(curve(wide(0.3)));
    const op: Op = { ...base, block: 'comm', kind: 'collective', collective: 'all-reduce', group: 'tp', groupSize: 1, bytes: 1e6 };
    expect(costOp(op, { ...ctx, calibration }).latencyS).toBe(0);
  });
});
