// Pipeline parallelism: how layers split over stages, and how stage times compose with micro-batches.

/** Layers on `stage` of `pp` stages: the first (L mod pp) stages take one extra. */
export function stageLayers(numLayers: number, pp: number, stage: number): number {
  const base = Math.floor(numLayers / pp);
  return base + (stage < numLayers % pp ? 1 : 0);
}

/**
 * Time for `microBatches` micro-batches to pass through all stages (GPipe fill + drain):
 * the first one crosses every stage, each later one adds the slowest stage.
 */
export function pipelineLatencyS(stageS: readonly number[], p2pS: number, microBatches: number): number {
  let sum = 0;
  let slowest = 0;
  for (let s = 0; s < stageS.length; s++) {
    const t = stageS[s]! + (s < stageS.length - 1 ? p2pS : 0);
    sum += t;
    slowest = Math.max(slowest, t);
  }
  return sum + (microBatches - 1) * slowest;
}

/**
 * Decode: every sequence needs one trip through all stages per token; with `microBatches` groups in
 * flight the steady-state cycle is whichever is longer, one trip or the slowest stage times the groups.
 */
export function pipelineCycleS(stageS: readonly number[], p2pS: number, microBatches: number): number {
  let sum = 0;
  let slowest = 0;
  for (let s = 0; s < stageS.length; s++) {
    const t = stageS[s]! + (stageS.length > 1 ? p2pS : 0);
    sum += t;
    slowest = Math.max(slowest, t);
  }
  return Math.max(sum, microBatches * slowest);
}
