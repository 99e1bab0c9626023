// The cycle engine's part of `npm run bench`: wall time of simulating one big GEMM and one whole decode step cold
// (the per-shape cache cleared before every call), with the events simulated and events per second.
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_EFFICIENCY, buildGraph, clearCycleCache, createCycleBackend, cycleStats, findDevice, resolveInputs,
  type CostContext, type Op,
} from '../index.ts';
import { measurementContext } from '../calibrate/fit.ts';

export interface CycleRow { name: string; calls: number; wallS: number; events: number; simulatedS: number }

/** How calibrate prices a measured op on a preset (its own links; the cycle engine ignores the efficiencies). */
const contextFor = (deviceId: string): CostContext => measurementContext(findDevice(deviceId)!, DEFAULT_EFFICIENCY, 'fp16');

/** Mean wall time per cold call of `body` (which returns simulated seconds), and events per call. */
function timeCold(name: string, calls: number, body: () => number): CycleRow {
  let wallS = 0;
  let events = 0;
  let simulatedS = 0;
  for (let i = 0; i < calls; i++) {
    clearCycleCache();
    const before = cycleStats().events;
    const start = performance.now();
    simulatedS = body();
    wallS += (performance.now() - start) / 1e3;
    events += cycleStats().events - before;
  }
  return { name, calls, wallS: wallS / calls, events: events / calls, simulatedS };
}

export function cycleRows(): CycleRow[] {
  const backend = createCycleBackend();
  const h100 = contextFor('h100-sxm');
  const gemm: Op = { kind: 'gemm', name: 'gemm', scope: 'layer', block: 'mlp', count: 1, m: 4096, n: 4096, k: 4096, batch: 1, weightBits: 16, actBits: 16, outBits: 16 };
  const inputs = resolveInputs({ model: 'llama-2-7b', hardware: 'h100-sxm', batch: 1, dtype: 'fp16' });
  const decode = buildGraph({ config: inputs.model, phase: 'decode', batch: 1, pastTokens: 1024, newTokens: 1, tp: 1, ep: 1, precision: inputs.scenario.precision, flash: true });
  const step = (): number => decode.ops.reduce((sum, op) => sum + backend.cost(op, h100).latencyS * op.count, 0);
  return [
    timeCold('4096³ fp16 GEMM on h100-sxm', 5, () => backend.cost(gemm, h100).latencyS),
    timeCold(`Llama-2-7B decode step on h100-sxm, batch 1, KV 1024 (${decode.ops.length} ops, each × its count)`, 3, step),
  ];
}
