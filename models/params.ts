// Parameter counts from a config, by part. Pure arithmetic, used for weight memory and golden tests.
import type { TransformerConfig } from './transformer-schema.ts';
import { layerGroupsOf } from './layers.ts';
import { FFNS, MIXERS } from './blocks/registry.ts';

export { mlpParams } from './blocks/ffn.ts';
export { attentionParams } from './blocks/attention.ts';

export interface ParamBreakdown {
  embedding: number;
  positionEmbedding: number;
  /** Token mixers (attention, SSM …) of all layers. */
  mixers: number;
  /** FFNs (dense, or every expert and router of MoE layers) of all layers. */
  ffns: number;
  /** Norm weights of all layers plus the final norm. */
  norms: number;
  lmHead: number;
  total: number;
  /** Parameters one token uses: routed experts count only top-k. */
  active: number;
}

/** Norm weights of one layer: two norms (one when attention and MLP share it), with bias for LayerNorm. */
export function layerNormParams(c: TransformerConfig, hasFfn = true): number {
  const width = c.norm === 'layernorm' ? 2 * c.hiddenSize : c.hiddenSize;
  const shared = c.parallelAttentionMlp && c.family !== 'gpt-neox';
  return (hasFfn && !shared ? 2 : 1) * width;
}

export function paramBreakdown(c: TransformerConfig): ParamBreakdown {
  const d = c.hiddenSize;
  const embedding = c.vocabSize * d;
  const positionEmbedding = c.positional === 'learned' ? c.maxPositionEmbeddings * d : 0;
  let mixers = 0;
  let ffns = 0;
  let ffnsActive = 0;
  let norms = c.norm === 'layernorm' ? 2 * d : d;
  for (const group of layerGroupsOf(c)) {
    for (const kind of group.mixers) mixers += group.count * MIXERS[kind].params(c);
    const ffn = FFNS[group.ffn].params(c);
    ffns += group.count * ffn.total;
    ffnsActive += group.count * ffn.active;
    norms += group.count * layerNormParams(c, group.ffn !== 'none');
  }
  const lmHead = c.tieWordEmbeddings ? 0 : c.vocabSize * d;
  const total = embedding + positionEmbedding + mixers + ffns + norms + lmHead;
  return { embedding, positionEmbedding, mixers, ffns, norms, lmHead, total, active: total - ffns + ffnsActive };
}

/** Parameters touched by one token: top-k routed experts instead of all of them. */
export function activeParams(c: TransformerConfig): number {
  return paramBreakdown(c).active;
}
