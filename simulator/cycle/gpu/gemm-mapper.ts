// The mapper: enumerates CUTLASS-like tilings (tile M/N/K, pipeline stages, split-K) that fit shared memory,
// ranks them with a closed-form estimate of the same machine model, simulates the best few and keeps the fastest.
// A `microarch.gemmTile` forces one tiling instead.
import type { GemmTile, GpuParams } from './gpu-params.ts';
import { gemmSpec, isSimt, tileOccupancy, type GemmShape } from './gemm.ts';
import { coarsen, type KernelSpec } from './kernel-spec.ts';
import { runKernel, type KernelRun } from './kernel-sim.ts';

/** Tilings simulated after ranking by the estimate. */
const SIMULATED_CANDIDATES = 2;
/** CTA-steps one kernel simulation handles before steps are grouped (kernel-spec.ts `coarsen`). */
export const STEP_BUDGET = 40_000;

export interface MappedKernel {
  tile: GemmTile;
  spec: KernelSpec;
  run: KernelRun;
}

const pow2 = (x: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, x)));

export function gemmCandidates(p: GpuParams, g: GemmShape): GemmTile[] {
  const simt = isSimt(g.dtype);
  const ms = simt ? [32, 64, 128] : [16, 32, 64, 128, 256];
  const ns = simt ? [32, 64, 128] : [32, 64, 128, 256];
  // K per step: 32 or 64 bytes-per-row multiples (one or two 128-byte lines of A per row).
  const kBytes = Math.max(g.aBytes, g.bBytes);
  const ks = simt ? [8, 16] : [Math.max(8, 64 / kBytes), Math.max(16, 128 / kBytes)];
  const stageOptions = [2, 3, 4, 5, 6].filter((s) => s <= p.maxStages);
  if (stageOptions.length === 0) stageOptions.push(Math.max(1, Math.floor(p.maxStages)));
  const mCap = Math.max(ms[0]!, pow2(g.m));
  const nCap = Math.max(ns[0]!, pow2(g.n));
  const out: GemmTile[] = [];
  for (const m of ms) {
    if (m > mCap) continue;
    for (const n of ns) {
      if (n > nCap || m * n > 256 * 128) continue;
      for (const k of ks) {
        const kIters = Math.ceil(g.k / k);
        const tilesOut = g.batch * Math.ceil(g.m / m) * Math.ceil(g.n / n);
        const splits = [1, 2, 3, 4, 6, 8, 12, 16].filter((s) => s === 1 || (kIters / s >= 4 && tilesOut * s <= 4 * p.smCount));
        for (const stages of stageOptions) {
          for (const splitK of splits) {
            const t = { m, n, k, stages, splitK };
            if (tileOccupancy(p, g, t) >= 1) out.push(t);
          }
        }
      }
    }
  }
  return out;
}

/** Closed-form time of a tiling: waves × (latency + steps × the slowest of SM math, L2 share, DRAM share) + epilogue. */
export function estimateS(p: GpuParams, spec: KernelSpec): number {
  const slots = p.smCount * spec.ctasPerSm;
  const perSm = Math.min(spec.ctasPerSm, Math.ceil(spec.ctas / p.smCount));
  const concurrent = Math.min(spec.ctas, slots);
  const service = Math.max(spec.stepMmaS, spec.stepSmemS) + spec.stepVectorS;
  const memStep = Math.max(
    (concurrent * spec.stepLoadBytes * spec.dramReadFraction) / p.dramBandwidthBytesPerS,
    (concurrent * spec.stepLoadBytes) / p.l2BandwidthBytesPerS,
  );
  const latencyS = p.dramLatencyS + p.l2HitLatencyS + p.ctaLaunchS;
  // A CTA with `stages` loads in flight cannot step faster than one memory round trip per `stages` steps.
  const roundTripS = (spec.dramReadFraction > 0 ? p.dramLatencyS : 0) + p.l2HitLatencyS;
  const stepS = Math.max(service * perSm, service + spec.stepOverheadS, memStep, roundTripS / Math.max(1, spec.stages));
  const waveS = latencyS + spec.steps * stepS + spec.epilogueVectorS + p.l2HitLatencyS;
  const rounds = Math.ceil(spec.ctas / slots);
  const writeS = (spec.ctas * spec.epilogueDramBytes) / p.dramBandwidthBytesPerS;
  return rounds * waveS + writeS / Math.max(1, rounds * spec.steps);
}

/** Grids longer than this many rounds of CTA slots are simulated in part and the steady-state round repeated. */
export const ROUNDS_SIMULATED = 3;

