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

type Variant = 'full' | 'sliding' | 'sink' | 'sparse';

/** Most keys one query sees under this variant, or undefined for all of them. */
function visibleKeys(c: TransformerConfig, variant: Variant): number | undefined {
  switch (variant) {
    case 'full': return undefined;
    case 'sliding': return c.slidingWindow;
    case 'sink': return (c.attentionSinks ?? 0) + (c.slidingWindow ?? 0);
    case 'sparse': return c.sparseAttention ? c.sparseAttention.blockSize * c.sparseAttention.topKBlocks : undefined;
  }
}

/** Tokens of context one sequence keeps in the KV cache (sparse attention keeps all, plus block means). */
function cachedTokens(c: TransformerConfig, variant: Variant, tokens: number): number {
  if (variant === 'sliding' || variant === 'sink') return Math.min(tokens, visibleKeys(c, variant) ?? tokens);
  if (variant === 'sparse' && c.sparseAttention) return tokens + Math.ceil(tokens / c.sparseAttention.blockSize);
  return tokens;
}

const PREFIX: Readonly<Record<Variant, string>> = { full: '', sliding: 'swa ', sink: 'sink ', sparse: 'sparse ' };
const NAME: Readonly<Record<Variant, string>> = {
  full: 'attention', sliding: 'sliding-window attention', sink: 'sink + window attention', sparse: 'block-sparse attention',
};

function attentionModule(variant: Variant): MixerModule {
  const prefix = PREFIX[variant];
  return {
    emit(e: GraphEmitter, count: number): void {
      const c = e.config;
      const dims = attentionDims(c);
      const heads = dims.numHeads / e.tp;
      const kvHeads = kvHeadsPerRank(c, e.tp);
      const hd = dims.headDim;
      e.linear(`${prefix}qkv projection`, 'attention', e.tokens, (heads + 2 * kvHeads) * hd, c.hiddenSize, count);
      if (c.positional === 'rope') e.stream(`${prefix}rope`, 'attention', 'rope', e.tokens * (heads + kvHeads) * hd, 1, 1, count);
      e.stream(`${prefix}kv-cache write`, 'attention', 'kv-write', e.tokens * 2 * kvHeads * hd, 1, 1, count, { outBits: e.precision.kvBits });
      const window = visibleKeys(c, variant);
      const selection = variant === 'sparse' && c.sparseAttention ? c.sparseAttention.blockSize : undefined;
      e.attention(NAME[variant], count, {
        queryLen: e.newTokens, kvLen: e.kvLen, numHeads: heads, numKvHeads: kvHeads, headDim: hd, causal: true,
        ...(window === undefined ? {} : { windowTokens: window }),
        ...(selection === undefined ? {} : { selectionBlockSize: selection }),
      });
      e.linear(`${prefix}output projection`, 'attention', e.tokens, c.hiddenSize, heads * hd, count);
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
      return (cachedTokens(c, variant, contextTokens) * 2 * kvHeadsPerRank(c, ctx.tp) * attentionDims(c).headDim * ctx.precision.kvBits) / 8;
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

export const fullAttention = attentionModule('full');
export const slidingAttention = attentionModule('sliding');
/** StreamingLLM-style Λ-shaped attention: the first `attentionSinks` tokens plus a sliding window. */
export const sinkAttention = attentionModule('sink');
/** MoBA / NSA-style block-sparse attention: each query scores block means and attends to its top-k blocks. */
export const sparseAttention = attentionModule('sparse');
