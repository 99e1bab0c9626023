// Multi-head latent attention (DeepSeek-V2, arXiv:2405.04434 §2.1; DeepSeek-V3, arXiv:2412.19437 §2.1).
//
// Per layer, with d = hiddenSize, H heads, d_c = kvLoraRank, d_c' = qLoraRank, d_h = qkNopeHeadDim,
// d_R = qkRopeHeadDim, d_v = vHeadDim:
//   query   c_Q = W_DQ x (d → d_c', RMSNorm), q = W_UQ c_Q (d_c' → H(d_h + d_R)); without a query LoRA
//           (d_c' = 0, DeepSeek-V2-Lite) q = W_Q x (d → H(d_h + d_R)).
//   kv      [c_KV, k_R] = W_DKV x (d → d_c + d_R; RMSNorm on c_KV): the latent and the RoPE key shared by all
//           heads. These d_c + d_R values per token per layer are all the cache holds.
//   up      [k_C, v] = W_UKV c_KV (d_c → H(d_h + d_v)).
//   output  o = W_O [heads · d_v] (H d_v → d).
//
// Two ways to run it, one per phase:
//   'naive' (prefill): decompress K and V for every cached token with W_UKV, then ordinary multi-head attention,
//     QK over d_h + d_R and PV over d_v. Cheapest in FLOPs when there are many queries per cached token.
//   'absorbed' (decode, eq. 10 of the V2 paper, as vLLM / FlashMLA run it): fold W_UK into the query
//     (q̂ = q_Cᵀ W_UK per head, a batched GEMM) and W_UV into the output (per-head GEMM before W_O), so attention
//     runs in the latent space as MQA with one shared "KV head": scores over d_c + d_R per head, values = the
//     d_c latent. It reads only the latent cache. (Pre-multiplying W_UV into W_O would make W_O H·d_c × d, larger
//     than W_UV plus W_O, so the runtime BMM is what serving engines do and what is counted.)
//
// The attention op has a single headDim; both forms are encoded exactly:
//   naive:    headDim = (d_qk + d_v) / 2 with numKvHeads = numHeads. The op counts 4·pairs·H·headDim FLOPs
//             = 2·pairs·H·(d_qk + d_v), Q+O bytes H·(d_qk + d_v), K+V bytes H·(d_qk + d_v): all exact.
//   absorbed: headDim = (d_c + d_R + d_c) / 2 (mean of the QK width d_c + d_R and the PV width d_c), and the
//             "KV heads" numKvHeads = (d_c + d_R) / (2·headDim) (< 1): the op's K+V bytes
//             2·numKvHeads·headDim = d_c + d_R per token, i.e. one read of the shared latent (K and V are the
//             same buffer). FLOPs and Q+O bytes are exact as above.
//
// Tensor parallelism (vLLM's DeepseekV2MLAAttention): the down-projections W_DQ, W_DKV and their norms are
// replicated; W_UQ, W_UKV (and W_Q) are column-parallel by head and W_O row-parallel. The latent is shared by
// all heads, so every TP rank keeps the whole latent cache: KV bytes per device do NOT shrink with TP (the
// same as MQA with its one KV head replicated). Heads must divide by TP.
import type { TransformerConfig } from '../transformer-schema.ts';
import type { GraphEmitter } from '../emitter.ts';
import { effectiveWeightBits } from '../precision.ts';
import type { BlockContext, MixerModule } from './types.ts';

export interface MlaDims {
  numHeads: number;
  qLoraRank: number;
  kvLoraRank: number;
  qkNope: number;
  qkRope: number;
  v: number;
}

export type MlaForm = 'naive' | 'absorbed';

export function mlaDims(c: TransformerConfig): MlaDims {
  if (c.mla === undefined || c.numHeads === undefined) {
    throw new Error(`${c.id}: an 'mla' layer without the model's mla settings or numHeads (the schema should have refused it)`);
  }
  const m = c.mla;
  return { numHeads: c.numHeads, qLoraRank: m.qLoraRank, kvLoraRank: m.kvLoraRank, qkNope: m.qkNopeHeadDim, qkRope: m.qkRopeHeadDim, v: m.vHeadDim };
}

/** Cache elements per token per layer: the latent c_KV and the shared RoPE key (d_c + d_R). */
export function mlaCacheWidth(c: TransformerConfig): number {
  const m = mlaDims(c);
  return m.kvLoraRank + m.qkRope;
}

/** Parameters of the replicated part (down-projections, their norms and biases) and the head-sharded part. */
function mlaParamParts(c: TransformerConfig): { replicated: number; sharded: number } {
  const { numHeads: h, qLoraRank: dq, kvLoraRank: dc, qkNope, qkRope, v } = mlaDims(c);
  const d = c.hiddenSize;
  const qk = qkNope + qkRope;
  const bias = c.qkvBias; // HF attention_bias: on q_a_proj, kv_a_proj_with_mqa and o_proj
  let replicated = d * (dc + qkRope) + dc + (bias ? dc + qkRope : 0);
  let sharded = dc * h * (qkNope + v) + h * v * d + (bias ? d : 0);
  if (dq > 0) {
    replicated += d * dq + dq + (bias ? dq : 0);
    sharded += dq * h * qk;
  } else {
    sharded += d * h * qk;
  }
  return { replicated, sharded };
}

