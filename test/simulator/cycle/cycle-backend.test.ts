// The cycle backend behind the CostBackend contract: deterministic traces, clear errors for bad microarchitecture,
// every GPU preset, and a whole Llama-2-7B decode step through the estimator.
import { describe, expect, it } from 'vitest';
import { DEVICE_PRESETS } from '../../../hardware/presets/index.ts';
import type { Op } from '../../../models/ops.ts';
import { clearCycleCache, createCycleBackend, cycleBackend, cycleStats, CycleTrace } from '../../../simulator/cycle/cycle-backend.ts';
import { estimateResolved, resolveInputs } from '../../../simulator/serving/estimate.ts';
import { expectGenzError } from '../../helpers.ts';
import { attention, copy, ctxFor, gemm, preset, withMicroarch } from './cycle-helpers.ts';

const OPS: Op[] = [
  gemm(512, 4096, 4096), attention(2, 1, 1024), attention(1, 512, 512), copy(1 << 20),
  { name: 'embedding', scope: 'pre', block: 'embedding', count: 1, kind: 'gather', rows: 16, width: 4096, bits: 16 },
  { name: 'tp all-reduce', scope: 'layer', block: 'comm', count: 1, kind: 'collective', collective: 'all-reduce', group: 'tp', groupSize: 8, bytes: 1 << 24 },
];

function traced(clear: boolean): string {
  if (clear) clearCycleCache();
  const trace = new CycleTrace();
  const backend = createCycleBackend({ trace });
  const ctx = ctxFor(preset('h100-sxm'));
  for (const op of OPS) backend.cost(op, ctx);
  expect(trace.eventCount).toBeGreaterThan(OPS.length);
  return trace.toJson();
}

describe('cycle backend contract', () => {
  it('has id "cycle", supports every op kind and returns finite costs', () => {
    expect(cycleBackend.id).toBe('cycle');
    expect([...cycleBackend.supports].sort()).toEqual(['attention', 'collective', 'elementwise', 'gather', 'gemm']);
    for (const op of OPS) {
      const c = cycleBackend.cost(op, ctxFor(preset('a100-80gb-sxm')));
      for (const v of [c.latencyS, c.computeS, c.memoryS, c.networkS, c.overheadS, c.energyJ, c.dramBytes, c.onChipBytes]) expect(Number.isFinite(v)).toBe(true);
      expect(c.latencyS).toBeGreaterThan(0);
    }
  });

  it('the same inputs give a byte-identical trace, with or without cached simulations', () => {
    const first = traced(true);
    expect(traced(false)).toBe(first);
    expect(traced(true)).toBe(first);
    const parsed = JSON.parse(first) as { traceEvents: { ph: string }[] };
    expect(parsed.traceEvents.some((e) => e.ph === 'X')).toBe(true);
  });

  it('counts simulated events (cache hits add none)', () => {
    clearCycleCache();
    const before = cycleStats().events;
    cycleBackend.cost(gemm(1024, 1024, 1024), ctxFor(preset('h100-sxm')));
    const after = cycleStats().events;
    expect(after).toBeGreaterThan(before);
    cycleBackend.cost(gemm(1024, 1024, 1024), ctxFor(preset('h100-sxm')));
    expect(cycleStats().events).toBe(after);
  });
});

describe('bad microarchitecture parameters', () => {
  const op = gemm(256, 256, 256);
  it('zero SMs', () => {
    expectGenzError(() => cycleBackend.cost(op, ctxFor({ ...preset('h100-sxm'), computeUnits: 0 })), 'invalid_input', ['hardware', 'computeUnits']);
  });
  it('a tile larger than shared memory', () => {
    const device = withMicroarch(preset('a100-80gb-sxm'), { gemmTile: { m: 256, n: 256, k: 128, stages: 4 } });
    const e = expectGenzError(() => cycleBackend.cost(op, ctxFor(device)), 'invalid_input', ['hardware', 'microarch', 'gemmTile']);
    expect(e.message).toMatch(/shared memory/);
  });
  it('non-positive clock and bandwidth', () => {
    expectGenzError(() => cycleBackend.cost(op, ctxFor(withMicroarch(preset('h100-sxm'), { clockHz: 0 }))), 'invalid_input', ['hardware', 'microarch', 'clockHz']);
    const d = preset('h100-sxm');
    const noBandwidth = { ...d, memory: [{ ...d.memory[0]!, bandwidthBytesPerS: -1 }] };
    expectGenzError(() => cycleBackend.cost(op, ctxFor(noBandwidth)), 'invalid_input', ['hardware', 'memory', 0, 'bandwidthBytesPerS']);
  });
  it('a device that is not a GPU is unsupported', () => {
    expectGenzError(() => cycleBackend.cost(op, ctxFor(preset('tpu-v5e'))), 'unsupported', ['hardware', 'kind']);
  });
});

describe('every GPU preset', () => {
  const gpus = DEVICE_PRESETS.filter((d) => d.kind === 'gpu' || d.kind === 'soc').map((d) => d.id);
  it.each(gpus)('%s runs a GEMM and prefill/decode attention', (id) => {
    const device = preset(id);
    for (const op of [gemm(2048, 4096, 4096), attention(4, 1, 2048), attention(1, 1024, 1024)]) {
      const c = cycleBackend.cost(op, ctxFor(device));
      expect(Number.isFinite(c.latencyS)).toBe(true);
      expect(c.latencyS).toBeGreaterThan(0);
    }
  });
});

describe('a Llama-2-7B decode step (batch 1, KV 1024) on the cycle engine', () => {
  it('estimateResolved with createCycleBackend gives a finite report, slower than the roofline floor', () => {
    const inputs = resolveInputs({ model: 'llama-2-7b', hardware: 'h100-sxm', batch: 1, inputTokens: 1023, outputTokens: 2 });
    const trace = new CycleTrace();
    const report = estimateResolved(inputs, createCycleBackend({ trace }));
    expect(report.inputs.backend).toBe('cycle');
    expect(report.decode.contextTokens).toBe(1024);
    expect(Number.isFinite(report.tpotS)).toBe(true);
    // Reading the ~13.5 GB of fp16 weights at 3.35 TB/s takes ≥ 4 ms; kernels add launch and latency on top.
    expect(report.decode.latencyS).toBeGreaterThan(4e-3);
    expect(report.decode.latencyS).toBeLessThan(12e-3);
    expect(trace.eventCount).toBeGreaterThan(0);
  });
});
