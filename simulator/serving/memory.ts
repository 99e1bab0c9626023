// Memory per device: weights + KV cache + transient activations + a runtime workspace, for the
// pipeline stage that holds the most.
import type { TransformerConfig } from '../../models/transformer-schema.ts';
import type { Precision } from '../../models/precision.ts';
import { paramBreakdown } from '../../models/params.ts';
import { averageLayerCacheBytes, averageLayerWeightBytes, maxActivationWidth } from '../../models/footprint.ts';
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
  /** Prefill logits at every prompt token (estimate's promptLogits), not only the last. */
  promptLogits?: boolean;
  workspaceBytes: number;
  /** Bytes of a draft model (weights and cache) that share each device, for speculative decoding. */
  draftBytes?: number;
  /** Extra weights on the first pipeline stage (a VLM's vision tower and projector). */
  stage0Bytes?: number;
  /** A floor under the activation peak (a VLM's tower runs before the LM prefill: the larger of the two counts). */
  minActivationBytes?: number;
}

export interface MemoryReport {
  /** Weights held by one device (the fullest pipeline stage). */
  weightsBytes: number;
  /** Weights of the whole model at this precision, on all devices of one replica together. */
  totalWeightsBytes: number;
  /** KV cache and recurrent (SSM) state of all resident sequences on one device. */
  kvCacheBytes: number;
  activationBytes: number;
  workspaceBytes: number;
  /** Draft model weights and cache per device (speculative decoding), 0 without. */
  draftBytes: number;
  perDeviceBytes: number;
  capacityBytes: number;
  fits: boolean;
  /** Cache bytes one more token of one sequence adds on one device at this context (0 past a sliding window). */
  kvBytesPerToken: number;
}

/** Per-device weight bytes of stage `stage` of `pp`: its layers, plus the embedding on the first and the head on the last. */
export function stageWeightBytes(c: TransformerConfig, p: Precision, tp: number, ep: number, pp: number, stage: number): number {
  const b = paramBreakdown(c);
  const eBytes = p.embeddingBits / 8;
  let bytes = stageLayers(c.numLayers, pp, stage) * averageLayerWeightBytes({ config: c, precision: p, tp, ep });
  if (stage === 0) bytes += ((b.embedding + b.positionEmbedding) / tp) * eBytes;
  if (stage === pp - 1) {
    // A tied head reuses the embedding table, unless it sits on another pipeline stage.
    const head = c.tieWordEmbeddings ? (pp > 1 ? b.embedding : 0) : b.lmHead;
    bytes += (head / tp) * eBytes + (c.norm === 'layernorm' ? 2 : 1) * c.hiddenSize * eBytes;
  }
  return bytes;
}

export function totalWeightBytes(c: TransformerConfig, p: Precision): number {
  return stageWeightBytes(c, p, 1, 1, 1, 0);
}

/** Cache bytes (KV and recurrent state) of one sequence on one device per layer, at `contextTokens`. */
function cachePerLayer(c: TransformerConfig, p: Precision, tp: number, contextTokens: number): number {
  return averageLayerCacheBytes({ config: c, precision: p, tp, ep: 1 }, contextTokens);
}

/** Peak transient activations of one prefill micro-batch on one device. */
export function activationBytes(c: TransformerConfig, p: Precision, plan: Pick<MemoryPlan, 'tp' | 'microBatch' | 'inputTokens' | 'flash' | 'promptLogits'>): number {
  const { tp, microBatch, inputTokens } = plan;
  const tokens = microBatch * inputTokens;
  const aBytes = p.actBits / 8;
  const rBytes = Math.max(p.actBits, 16) / 8;
  const widest = maxActivationWidth({ config: c, precision: p, tp, ep: 1 });
  // Residual stream + normed input + the widest intermediate of any layer.
  let bytes = tokens * (2 * c.hiddenSize * rBytes + widest * aBytes);
  if (!plan.flash && c.numHeads !== undefined) bytes += microBatch * (c.numHeads / tp) * inputTokens * inputTokens * aBytes;
  // fp32 logits of the last tokens (a vocab shard per rank); with promptLogits, of every prompt token, all-gathered
  // whole on each rank (the graph's logits all-gather).
  bytes += plan.promptLogits === true ? tokens * c.vocabSize * 4 : (microBatch * c.vocabSize * 4) / tp;
  return bytes;
}