export function mlaParams(c: TransformerConfig): number {
  const { replicated, sharded } = mlaParamParts(c);
  return replicated + sharded;
}

/** Emits one MLA layer's ops (times `count`) in the given form; the module picks naive for prefill, absorbed for decode. */
export function emitMla(e: GraphEmitter, count: number, form: MlaForm): void {
  const c = e.config;
  const { numHeads, qLoraRank: dq, kvLoraRank: dc, qkNope, qkRope, v } = mlaDims(c);
  const d = c.hiddenSize;
  const heads = numHeads / e.tp;
  const qk = qkNope + qkRope;
  const t = e.tokens;
  // Down-projections (replicated on every TP rank), latent norms, query up-projection (head-sharded).
  if (dq > 0) {
    e.linear('mla q/kv down projection', 'attention', t, dq + dc + qkRope, d, count);
    // Two norms (query and KV latents) priced as one op: rows of their mean width.
    e.stream('mla latent norms', 'norm', 'rmsnorm', t * (dq + dc), 1, 1, count, { rowLength: (dq + dc) / 2 });
    e.linear('mla q up projection', 'attention', t, heads * qk, dq, count);
  } else {
    e.linear('mla q projection', 'attention', t, heads * qk, d, count);
    e.linear('mla kv down projection', 'attention', t, dc + qkRope, d, count);
    e.stream('mla latent norms', 'norm', 'rmsnorm', t * dc, 1, 1, count, { rowLength: dc });
  }
  e.stream('mla rope', 'attention', 'rope', t * (heads + 1) * qkRope, 1, 1, count);
  e.stream('mla latent cache write', 'attention', 'kv-write', t * (dc + qkRope), 1, 1, count, { outBits: e.precision.kvBits });
  if (form === 'naive') {
    // Decompress K (nope part) and V of every token in the context, then multi-head attention over them.
    e.linear('mla kv up projection', 'attention', e.batch * e.kvLen, heads * (qkNope + v), dc, count);
    e.ops.push({
      kind: 'attention', name: 'mla attention (decompressed)', scope: 'layer', block: 'attention', count, batch: e.batch,
      flash: e.flash, actBits: e.actBits, kvBits: e.residualBits, queryLen: e.newTokens, kvLen: e.kvLen,
      numHeads: heads, numKvHeads: heads, headDim: (qk + v) / 2, causal: true,
    });
  } else {
    // q̂ = q_nope · W_UK per head (batched over the rank's heads), latent-space MQA, then W_UV per head.
    e.linear('mla absorb W_UK into query', 'attention', t, dc, qkNope, count, { gemmBatch: heads });
    const headDim = (dc + qkRope + dc) / 2;
    e.ops.push({
      kind: 'attention', name: 'mla latent attention (absorbed)', scope: 'layer', block: 'attention', count, batch: e.batch,
      flash: e.flash, actBits: e.actBits, kvBits: e.precision.kvBits, queryLen: e.newTokens, kvLen: e.kvLen,
      numHeads: heads, numKvHeads: (dc + qkRope) / (2 * headDim), headDim, causal: true,
    });
    e.linear('mla absorb W_UV into output', 'attention', t, v, dc, count, { gemmBatch: heads });
  }
  e.linear('mla output projection', 'attention', t, d, heads * v, count);
}

export const mlaMixer: MixerModule = {
  emit(e: GraphEmitter, count: number): void {
    emitMla(e, count, e.phase === 'prefill' ? 'naive' : 'absorbed');
  },
  params: mlaParams,
  deviceWeightBytes(ctx: BlockContext): number {
    const { replicated, sharded } = mlaParamParts(ctx.config);
    return ((replicated + sharded / ctx.tp) * effectiveWeightBits(ctx.precision)) / 8;
  },
  deviceCacheBytes(ctx: BlockContext, contextTokens: number): number {
    // The latent is replicated on every TP rank (see the header).
    return (contextTokens * mlaCacheWidth(ctx.config) * ctx.precision.kvBits) / 8;
  },
  activationWidth(ctx: BlockContext): number {
    // Prefill holds the down-projection outputs, Q (d_h + d_R), decompressed K (d_h + d_R) and V (d_v) per head.
    const { numHeads, qLoraRank, kvLoraRank, qkNope, qkRope, v } = mlaDims(ctx.config);
    return qLoraRank + kvLoraRank + qkRope + (numHeads / ctx.tp) * (2 * (qkNope + qkRope) + v);
  },
  parallelismProblem(c: TransformerConfig, tp: number): string | null {
    const { numHeads } = mlaDims(c);
    if (numHeads % tp !== 0) return `tp ${tp} does not divide the ${numHeads} attention heads of ${c.id} (MLA shards whole heads)`;
    return null;
  },
};
