// Memory per device: weights + KV cache + transient activations + a runtime workspace, for the
// pipeline stage that holds the most.
import type { TransformerConfig } from '../../models/transformer-schema.ts';
import type { Precision } from '../../models/precision.ts';
import { effectiveWeightBits } from '../../models/precision.ts';
import { paramBreakdown } from '../../models/params.ts';
import { kvHeadsPerRank } from '../../models/graph.ts';
import { stageLayers } from './pipeline.ts';

export interface MemoryPlan {
  tp: number;
  pp: number;
  ep: number;
  /** Sequences resident on one replica (all its micro-batches). */
  replicaBatch: number;
  microBatch: number;
  contextTokens: number;
  inputTokens: number;
  flash: boolean;
  workspaceBytes: number;
}

export interface MemoryReport {
  /** Weights held by one device (the fullest pipeline stage). */
  weightsBytes: number;
  /** Weights of the whole model at this precision, on all devices of one replica together. */
  totalWeightsBytes: number;
  kvCacheBytes: number;
  activationBytes: number;
  workspaceBytes: number;
  perDeviceBytes: number;
  capacityBytes: number;
  fits: boolean;
  /** KV-cache bytes one token of one sequence adds on one device. */
  kvBytesPerToken: number;
}

/**
 * Weight bytes per device of one layer. Norms and the router are replicated; Q and O are split by TP, K and V
 * by TP down to one KV head per rank (replicated beyond that); experts are split over EP ranks and, within
 * the TP group, sharded tp/ep ways.
 */
function layerWeightBytes(c: TransformerConfig, p: Precision, tp: number, ep: number): number {
  const b = paramBreakdown(c);
  const wBytes = effectiveWeightBits(p) / 8;
  const kvWidthAll = c.numKvHeads * c.headDim;
  const kvWeights = 2 * c.hiddenSize * kvWidthAll + (c.qkvBias ? 2 * kvWidthAll : 0);
  const kvPerRank = kvWeights * (kvHeadsPerRank(c, tp) / c.numKvHeads);
  const attention = (b.attentionPerLayer - kvWeights) / tp + kvPerRank;
  const expertShards = ep > tp ? 1 : tp / ep;
  const sharded = attention + b.mlpPerLayer / tp + b.routedExpertsPerLayer / ep / expertShards;
  return sharded * wBytes + (b.routerPerLayer + b.normsPerLayer) * (p.embeddingBits / 8);
}

/** Per-device weight bytes of stage `stage` of `pp`. */
export function stageWeightBytes(c: TransformerConfig, p: Precision, tp: number, ep: number, pp: number, stage: number): number {
  const b = paramBreakdown(c);
  const eBytes = p.embeddingBits / 8;
  let bytes = stageLayers(c.numLayers, pp, stage) * layerWeightBytes(c, p, tp, ep);
  if (stage === 0) bytes += ((b.embedding + b.positionEmbedding) / tp) * eBytes;
  if (stage === pp - 1) {
    // A tied head reuses the embedding table, unless it sits on another pipeline stage.
    const head = c.tieWordEmbeddings ? (pp > 1 ? b.embedding : 0) : b.lmHead;
    bytes += (head / tp) * eBytes + b.finalNorm * eBytes;
  }
  return bytes;
}

export function totalWeightBytes(c: TransformerConfig, p: Precision): number {
  return stageWeightBytes(c, p, 1, 1, 1, 0);
}

export function kvBytesPerTokenPerLayer(c: TransformerConfig, p: Precision, tp: number): number {
  return (2 * kvHeadsPerRank(c, tp) * c.headDim * p.kvBits) / 8;
}

/** Peak transient activations of one prefill micro-batch on one device. */
export function activationBytes(c: TransformerConfig, p: Precision, plan: Pick<MemoryPlan, 'tp' | 'microBatch' | 'inputTokens' | 'flash'>): number {
  const { tp, microBatch, inputTokens } = plan;
  const tokens = microBatch * inputTokens;
  const aBytes = p.actBits / 8;
  const qkvWidth = ((c.numHeads + 2 * c.numKvHeads) * c.headDim) / tp;
  const ffn = c.moe ? c.moe.expertIntermediateSize * c.moe.topK : c.intermediateSize;
  const mlpWidth = ((c.mlp === 'gated' ? 3 : 2) * ffn) / tp;
  const rBytes = Math.max(p.actBits, 16) / 8;
  // Residual stream + normed input + the widest intermediate of the layer.
  let bytes = tokens * (2 * c.hiddenSize * rBytes + Math.max(qkvWidth, mlpWidth) * aBytes);
  if (!plan.flash) bytes += microBatch * (c.numHeads / tp) * inputTokens * inputTokens * aBytes;
  bytes += (microBatch * c.vocabSize * 4) / tp; // fp32 logits of the last tokens
  return bytes;
}

export function memoryReport(c: TransformerConfig, p: Precision, plan: MemoryPlan, capacityBytes: number): MemoryReport {
  let worst: MemoryReport | null = null;
  const kvPerTokenLayer = kvBytesPerTokenPerLayer(c, p, plan.tp);
  const act = activationBytes(c, p, plan);
  for (let stage = 0; stage < plan.pp; stage++) {
    const weightsBytes = stageWeightBytes(c, p, plan.tp, plan.ep, plan.pp, stage);
    const layers = stageLayers(c.numLayers, plan.pp, stage);
    const kvCacheBytes = plan.replicaBatch * plan.contextTokens * kvPerTokenLayer * layers;
    const perDeviceBytes = weightsBytes + kvCacheBytes + act + plan.workspaceBytes;
    if (worst === null || perDeviceBytes > worst.perDeviceBytes) {
      worst = {
        weightsBytes, totalWeightsBytes: totalWeightBytes(c, p), kvCacheBytes, activationBytes: act,
        workspaceBytes: plan.workspaceBytes, perDeviceBytes, capacityBytes, fits: perDeviceBytes <= capacityBytes,
        kvBytesPerToken: kvPerTokenLayer * layers,
      };
    }
  }
  return worst!;
}

/** Largest replica batch whose memory fits (memory grows linearly in batch), 0 if not even one fits. */
export function maxReplicaBatch(c: TransformerConfig, p: Precision, plan: MemoryPlan, capacityBytes: number): number {
  let best = Infinity;
  for (let stage = 0; stage < plan.pp; stage++) {
    const fixed = stageWeightBytes(c, p, plan.tp, plan.ep, plan.pp, stage) + plan.workspaceBytes;
    const layers = stageLayers(c.numLayers, plan.pp, stage);
    const perSequence = plan.contextTokens * kvBytesPerTokenPerLayer(c, p, plan.tp) * layers
      + activationBytes(c, p, { ...plan, microBatch: 1 });
    best = Math.min(best, Math.max(0, Math.floor((capacityBytes - fixed) / perSequence)));
  }
  return best;
}