function extend(a: KernelRun, b: KernelRun, times: number): KernelRun {
  const f = (x: number, y: number): number => y + times * Math.max(0, y - x);
  return {
    makespanS: f(a.makespanS, b.makespanS), mathBusyS: f(a.mathBusyS, b.mathBusyS), dramBytes: f(a.dramBytes, b.dramBytes),
    l2Bytes: f(a.l2Bytes, b.l2Bytes), dramBusyS: f(a.dramBusyS, b.dramBusyS), l2BusyS: f(a.l2BusyS, b.l2BusyS),
    events: a.events + b.events, ctaStartS: b.ctaStartS, ctaEndS: b.ctaEndS, ctaSm: b.ctaSm,
  };
}

/** CTAs simulated for a grid: all of it, or ROUNDS_SIMULATED rounds plus the tail round of a long grid. */
function simulatedCtas(p: GpuParams, spec: KernelSpec): number {
  const slots = p.smCount * spec.ctasPerSm;
  const full = Math.floor(spec.ctas / slots);
  return full <= 2 * ROUNDS_SIMULATED ? spec.ctas : ROUNDS_SIMULATED * slots + (spec.ctas - full * slots);
}

/**
 * A long uniform grid reaches a periodic steady state: it is simulated with ROUNDS_SIMULATED − 1 and
 * ROUNDS_SIMULATED full rounds (plus the tail round), and the difference (one steady-state round) is repeated.
 */
function simulateRounds(p: GpuParams, spec: KernelSpec): KernelRun {
  const slots = p.smCount * spec.ctasPerSm;
  const full = Math.floor(spec.ctas / slots);
  if (full <= 2 * ROUNDS_SIMULATED) return runKernel(p, spec);
  const tail = spec.ctas - full * slots;
  const short = runKernel(p, { ...spec, ctas: (ROUNDS_SIMULATED - 1) * slots + tail });
  const long = runKernel(p, { ...spec, ctas: ROUNDS_SIMULATED * slots + tail });
  return extend(short, long, full - ROUNDS_SIMULATED);
}

/**
 * Simulates a kernel: long grids by their steady-state rounds (simulateRounds), long main loops by grouping steps
 * so that the simulated CTA-steps stay within STEP_BUDGET (kernel-spec.ts `coarsen`).
 */
export function simulateKernel(p: GpuParams, spec: KernelSpec): KernelRun {
  if (spec.rounds !== undefined) return simulateLoop(p, spec);
  if (spec.stepsOf !== undefined) return runKernel(p, coarsen(spec, STEP_BUDGET));
  const ctas = simulatedCtas(p, spec);
  const grouped = coarsen({ ...spec, ctas }, STEP_BUDGET);
  return simulateRounds(p, { ...grouped, ctas: spec.ctas });
}

/**
 * A streaming kernel of dependent rounds (never coarsened): a loop longer than the step budget allows is simulated
 * for L and 2L steps (L a whole number of round patterns) and the difference, the steady-state time of L steps, is
 * extended to the real length (exact in a periodic steady state; the grid's rounds by simulateRounds).
 */
function simulateLoop(p: GpuParams, spec: KernelSpec): KernelRun {
  const period = spec.rounds!.length;
  const ctas = Math.min(simulatedCtas(p, spec), p.smCount * spec.ctasPerSm);
  const limit = Math.max(period, Math.floor(STEP_BUDGET / (2 * ctas) / period) * period);
  if (spec.steps <= 2 * limit) return simulateRounds(p, spec);
  const short = simulateRounds(p, { ...spec, steps: limit });
  const long = simulateRounds(p, { ...spec, steps: 2 * limit });
  return extend(short, long, (spec.steps - 2 * limit) / limit);
}

export function mapGemm(p: GpuParams, g: GemmShape): MappedKernel {
  if (p.gemmTile !== undefined) {
    const spec = gemmSpec(p, g, p.gemmTile);
    return { tile: p.gemmTile, spec, run: simulateKernel(p, spec) };
  }
  const ranked = gemmCandidates(p, g)
    .map((tile) => {
      const spec = gemmSpec(p, g, tile);
      return { tile, spec, estimate: estimateS(p, spec) };
    })
    .sort((a, b) => a.estimate - b.estimate);
  let best: MappedKernel | undefined;
  for (const c of ranked.slice(0, SIMULATED_CANDIDATES)) {
    const run = simulateKernel(p, c.spec);
    if (best === undefined || run.makespanS < best.run.makespanS) best = { tile: c.tile, spec: c.spec, run };
  }
  if (best === undefined) {
    // No tiling fits (a part with very little shared memory): the smallest tile, which gemmSpec reports clearly.
    const tile = { m: 16, n: 32, k: 16, stages: 2, splitK: 1 };
    const spec = gemmSpec(p, g, tile);
    return { tile, spec, run: simulateKernel(p, spec) };
  }
  return best;
}
