// What one GPU kernel asks of the machine, at thread-block (CTA) and main-loop-step granularity: the operator
// mappers (gemm, attention, streaming, ...) build these, kernel-sim.ts runs them.

/**
 * One dependent round of a streaming kernel's loop (stream.ts): a thread's loads of the round are in flight together,
 * its math waits for them, and the next round's loads issue after the math (no prefetch across rounds).
 */
export interface StepRound {
  /** Bytes the CTA loads in this round. */
  loadBytes: number;
  /** Fraction of them that miss L2 to DRAM (1: a first read; 0: a re-read of the row, an index, a weight vector). */
  dramReadFraction: number;
  /** Seconds of the SM's vector pipe for the round's math. */
  vectorS: number;
  /** Bytes the round stores: posted writes through L2 to DRAM (they use bandwidth but do not hold the CTA). */
  storeBytes: number;
}

export interface KernelSpec {
  name: string;
  /** Thread blocks in the grid, dispatched in order. */
  ctas: number;
  /** Main-loop steps of every CTA; `stepsOf` overrides it per CTA (causal attention). */
  steps: number;
  stepsOf?: Int32Array;
  /** CTAs one SM holds at once (occupancy from shared memory, threads and the hardware limit). */
  ctasPerSm: number;
  /** Loads a CTA keeps in flight ahead of its math (software pipeline stages). */
  stages: number;
  /** Bytes a CTA reads once before its first step (flash attention's Q tile). */
  prologueLoadBytes: number;
  /** Bytes each step reads through L2 (A and B tiles, K and V tiles, a stream chunk). */
  stepLoadBytes: number;
  /**
   * Share of a step's load the first step issues (1 unless steps were grouped by `coarsen`: then the first group
   * starts with one real step's load, as the pipeline does, and the second group carries the rest).
   */
  firstLoadFraction?: number;
  /** Fraction of step loads that miss L2 to DRAM (reuse model: l2-reuse.ts); prologue loads always miss. */
  dramReadFraction: number;
  /** Seconds of one SM's tensor (or SIMT GEMM) pipe per step. */
  stepMmaS: number;
  /** Seconds of one SM's shared-memory port per step (overlaps with the MMA pipe). */
  stepSmemS: number;
  /** Seconds of one SM's vector pipe per step (after the MMA: softmax, dequantization, elementwise math). */
  stepVectorS: number;
  /** Per-step synchronization latency of one CTA (hidden when other CTAs share the SM). */
  stepOverheadS: number;
  /** Vector seconds of the epilogue (conversion, split-K reduction). */
  epilogueVectorS: number;
  /** Bytes a CTA writes through L2 in its epilogue. */
  epilogueL2Bytes: number;
  /** Of those, bytes written back to DRAM (posted: they use DRAM bandwidth but do not hold the CTA). */
  epilogueDramBytes: number;
  /** Useful work, for the report (padding excluded). */
  usefulMmaFlops: number;
  /**
   * A repeating pattern of dependent rounds (streaming kernels): step i is rounds[i mod length], which replaces
   * stepLoadBytes, dramReadFraction and stepVectorS. Requires stages = 1; such kernels are never coarsened (grouping
   * dependent rounds would hide their latency): long loops are extrapolated from two shorter runs instead.
   */
  rounds?: readonly StepRound[];
}

/** Coarsens a kernel whose CTA-steps exceed `budget`: g steps become one event, work per step × g (exact in steady state). */
export function coarsen(spec: KernelSpec, budget: number): KernelSpec {
  if (spec.rounds !== undefined) return spec;
  const totalSteps = spec.stepsOf ? spec.stepsOf.reduce((s, v) => s + v, 0) : spec.ctas * spec.steps;
  if (totalSteps <= budget) return spec;
  const g = Math.ceil(totalSteps / budget);
  if (spec.stepsOf) {
    // Per-CTA groups differ: keep the work by scaling each CTA's step count down and its step work up on average.
    const stepsOf = new Int32Array(spec.stepsOf.length);
    for (let i = 0; i < stepsOf.length; i++) stepsOf[i] = Math.max(1, Math.round(spec.stepsOf[i]! / g));
    const before = totalSteps;
    const after = stepsOf.reduce((s, v) => s + v, 0);
    return scaled(spec, before / after, { stepsOf, steps: Math.max(1, Math.round(spec.steps / g)) });
  }
  const steps = Math.max(1, Math.ceil(spec.steps / g));
  return scaled(spec, spec.steps / steps, { steps });
}

function scaled(spec: KernelSpec, factor: number, shape: Partial<KernelSpec>): KernelSpec {
  return {
    ...spec, ...shape,
    firstLoadFraction: 1 / factor,
    stages: Math.max(Math.min(2, spec.stages), Math.ceil(spec.stages / factor)),
    stepLoadBytes: spec.stepLoadBytes * factor,
    stepMmaS: spec.stepMmaS * factor,
    stepSmemS: spec.stepSmemS * factor,
    stepVectorS: spec.stepVectorS * factor,
    stepOverheadS: spec.stepOverheadS * factor,
  };
}
