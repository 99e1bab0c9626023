// Row-wise ops (norms, softmax) carry the length of the row they reduce over, which calibration prices them by
// (simulator/calibration.ts: rows and row length are their shape features): every graph emits it, the emitter refuses
// a norm without it, and a measured {rows, cols} norm becomes the same op.
import { describe, expect, it } from 'vitest';
import { buildGraph, findDevice, findModel } from '../../index.ts';
import { defaultCalibration } from '../../simulator/calibration-defaults.ts';
import { measurementContext } from '../../calibrate/fit.ts';
import { DEFAULT_EFFICIENCY } from '../../simulator/efficiency.ts';
import { costOp } from '../../simulator/roofline/roofline-backend.ts';
import { MODEL_PRESETS } from '../../models/presets/index.ts';
import { GraphEmitter } from '../../models/emitter.ts';
import { measurementOp } from '../../calibrate/op-family.ts';
import { calibrationFeature } from '../../simulator/calibration.ts';
import type { ElementwiseOp } from '../../models/ops.ts';

const precision = { weightBits: 16, actBits: 16, kvBits: 16, embeddingBits: 16, groupSize: 128 };

describe('row length of norm ops', () => {
  it.each(MODEL_PRESETS.map((p) => p.id))('%s: every norm op says its row length, and rows × length = elements', (id) => {
    const config = findModel(id)!;
    for (const phase of ['prefill', 'decode'] as const) {
      const graph = buildGraph({ config, phase, batch: 2, pastTokens: phase === 'decode' ? 100 : 0, newTokens: phase === 'decode' ? 1 : 64, tp: 1, ep: 1, precision, flash: true });
      const norms = graph.ops.filter((op): op is ElementwiseOp => op.kind === 'elementwise' && (op.fn === 'rmsnorm' || op.fn === 'layernorm'));
      expect(norms.length).toBeGreaterThan(0);
      for (const op of norms) {
        expect(op.rowLength, op.name).toBeGreaterThan(0);
        expect(Number.isInteger(op.elements / op.rowLength!), op.name).toBe(true);
      }
      // The block norms of a decoder run over the hidden size.
      expect(norms.find((op) => op.name === 'final norm')!.rowLength).toBe(config.hiddenSize);
    }
  });

  it('the emitter refuses a norm or softmax without one (a graph builder that forgot it)', () => {
    const e = new GraphEmitter({ config: findModel('llama-3.1-8b')!, phase: 'prefill', batch: 1, pastTokens: 0, newTokens: 8, tp: 1, ep: 1, precision, flash: true });
    expect(() => e.stream('norm', 'norm', 'rmsnorm', 8 * 4096, 1, 1, 1)).toThrow(/rowLength/);
    expect(() => e.stream('add', 'mlp', 'add', 8 * 4096, 2, 1, 1)).not.toThrow();
  });

  it('a measured {rows, cols} norm is the estimator\'s op, and calibration sees its rows and row length', () => {
    const priced = measurementOp({ schema: 'genz.measurement.v1', source: 'test', device: { name: 'x', backend: 'cuda' }, kernel: 'rmsnorm', shape: { rows: 256, cols: 4096 }, dtype: 'fp16', medianS: 1e-5, flops: 0, bytes: 0 });
    if ('problem' in priced) throw new Error(priced.problem);
    expect(priced.op).toMatchObject({ kind: 'elementwise', fn: 'rmsnorm', elements: 256 * 4096, rowLength: 4096 });
    const feature = (i: number): number => calibrationFeature(i, priced.op, 0, 1e-5, 0, 132);
    expect([feature(5), feature(6)].map((x) => Math.round(x * 1000) / 1000)).toEqual([Math.round(Math.log10(256) * 1000) / 1000, Math.round(Math.log10(4096) * 1000) / 1000]);
    // An elementwise op that reduces nothing keeps no row shape.
    const add = measurementOp({ schema: 'genz.measurement.v1', source: 'test', device: { name: 'x', backend: 'cuda' }, kernel: 'add', shape: { rows: 256, cols: 4096 }, dtype: 'fp16', medianS: 1e-5, flops: 0, bytes: 0 });
    if ('problem' in add) throw new Error(add.problem);
    expect((add.op as ElementwiseOp).rowLength).toBeUndefined();
    expect(calibrationFeature(5, add.op, 0, 1e-5, 0, 132)).toBe(0);
  });

  it('a norm op without one is left to the default efficiencies by a curve fitted with row lengths (not priced as one row)', () => {
    const ctx = measurementContext(findDevice('h100-sxm')!, DEFAULT_EFFICIENCY, 'fp16');
    const calibration = defaultCalibration('h100-sxm')!;
    const norm: ElementwiseOp = { name: 'n', scope: 'layer', block: 'norm', count: 1, kind: 'elementwise', fn: 'rmsnorm', elements: 4096 * 4096, readsPerElement: 1, writesPerElement: 1, flopsPerElement: 4, bits: 16 };
    const withRows = costOp({ ...norm, rowLength: 4096 }, { ...ctx, calibration }).latencyS;
    const without = costOp(norm, { ...ctx, calibration }).latencyS;
    expect(without).toBe(costOp(norm, ctx).latencyS); // the defaults
    expect(without / withRows).toBeGreaterThan(0.5);
    expect(without / withRows).toBeLessThan(2);
  });
});
