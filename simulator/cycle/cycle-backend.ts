// The cycle-level backend: the same per-operator interface as the roofline (CostBackend), priced by simulating the
// op's kernels on an event-driven GPU model (gpu/). It is uncalibrated: ctx.efficiency and ctx.calibration are
// ignored; losses come from the machine model (tiles, waves, latency, launch, L2 reuse) and the microarchitecture
// defaults (gpu/generations.ts). Devices that are not GPUs (kind tpu, npu, cpu) get GenzError('unsupported').
//
// Identical ops (same device parameters, op fields and dtype) are simulated once and replayed from a cache; a trace
// still receives every op's events (replayed from the cached simulation), so the trace is the same with or
// without cache hits. cycleStats() counts the events simulated (cache hits add none), for events per second.
import type { Op } from '../../models/ops.ts';
import type { Bound, CostBackend, CostContext, OpCost } from '../cost.ts';
import { opWork } from '../work.ts';
import { CycleTrace } from './cycle-trace.ts';
import { gpuParams } from './gpu/gpu-params.ts';
import { simulateOp, type OpSimulation } from './gpu/gpu-model.ts';

export { CycleTrace } from './cycle-trace.ts';

export interface CycleBackendOptions {
  /** Receives every costed op's kernels and CTAs on one timeline. */
  trace?: CycleTrace;
}

export interface CycleStats {
  /** Discrete events simulated since the process started (or the last resetCycleStats()). */
  events: number;
  /** Ops simulated (cache misses). */
  simulatedOps: number;
  /** Ops answered from the cache. */
  cachedOps: number;
}

const stats: CycleStats = { events: 0, simulatedOps: 0, cachedOps: 0 };
const CACHE_LIMIT = 4096;
const cache = new Map<string, OpSimulation>();

/** Events simulated so far (for "events per second": read before and after a timed run). */
export function cycleStats(): CycleStats {
  return { ...stats };
}

export function resetCycleStats(): void {
  stats.events = 0;
  stats.simulatedOps = 0;
  stats.cachedOps = 0;
}

/** Forgets cached simulations (the next cost() of each op simulates again). */
export function clearCycleCache(): void {
  cache.clear();
}

function opKey(op: Op): string {
  const { count: _count, scope: _scope, block: _block, ...shape } = op;
  return JSON.stringify(shape);
}

function finite(x: number, what: string): number {
  if (!Number.isFinite(x)) throw new Error(`cycle engine produced a non-finite ${what} (${x})`);
  return x;
}

export function cycleCost(op: Op, ctx: CostContext, trace?: CycleTrace): OpCost {
  const { device, energy } = ctx;
  const p = gpuParams(device);
  const w = opWork(op, device.peakFlopsPerS, ctx.baseDtype);
  const link = op.kind === 'collective' ? ctx.links[op.group] : ctx.links.tp;
  const key = `${p.key}|${w.computeDtype}|${op.kind === 'collective' ? JSON.stringify(link) : ''}|${opKey(op)}`;
  let sim = cache.get(key);
  if (sim === undefined) {
    sim = simulateOp(p, op, w.computeDtype, link);
    stats.events += sim.events;
    stats.simulatedOps++;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, sim);
  } else {
    stats.cachedOps++;
  }
  let latencyS = 0;
  let overheadS = 0;
  let mathBusyS = 0;
  let memoryS = 0;
  let dramBytes = 0;
  let l2Bytes = 0;
  for (const k of sim.kernels) {
    latencyS += k.launchS + k.run.makespanS;
    overheadS += k.launchS;
    mathBusyS += k.run.mathBusyS;
    memoryS += k.run.dramBusyS;
    dramBytes += k.run.dramBytes;
    l2Bytes += k.run.l2Bytes;
  }
  const networkS = sim.link?.timeS ?? 0;
  const computeS = mathBusyS / p.smCount;
  const busyS = Math.max(computeS, memoryS, networkS);
  let bound: Bound = computeS >= memoryS ? 'compute' : 'memory';
  if (networkS > Math.max(computeS, memoryS)) bound = 'network';
  if (overheadS > busyS) bound = 'overhead';
  const onChipBytes = Math.max(l2Bytes, dramBytes) + w.extraOnChipBytes;
  const tensorJ = w.computeDtype === null ? 0 : w.flops * (energy.tensorJPerFlop[w.computeDtype] ?? energy.vectorJPerFlop);
  const energyJ = Math.min(device.power.tdpW * latencyS, tensorJ + w.vectorFlops * energy.vectorJPerFlop + dramBytes * energy.dramJPerByte
    + onChipBytes * energy.onChipJPerByte + w.linkBytes * energy.linkJPerByte + energy.idleW * latencyS);
  if (trace) trace.append(device.id, p.smCount, op.name, op.kind, sim, latencyS);
  return {
    latencyS: finite(latencyS, 'latency'), computeS: finite(computeS, 'compute time'), memoryS: finite(memoryS, 'memory time'),
    networkS: finite(networkS, 'network time'), overheadS, flops: w.flops, vectorFlops: w.vectorFlops,
    dramBytes: finite(dramBytes, 'DRAM bytes'), onChipBytes: finite(onChipBytes, 'on-chip bytes'), linkBytes: w.linkBytes,
    bound, energyJ: finite(energyJ, 'energy'), computeDtype: w.computeDtype,
  };
}

/** A cycle backend; with `trace`, every op it costs is appended to that trace. */
export function createCycleBackend(options: CycleBackendOptions = {}): CostBackend {
  const trace = options.trace;
  return {
    id: 'cycle',
    supports: ['gemm', 'attention', 'gather', 'elementwise', 'collective'],
    cost: (op, ctx) => cycleCost(op, ctx, trace),
  };
}

/** The cycle backend without a trace. */
export const cycleBackend: CostBackend = createCycleBackend();
