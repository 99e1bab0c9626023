// What one device holds of a model: weight bytes and cache bytes per layer (averaged over the stack, so a
// pipeline stage of n layers holds n × the average) and the widest transient activation.
import { layerGroupsOf } from './layers.ts';
import { layerNormParams } from './params.ts';
import { FFNS, MIXERS } from './blocks/registry.ts';
import type { BlockContext } from './blocks/types.ts';

export type { BlockContext } from './blocks/types.ts';

export function averageLayerWeightBytes(ctx: BlockContext): number {
  const c = ctx.config;
  const normBytes = ctx.precision.embeddingBits / 8;
  let sum = 0;
  for (const group of layerGroupsOf(c)) {
    let layer = FFNS[group.ffn].deviceWeightBytes(ctx) + layerNormParams(c, group.ffn !== 'none') * normBytes;
    for (const kind of group.mixers) layer += MIXERS[kind].deviceWeightBytes(ctx);
    sum += group.count * layer;
  }
  return sum / c.numLayers;
}

/** Cache bytes per layer on one device for one sequence holding `contextTokens` tokens. */
export function averageLayerCacheBytes(ctx: BlockContext, contextTokens: number): number {
  let sum = 0;
  for (const group of layerGroupsOf(ctx.config)) {
    for (const kind of group.mixers) sum += group.count * MIXERS[kind].deviceCacheBytes(ctx, contextTokens);
  }
  return sum / ctx.config.numLayers;
}

/** Widest intermediate any layer produces per token on one device, in elements. */
export function maxActivationWidth(ctx: BlockContext): number {
  let widest = 0;
  for (const group of layerGroupsOf(ctx.config)) {
    widest = Math.max(widest, FFNS[group.ffn].activationWidth(ctx));
    for (const kind of group.mixers) widest = Math.max(widest, MIXERS[kind].activationWidth(ctx));
  }
  return widest;
}

/** The first parallelism problem any layer's mixer has at this TP degree, or null. */
export function parallelismProblem(ctx: Pick<BlockContext, 'config' | 'tp'>): string | null {
  for (const group of layerGroupsOf(ctx.config)) {
    for (const kind of group.mixers) {
      const problem = MIXERS[kind].parallelismProblem(ctx.config, ctx.tp);
      if (problem) return problem;
    }
  }
  return null;
}