export function memoryReport(c: TransformerConfig, p: Precision, plan: MemoryPlan, capacityBytes: number): MemoryReport {
  let worst: MemoryReport | null = null;
  const cacheLayer = cachePerLayer(c, p, plan.tp, plan.contextTokens);
  // Growth per token at this context, averaged over the next 1024 tokens (windows stop growing; sparse
  // attention adds a block mean every block).
  const kvPerTokenLayer = (cachePerLayer(c, p, plan.tp, plan.contextTokens + 1024) - cacheLayer) / 1024;
  const act = Math.max(activationBytes(c, p, plan), plan.minActivationBytes ?? 0);
  for (let stage = 0; stage < plan.pp; stage++) {
    const weightsBytes = stageWeightBytes(c, p, plan.tp, plan.ep, plan.pp, stage) + (stage === 0 ? plan.stage0Bytes ?? 0 : 0);
    const layers = stageLayers(c.numLayers, plan.pp, stage);
    const kvCacheBytes = plan.replicaBatch * cacheLayer * layers;
    const draftBytes = plan.draftBytes ?? 0;
    const perDeviceBytes = weightsBytes + kvCacheBytes + act + plan.workspaceBytes + draftBytes;
    if (worst === null || perDeviceBytes > worst.perDeviceBytes) {
      worst = {
        weightsBytes, totalWeightsBytes: totalWeightBytes(c, p), kvCacheBytes, activationBytes: act,
        workspaceBytes: plan.workspaceBytes, draftBytes, perDeviceBytes, capacityBytes, fits: perDeviceBytes <= capacityBytes,
        kvBytesPerToken: kvPerTokenLayer * layers,
      };
    }
  }
  return worst!;
}

/**
 * Largest replica batch whose memory fits, 0 if not even one fits. The cache grows with the batch and the activations
 * with its micro-batch (the batch over min(pp, batch) micro-batches: memoryReport), so under pipeline parallelism a
 * sequence holds 1/pp of an activation: the bound that counted a whole one per sequence put Llama-2-70B on 8 H100s at
 * pp 8 at 233 where batch 778 fits and 779 does not (a review, 2026-11-27). Bracketed by that bound (it fits) and the one with 1/pp
 * (none larger fits), then a binary search on memoryReport.
 */
export function maxReplicaBatch(c: TransformerConfig, p: Precision, plan: MemoryPlan, capacityBytes: number): number {
  let low = Infinity;
  let high = Infinity;
  for (let stage = 0; stage < plan.pp; stage++) {
    const fixed = stageWeightBytes(c, p, plan.tp, plan.ep, plan.pp, stage) + plan.workspaceBytes + (plan.draftBytes ?? 0)
      + (stage === 0 ? plan.stage0Bytes ?? 0 : 0);
    const layers = stageLayers(c.numLayers, plan.pp, stage);
    const cache = cachePerLayer(c, p, plan.tp, plan.contextTokens) * layers;
    const activation = Math.max(activationBytes(c, p, { ...plan, microBatch: 1 }), plan.minActivationBytes ?? 0);
    low = Math.min(low, Math.max(0, Math.floor((capacityBytes - fixed - (plan.minActivationBytes ?? 0)) / (cache + activation))));
    high = Math.min(high, Math.max(0, Math.floor((capacityBytes - fixed) / (cache + activation / plan.pp))));
  }
  if (!Number.isFinite(high) || high <= low) return low;
  const fits = (batch: number): boolean =>
    memoryReport(c, p, { ...plan, replicaBatch: batch, microBatch: Math.ceil(batch / Math.min(plan.pp, batch)) }, capacityBytes).fits;
  let lo = low;
  let hi = high + 1;
  if (lo > 0 && !fits(lo)) return low;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Longest prompt whose memory fits (memory grows with the prompt): a binary search, 0 if not even 1 fits. */
export function maxInputTokens(c: TransformerConfig, p: Precision, plan: MemoryPlan, outputTokens: number, capacityBytes: number): number {
  const fits = (input: number): boolean =>
    memoryReport(c, p, { ...plan, inputTokens: input, contextTokens: input + outputTokens }, capacityBytes).fits;
  if (!fits(1)) return 0;
  let lo = 1;
  let hi = 2;
  const ceiling = 1e9;
  while (hi < ceiling && fits(hi)) { lo = hi; hi *= 2; }
  if (hi >= ceiling && fits(ceiling)) return ceiling;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
