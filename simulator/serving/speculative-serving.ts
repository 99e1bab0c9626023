// Speculative decoding in a serving estimate: a draft model proposes a chain or a tree of tokens, the target
// verifies them in one pass at the current context, and TPOT becomes (draft passes + verify pass) / E tokens.
// The draft runs on the same devices as the target (at the target's TP when its heads allow, else TP 1).
import type { TransformerConfig } from '../../models/transformer-schema.ts';
import { buildGraph } from '../../models/graph.ts';
import { parallelismProblem } from '../../models/footprint.ts';
import type { CostBackend, CostContext } from '../cost.ts';
import { costGraph, stageTimes } from './phase.ts';
import { pipelineCycleS } from './pipeline.ts';
import { draftPassWidths, sequoiaTree, speculativeStep, treeFromBranching, type SpeculativeStep } from './speculative.ts';
import type { Scenario } from './estimate.ts';

export interface SpeculativeSettings {
  draft: TransformerConfig;
  /** α for a chain, or Sequoia's positional acceptance vector (rank 1 first) for trees. */
  acceptance: number | number[];
  gamma?: number;
  treeBranching?: number[];
  treeSize?: number;
}

export interface SpeculativeReport extends SpeculativeStep {
  draftModel: string;
  draftTp: number;
  /** TPOT without speculation at the same context, in seconds. */
  baselineTpotS: number;
  /** Dynamic energy of one draft + verify step on one device path, in joules. */
  stepDynamicEnergyJ: number;
}

function positional(acceptance: number | number[]): number[] {
  return typeof acceptance === 'number' ? [acceptance] : acceptance;
}

export interface PassContext {
  target: TransformerConfig;
  scenario: Scenario;
  microBatch: number;
  microBatches: number;
  /** Sequences of a pass across the target's expert-parallel group (EmitterInput.expertGroupBatch). */
  expertGroupBatch?: number;
  contextTokens: number;
  p2pS: number;
  /**
   * Host time of one forward pass (the serving framework's, per step and per sequence of the batch), and of each
   * pipeline boundary it crosses (FrameworkCosts.stageS): the verify pass crosses the target's pp − 1, a draft pass none.
   */
  hostStepS: number;
  boundaryS?: number;
  backend: CostBackend;
  ctx: CostContext;
}

/** The draft's tensor-parallel degree: the target's when the draft's heads allow it, else 1. */
export function draftTpFor(spec: SpeculativeSettings, tp: number): number {
  return parallelismProblem({ config: spec.draft, tp }) === null ? tp : 1;
}

/** The draft must also prefill the prompt before it can propose tokens: its time and dynamic energy per replica. */
export function draftPrefill(spec: SpeculativeSettings, pass: PassContext, promptTokens: number): { timeS: number; dynamicJ: number } {
  const s = pass.scenario;
  const tp = draftTpFor(spec, s.tp);
  const graph = buildGraph({ config: spec.draft, phase: 'prefill', batch: pass.microBatch, pastTokens: 0, newTokens: promptTokens, tp, ep: 1, precision: s.precision, flash: s.flash, identicalPrompts: s.identicalPrompts });
  const costed = costGraph(graph, pass.backend, pass.ctx);
  const timeS = pass.microBatches * (costed.preS + costed.layerS * costed.graph.numLayers + costed.postS);
  return { timeS, dynamicJ: costed.dynamicEnergyJ * tp * pass.microBatches };
}

export function speculativeReport(spec: SpeculativeSettings, pass: PassContext, baselineTpotS: number): SpeculativeReport {
  const s = pass.scenario;
  const draftTp = draftTpFor(spec, s.tp);
  const cache = new Map<string, { timeS: number; dynamicJ: number }>();
  // One pass of `tokens` new tokens per sequence at the current context, through the pipeline (memoized).
  const passCost = (config: TransformerConfig, tokens: number, tp: number, pp: number, ep: number): { timeS: number; dynamicJ: number } => {
    const key = `${config.id}:${tokens}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const graph = buildGraph({
      config, phase: 'decode', batch: pass.microBatch, pastTokens: pass.contextTokens - 1, newTokens: tokens, tp, ep,
      precision: s.precision, flash: s.flash, identicalPrompts: s.identicalPrompts,
      ...(config === pass.target && pass.expertGroupBatch !== undefined ? { expertGroupBatch: pass.expertGroupBatch } : {}),
    });
    const costed = costGraph(graph, pass.backend, pass.ctx);
    const timeS = pipelineCycleS(stageTimes(costed, costed.layerS, config.numLayers, pp), pp > 1 ? pass.p2pS : 0, pass.microBatches)
      + pass.hostStepS + (pass.boundaryS ?? 0) * (pp - 1);
    const result = { timeS, dynamicJ: costed.dynamicEnergyJ * tp * pass.microBatches };
    cache.set(key, result);
    return result;
  };
  // The target keeps its own expert parallelism; the draft runs without EP.
  const draft = (width: number) => passCost(spec.draft, width, draftTp, 1, 1);
  const verify = (tokens: number) => passCost(pass.target, tokens, s.tp, s.pp, s.ep);
  const tree = spec.treeBranching ? treeFromBranching(spec.treeBranching)
    : spec.treeSize !== undefined ? sequoiaTree(spec.treeSize, positional(spec.acceptance)) : undefined;
  const gamma = spec.gamma ?? 4;
  const step = speculativeStep({
    ...(tree ? { tree } : { gamma }),
    acceptance: tree ? positional(spec.acceptance) : positional(spec.acceptance)[0]!,
    draftLevelS: (width: number) => draft(width).timeS,
    verifyS: (tokens: number) => verify(tokens).timeS,
    baselineTpotS,
  });
  const widths = tree ? draftPassWidths(tree) : Array.from({ length: gamma }, () => 1);
  let stepDynamicEnergyJ = verify(step.verifyTokens).dynamicJ;
  for (const width of widths) stepDynamicEnergyJ += draft(width).dynamicJ;
  return { ...step, draftModel: spec.draft.id, draftTp, baselineTpotS, stepDynamicEnergyJ };
}
