// Feed-forward blocks: dense (gated SwiGLU/GeGLU or plain), mixture of experts, or none.
import type { TransformerConfig } from '../transformer-schema.ts';
import type { ElementwiseFunction } from '../ops.ts';
import { expertReplicas, type GraphEmitter } from '../emitter.ts';
import { effectiveWeightBits } from '../precision.ts';
import { expectedBusiestRankExperts, expectedDistinctExperts } from '../expected-experts.ts';
import type { BlockContext, FfnModule } from './types.ts';

export function mlpParams(hidden: number, intermediate: number, gated: boolean, bias: boolean): number {
  const matrices = gated ? 3 : 2;
  const biases = bias ? (gated ? 2 : 1) * intermediate + hidden : 0;
  return matrices * hidden * intermediate + biases;
}

function gatedFn(c: TransformerConfig): ElementwiseFunction {
  return c.activation === 'silu' ? 'silu-mul' : 'gelu-mul';
}

function plainFn(c: TransformerConfig): ElementwiseFunction {
  return c.activation === 'relu' ? 'relu' : c.activation === 'silu' ? 'silu' : 'gelu';
}

/** Up (+gate), activation, down for `tokens` tokens of width `width` on this device, `experts` times. */
function emitMlp(e: GraphEmitter, prefix: string, block: 'mlp' | 'moe', tokens: number, width: number, count: number, experts = 1,
  energyShare?: number): void {
  const c = e.config;
  const gated = c.mlp === 'gated';
  const share = energyShare === undefined || energyShare === 1 ? {} : { energyShare };
  e.linear(`${prefix} ${gated ? 'up+gate' : 'up'}`, block, tokens, gated ? 2 * width : width, c.hiddenSize, count, { gemmBatch: experts, ...share });
  e.stream(`${prefix} activation`, block, gated ? gatedFn(c) : plainFn(c), tokens * experts * width, gated ? 2 : 1, 1, count, share);
  e.linear(`${prefix} down`, block, tokens, c.hiddenSize, width, count, { gemmBatch: experts, ...share });
}

function intermediate(c: TransformerConfig): number {
  if (c.intermediateSize === undefined) throw new Error(`${c.id}: dense FFN without intermediateSize (the schema should have refused it)`);
  return c.intermediateSize;
}

export const denseFfn: FfnModule = {
  emit(e: GraphEmitter, count: number): void {
    emitMlp(e, 'mlp', 'mlp', e.tokens, intermediate(e.config) / e.tp, count);
  },
  params(c: TransformerConfig) {
    const total = mlpParams(c.hiddenSize, intermediate(c), c.mlp === 'gated', c.mlpBias);
    return { total, active: total };
  },
  deviceWeightBytes(ctx: BlockContext): number {
    return (denseFfn.params(ctx.config).total / ctx.tp) * (effectiveWeightBits(ctx.precision) / 8);
  },
  activationWidth(ctx: BlockContext): number {
    return ((ctx.config.mlp === 'gated' ? 3 : 2) * intermediate(ctx.config)) / ctx.tp;
  },
};

/**
 * Mixture of experts. EP within the TP group (ep divides tp): every rank already holds the group's tokens, so
 * each computes its experts (sharded tp/ep ways) and the TP all-reduce combines. EP across replicas (ep = tp × k):
 * experts are whole on each rank, and each rank's share of its replica's tokens is dispatched and combined by
 * all-to-all. A step reads the weights of the distinct experts its tokens route to: of the group's tokens, or where
 * every sequence is the same prompt (identicalPrompts) of one sequence's, since identical tokens pick identical experts.
 */
export const moeFfn: FfnModule = {
  emit(e: GraphEmitter, count: number): void {
    const c = e.config;
    const moe = c.moe!;
    const { tp, ep } = e;
    e.linear('router', 'moe', e.tokens, moe.numExperts, c.hiddenSize, count, { weightBits: e.precision.embeddingBits });
    e.stream('router top-k', 'moe', 'topk', e.tokens * moe.numExperts, 1, 0, count);
    const replicas = expertReplicas(tp, ep);
    const groupTokens = e.expertGroupBatch * e.newTokens;
    const touched = expectedDistinctExperts(moe.numExperts, moe.topK, e.identicalPrompts ? e.newTokens : groupTokens);
    const tokensPerExpert = (groupTokens * moe.topK) / touched;
    const width = moe.expertIntermediateSize / (ep > tp ? 1 : tp / ep);
    const a2aBytes = ((e.tokens / tp) * moe.topK * c.hiddenSize * e.residualBits) / 8;
    if (replicas > 1) e.collective('moe dispatch all-to-all', 'all-to-all', 'ep', ep, a2aBytes, count);
    // A step waits for the rank whose experts its tokens touch most (uniform routing), not for the average rank; the
    // devices together still do the average's work (energyShare). The estimate charges energy to replicas that hold
    // sequences only: where the batch fills min(replicas, group batch) of the group's replicas, those carry the idle
    // replicas' ranks' expert work too (batch 1 on 8 replicas: the one busy replica is charged the whole group's).
    const busiest = expectedBusiestRankExperts(moe.numExperts, touched, ep);
    const busyReplicas = Math.min(replicas, e.expertGroupBatch);
    emitMlp(e, 'expert', 'moe', tokensPerExpert, width, count, busiest, busiest > 0 ? (touched / ep / busiest) * (replicas / busyReplicas) : 1);
    if (replicas > 1) e.collective('moe combine all-to-all', 'all-to-all', 'ep', ep, a2aBytes, count);
    if (moe.sharedExperts > 0 && moe.sharedIntermediateSize > 0) {
      emitMlp(e, 'shared expert', 'moe', e.tokens, (moe.sharedExperts * moe.sharedIntermediateSize) / tp, count);
    }
  },
  params(c: TransformerConfig) {
    const moe = c.moe!;
    const gated = c.mlp === 'gated';
    const expert = mlpParams(c.hiddenSize, moe.expertIntermediateSize, gated, c.mlpBias);
    const shared = moe.sharedExperts * mlpParams(c.hiddenSize, moe.sharedIntermediateSize, gated, c.mlpBias);
    const router = c.hiddenSize * moe.numExperts;
    return { total: moe.numExperts * expert + shared + router, active: moe.topK * expert + shared + router };
  },
  deviceWeightBytes(ctx: BlockContext): number {
    const c = ctx.config;
    const moe = c.moe!;
    const gated = c.mlp === 'gated';
    const wBytes = effectiveWeightBits(ctx.precision) / 8;
    const routed = moe.numExperts * mlpParams(c.hiddenSize, moe.expertIntermediateSize, gated, c.mlpBias);
    const shared = moe.sharedExperts * mlpParams(c.hiddenSize, moe.sharedIntermediateSize, gated, c.mlpBias);
    const expertShards = ctx.ep > ctx.tp ? 1 : ctx.tp / ctx.ep;
    const router = c.hiddenSize * moe.numExperts * (ctx.precision.embeddingBits / 8);
    return (routed / ctx.ep / expertShards + shared / ctx.tp) * wBytes + router;
  },
  activationWidth(ctx: BlockContext): number {
    const moe = ctx.config.moe!;
    return ((ctx.config.mlp === 'gated' ? 3 : 2) * moe.expertIntermediateSize * moe.topK) / ctx.tp;
  },
};

export const noFfn: FfnModule = {
  emit(): void {},
  params: () => ({ total: 0, active: 0 }),
  deviceWeightBytes: () => 0,
  activationWidth: () => 0,
};
