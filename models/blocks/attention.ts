// Multi-head attention with GQA/MQA, RoPE and a KV cache; full causal or sliding-window.
// Megatron layout: QKV column-parallel, O row-parallel, one all-reduce after O.
import type { TransformerConfig } from '../transformer-schema.ts';
import type { GraphEmitter } from '../emitter.ts';
import { effectiveWeightBits } from '../precision.ts';
import type { BlockContext, MixerModule } from './types.ts';

interface AttentionDims { numHeads: number; numKvHeads: number; headDim: number }

/** The head counts of a model with attention layers (the schema requires them there). */
export function attentionDims(c: TransformerConfig): AttentionDims {
  if (c.numHeads === undefined || c.numKvHeads === undefined || c.headDim === undefined) {
    throw new Error(`${c.id}: attention layer without numHeads/numKvHeads/headDim (the schema should have refused it)`);
  }
  return { numHeads: c.numHeads, numKvHeads: c.numKvHeads, headDim: c.headDim };
}

/** KV heads held by one TP rank: shared heads are replicated when TP exceeds the KV head count. */
export function kvHeadsPerRank(config: TransformerConfig, tp: number): number {
  return Math.max(1, attentionDims(config).numKvHeads / tp);
}

function kvWeightParams(c: TransformerConfig): number {
  const { numKvHeads, headDim } = attentionDims(c);
  const kvWidth = numKvHeads * headDim;
  return 2 * c.hiddenSize * kvWidth + (c.qkvBias ? 2 * kvWidth : 0);
}

export function attentionParams(c: TransformerConfig): number {
  const { numHeads, numKvHeads, headDim } = attentionDims(c);
  const qWidth = numHeads * headDim;
  const kvWidth = numKvHeads * headDim;
  const weights = c.hiddenSize * (qWidth + 2 * kvWidth) + qWidth * c.hiddenSize;
  const qkvBias = c.qkvBias ? qWidth + 2 * kvWidth : 0;
  const outBias = c.mlpBias ? c.hiddenSize : 0;
  return weights + qkvBias + outBias;
}

/** Tokens of context one sequence keeps in the KV cache and attends over. */
function windowed(c: TransformerConfig, sliding: boolean, tokens: number): number {
  return sliding && c.slidingWindow !== undefined ? Math.min(tokens, c.slidingWindow) : tokens;
}

function attentionModule(sliding: boolean): MixerModule {
  return {
    emit(e: GraphEmitter, count: number): void {
      const c = e.config;
      const dims = attentionDims(c);
      const heads = dims.numHeads / e.tp;
      const kvHeads = kvHeadsPerRank(c, e.tp);
      const hd = dims.headDim;
      const name = sliding ? 'sliding-window attention' : 'attention';
      e.linear(`${sliding ? 'swa ' : ''}qkv projection`, 'attention', e.tokens, (heads + 2 * kvHeads) * hd, c.hiddenSize, count);
      if (c.positional === 'rope') e.stream(`${sliding ? 'swa ' : ''}rope`, 'attention', 'rope', e.tokens * (heads + kvHeads) * hd, 1, 1, count);
      e.stream(`${sliding ? 'swa ' : ''}kv-cache write`, 'attention', 'kv-write', e.tokens * 2 * kvHeads * hd, 1, 1, count, { outBits: e.precision.kvBits });
      // A sliding window caps what each new token attends to; the pass still sees all its new tokens.
      const kvLen = sliding && c.slidingWindow !== undefined ? Math.min(e.kvLen, c.slidingWindow + e.newTokens - 1) : e.kvLen;
      e.attention(name, count, { queryLen: e.newTokens, kvLen, numHeads: heads, numKvHeads: kvHeads, headDim: hd, causal: true });
      e.linear(`${sliding ? 'swa ' : ''}output projection`, 'attention', e.tokens, c.hiddenSize, heads * hd, count);
    },
    params: attentionParams,
    deviceWeightBytes(ctx: BlockContext): number {
      const c = ctx.config;
      const kv = kvWeightParams(c);
      const perRank = (attentionParams(c) - kv) / ctx.tp + kv * (kvHeadsPerRank(c, ctx.tp) / attentionDims(c).numKvHeads);
      return (perRank * effectiveWeightBits(ctx.precision)) / 8;
    },
    deviceCacheBytes(ctx: BlockContext, contextTokens: number): number {
      const c = ctx.config;
      return (windowed(c, sliding, contextTokens) * 2 * kvHeadsPerRank(c, ctx.tp) * attentionDims(c).headDim * ctx.precision.kvBits) / 8;
    },
    activationWidth(ctx: BlockContext): number {
      const { numHeads, numKvHeads, headDim } = attentionDims(ctx.config);
      return ((numHeads + 2 * numKvHeads) * headDim) / ctx.tp;
    },
    parallelismProblem(c: TransformerConfig, tp: number): string | null {
      const { numHeads, numKvHeads } = attentionDims(c);
      if (numHeads % tp !== 0) return `tp ${tp} does not divide the ${numHeads} attention heads of ${c.id}`;
      if (numKvHeads % tp !== 0 && tp % numKvHeads !== 0) {
        return `tp ${tp} and the ${numKvHeads} KV heads of ${c.id} must divide one another`;
      }
      return null;
    },
  };
}

export const fullAttention = attentionModule(false);
export const slidingAttention = attentionModule(true);
