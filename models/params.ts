// Parameter counts from a config, by part. Pure arithmetic, used for weight memory and golden tests.
import type { TransformerConfig } from './transformer-schema.ts';

export interface ParamBreakdown {
  embedding: number;
  positionEmbedding: number;
  attentionPerLayer: number;
  mlpPerLayer: number;
  /** Parameters of one MoE layer's routed experts (all of them), 0 for dense models. */
  routedExpertsPerLayer: number;
  routerPerLayer: number;
  normsPerLayer: number;
  finalNorm: number;
  lmHead: number;
  total: number;
}

export function mlpParams(hidden: number, intermediate: number, gated: boolean, bias: boolean): number {
  const matrices = gated ? 3 : 2;
  const biases = bias ? (gated ? 2 : 1) * intermediate + hidden : 0;
  return matrices * hidden * intermediate + biases;
}

export function attentionParams(c: TransformerConfig): number {
  const qWidth = c.numHeads * c.headDim;
  const kvWidth = c.numKvHeads * c.headDim;
  const weights = c.hiddenSize * (qWidth + 2 * kvWidth) + qWidth * c.hiddenSize;
  const qkvBias = c.qkvBias ? qWidth + 2 * kvWidth : 0;
  const outBias = c.mlpBias ? c.hiddenSize : 0;
  return weights + qkvBias + outBias;
}

export function paramBreakdown(c: TransformerConfig): ParamBreakdown {
  const d = c.hiddenSize;
  const gated = c.mlp === 'gated';
  const normWidth = c.norm === 'layernorm' ? 2 * d : d;
  const embedding = c.vocabSize * d;
  const positionEmbedding = c.positional === 'learned' ? c.maxPositionEmbeddings * d : 0;
  const attentionPerLayer = attentionParams(c);
  let mlpPerLayer = 0;
  let routedExpertsPerLayer = 0;
  let routerPerLayer = 0;
  if (c.moe) {
    routedExpertsPerLayer = c.moe.numExperts * mlpParams(d, c.moe.expertIntermediateSize, gated, c.mlpBias);
    routerPerLayer = d * c.moe.numExperts;
    mlpPerLayer = c.moe.sharedExperts * mlpParams(d, c.moe.sharedIntermediateSize, gated, c.mlpBias);
  } else {
    mlpPerLayer = mlpParams(d, c.intermediateSize, gated, c.mlpBias);
  }
  const normsPerLayer = (c.parallelAttentionMlp && c.family !== 'gpt-neox' ? 1 : 2) * normWidth;
  const finalNorm = normWidth;
  const lmHead = c.tieWordEmbeddings ? 0 : c.vocabSize * d;
  const perLayer = attentionPerLayer + mlpPerLayer + routedExpertsPerLayer + routerPerLayer + normsPerLayer;
  const total = embedding + positionEmbedding + c.numLayers * perLayer + finalNorm + lmHead;
  return {
    embedding, positionEmbedding, attentionPerLayer, mlpPerLayer, routedExpertsPerLayer, routerPerLayer,
    normsPerLayer, finalNorm, lmHead, total,
  };
}

/** Parameters touched by one token: top-k routed experts instead of all of them. */
export function activeParams(c: TransformerConfig): number {
  const b = paramBreakdown(c);
  if (!c.moe) return b.total;
  const perExpert = b.routedExpertsPerLayer / c.moe.numExperts;
  return b.total - c.numLayers * (b.routedExpertsPerLayer - c.moe.topK * perExpert);
}
