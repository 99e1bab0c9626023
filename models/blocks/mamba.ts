// Selective state-space mixers: Mamba-1 (Gu & Dao 2023, arXiv:2312.00752) and Mamba-2 / SSD (Dao & Gu 2024,
// arXiv:2405.21060), plus the two hybrid blocks built from them that no plain layer list can express: Hymba's
// fused attention+SSM head (arXiv:2411.13676) and Zamba2's shared transformer block (arXiv:2411.15242).
//
// Notation (whole model): d = hiddenSize, E = d_inner = expand·d, N = stateSize, K = convKernel, R = dtRank;
// Mamba-2: P = headDim, H = E/P heads, G = numGroups, Q = chunkSize. Per device everything E-wide (and H, G)
// is divided by TP; in_proj is column-parallel, out_proj row-parallel and graph.ts all-reduces after the mixers.
//
// Mamba-1 block (paper §3.4, Fig. 3; Alg. 2 for the selection): [x, z] = in_proj(u) (d → 2E);
//   x = SiLU(conv1d_K(x)); [δ, B, C] = x_proj(x) (E → R + 2N); Δ = softplus(dt_proj(δ)) (R → E);
//   per channel c and state n (eq. 2a/2b with the ZOH discretisation of eq. 4, Ā = exp(ΔA), B̄x ≈ ΔBx):
//   h[c,n] ← exp(Δ_c A[c,n])·h[c,n] + Δ_c B_n x_c,  y_c = Σ_n C_n h[c,n] + D_c x_c;  out = out_proj(y ⊙ SiLU(z)).
//   x_proj reads the E-sharded x, so under TP it is row-parallel and needs a small all-reduce of R + 2N values.
// Mamba-2 block (SSD paper §7, Fig. 6): [z, x, B, C, dt] = in_proj(u) (d → 2E + 2GN + H); conv1d over
//   x, B, C (E + 2GN channels); per head a scalar decay a_t = exp(Δ_t A_h); y = SSD(x, a, B, C) + D x;
//   out = out_proj(RMSNorm(y ⊙ SiLU(z))). With G < TP the B/C groups are replicated on every rank (vLLM).
//
// Scans as ops (there is no scan op kind; each is an elementwise op with explicit FLOPs and traffic):
//   Mamba-1 scan: one element per (token, channel), 7N + 12 FLOPs: per state ΔA (1), exp (1), ·Bx (1),
//     h update (2), C·h accumulate (2); per channel softplus (4), Δx (1), D skip (2), y·SiLU(z) (5). The fused
//     kernel reads x, Δ, z (3 values) and the token's B, C (2N, shared by the channels), writes y; the state
//     stays on chip. The recurrent state itself is a separate op at STATE_BITS: written once after a prefill,
//     read and written by every decode step.
//   Mamba-2 prefill, chunked SSD (SSD paper §6, Listing 1) with Q' = min(Q, L) and c = ⌈L/Q'⌉ chunks:
//     intra-chunk  CBᵀ (per chunk and group, Q'×N·N×Q'), the causal decay mask L (per head, on chip),
//                  (L∘CBᵀ)·X (per chunk and head, Q'×Q'·Q'×P; emitted per group with its heads side by side so
//                  the shared B, C and CBᵀ are read once per group, FLOPs unchanged);
//     chunk states Xᵀ·(decay∘B) (per chunk and head, P×Q'·Q'×N), written in fp32;
//     state passing the recurrence across chunks over H·P·N states (2 FLOPs each, fp32 read and write);
//     inter-chunk  C·state (per chunk and head, Q'×N·N×P).
//   Mamba-2 decode (one new token): the recurrent update h ← a·h + Δ·x·Bᵀ, y = h·C over H·P·N states
//     (6 FLOPs each), reading and writing the state at STATE_BITS. Nothing depends on the context length.
//
// Cache per sequence and layer (constant in context): conv state (K−1)·channels at activation precision and the
// SSM state (E·N for Mamba-1, H·P·N for Mamba-2) at STATE_BITS = 32. Serving stacks differ here (mamba_ssm and
// HF keep the state in the model dtype; vLLM offers --mamba-ssm-cache-dtype float32 and recommends it where bf16
// state drifts); the recurrence is accumulated in fp32 by every kernel, so fp32 is the safe capacity bound.
import type { TransformerConfig } from '../transformer-schema.ts';
import type { ElementwiseOp, GemmOp } from '../ops.ts';
import type { GraphEmitter } from '../emitter.ts';
import { effectiveWeightBits } from '../precision.ts';
import type { BlockContext, MixerModule } from './types.ts';
import { attentionDims, fullAttention, kvHeadsPerRank } from './attention.ts';
import { mlpParams } from './ffn.ts';

/** Bits of the SSM recurrent state (see the header). */
export const STATE_BITS = 32;

export interface MambaDims {
  /** d_inner = expand · hiddenSize. */
  dInner: number;
  stateSize: number;
  convKernel: number;
  /** Mamba-1 Δ rank (default ⌈d/16⌉, "auto" in mamba_ssm). */
  dtRank: number;
  /** Mamba-2 head width P (default 64). */
  headDim: number;
  /** Mamba-2 heads H = d_inner / P. */
  heads: number;
  /** Mamba-2 groups sharing B and C (default 1). */
  groups: number;
  /** Mamba-2 SSD chunk length (default 256). */
  chunkSize: number;
}

export function mambaDims(c: TransformerConfig): MambaDims {
  const m = c.mamba;
  if (m === undefined) throw new Error(`${c.id}: a Mamba layer without the model's mamba settings (the schema should have refused it)`);
  const dInner = Math.round(m.expand * c.hiddenSize);
  const headDim = m.headDim ?? 64;
  return {
    dInner,
    stateSize: m.stateSize,
    convKernel: m.convKernel,
    dtRank: m.dtRank ?? Math.ceil(c.hiddenSize / 16),
    headDim,
    heads: Math.max(1, Math.round(dInner / headDim)),
    groups: m.numGroups ?? 1,
    chunkSize: m.chunkSize ?? 256,
  };
}

/** B/C groups one rank holds: sharded when TP divides them, else replicated (TP a multiple of the groups). */
export function groupsPerRank(groups: number, tp: number): number {
  return groups >= tp ? groups / tp : groups;
}

// ---- shared emitters -----------------------------------------------------------------------------------

function vectorOp(e: GraphEmitter, name: string, count: number, elements: number, flops: number, reads: number, writes: number,
  bits = e.residualBits): void {
  const op: ElementwiseOp = {
    kind: 'elementwise', name, scope: 'layer', block: 'attention', count, fn: 'mul', elements,
    readsPerElement: reads, writesPerElement: writes, flopsPerElement: flops, bits,
  };
  e.ops.push(op);
}

/** batch × (m×k)·(k×n) with both operands activations (no weight). */
function activationGemm(e: GraphEmitter, name: string, count: number, batch: number, m: number, n: number, k: number,
  outBits = e.residualBits): void {
  const op: GemmOp = {
    kind: 'gemm', name, scope: 'layer', block: 'attention', count, m, n, k, batch,
    weightBits: null, actBits: e.actBits, outBits,
  };
  e.ops.push(op);
}

/**
 * Causal depthwise conv1d (kernel K) + bias + SiLU over `channels` per token: 2K + 5 FLOPs per element.
 * Reads the input (and, continuing a sequence, its K−1 cached inputs), writes the output and the new conv state.
 */
function emitConv(e: GraphEmitter, prefix: string, count: number, channels: number, kernel: number): void {
  const perSeq = (kernel - 1) / e.newTokens;
  const reads = 1 + (e.pastTokens > 0 ? perSeq : 0);
  vectorOp(e, `${prefix} conv1d`, count, e.tokens * channels, 2 * kernel + 5, reads, 1 + perSeq);
}

/**
 * Mamba-1's selective machinery between in_proj and out_proj, on `di` channels per device. `lastState: false`
 * skips the recurrent-state write (an encoder such as Vision Mamba runs the scan without return_last_state).
 */
export function emitSelectiveScan(e: GraphEmitter, prefix: string, count: number, dims: MambaDims, di: number, lastState = true): void {
  const { stateSize: n, dtRank: r } = dims;
  emitConv(e, prefix, count, di, dims.convKernel);
  e.linear(`${prefix} x_proj`, 'attention', e.tokens, r + 2 * n, di, count);
  e.allReduce(`${prefix} x_proj all-reduce`, e.tokens * (r + 2 * n), count);
  e.linear(`${prefix} dt_proj`, 'attention', e.tokens, di, r, count);
  vectorOp(e, `${prefix} selective scan`, count, e.tokens * di, 7 * n + 12, 3 + (2 * n) / di, 1);
  if (!lastState) return;
  // The recurrent state: read when the sequence continues, written after every pass (per token in decode).
  const stateElements = (e.newTokens === 1 ? e.tokens : e.batch) * di * n;
  vectorOp(e, `${prefix} ssm state`, count, stateElements, 0, e.pastTokens > 0 ? 1 : 0, 1, STATE_BITS);
}

// ---- Mamba-1 ------------------------------------------------------------------------------------------

/** Parameters of one Mamba-1 mixer without in_proj and out_proj: conv (+bias), x_proj, dt_proj (+bias), A, D. */
export function mamba1CoreParams(dims: MambaDims): number {
  const { dInner: e, stateSize: n, convKernel: k, dtRank: r } = dims;
  return e * k + e + e * (r + 2 * n) + r * e + e + e * n + e;
}

export function mamba1Params(c: TransformerConfig): number {
  const dims = mambaDims(c);
  return 2 * c.hiddenSize * dims.dInner + mamba1CoreParams(dims) + dims.dInner * c.hiddenSize;
}

/** Cache of one Mamba-1 layer per sequence on one device: conv state + SSM state. */
function mamba1StateBytes(ctx: BlockContext): number {
  const dims = mambaDims(ctx.config);
  const di = dims.dInner / ctx.tp;
  const convBits = Math.max(16, ctx.precision.actBits);
  return ((dims.convKernel - 1) * di * convBits + di * dims.stateSize * STATE_BITS) / 8;
}

/** Weight bytes on one device: the projections at the weight precision, the small vectors at 16+ bits. */
function weightBytes(ctx: BlockContext, matrixParams: number, vectorParams: number): number {
  return (matrixParams * effectiveWeightBits(ctx.precision) + vectorParams * ctx.precision.embeddingBits) / 8;
}

function dInnerProblem(c: TransformerConfig, tp: number, what: string): string | null {
  const dims = mambaDims(c);
  if (!Number.isInteger(c.mamba!.expand * c.hiddenSize)) return `${c.id}: expand × hiddenSize (${c.mamba!.expand * c.hiddenSize}) must be a whole number of ${what} channels`;
  if (dims.dInner % tp !== 0) return `tp ${tp} does not divide the ${dims.dInner} ${what} channels (d_inner) of ${c.id}`;
  return null;
}

export const mamba1Mixer: MixerModule = {
  emit(e: GraphEmitter, count: number): void {
    const c = e.config;
    const dims = mambaDims(c);
    const di = dims.dInner / e.tp;
    e.linear('mamba in_proj', 'attention', e.tokens, 2 * di, c.hiddenSize, count);
    emitSelectiveScan(e, 'mamba', count, dims, di);
    e.linear('mamba out_proj', 'attention', e.tokens, c.hiddenSize, di, count);
  },
  params: mamba1Params,
  deviceWeightBytes(ctx: BlockContext): number {
    const c = ctx.config;
    const { dInner: ei, stateSize: n, dtRank: r } = mambaDims(c);
    const matrices = 2 * c.hiddenSize * ei + ei * (r + 2 * n) + r * ei + ei * c.hiddenSize;
    return weightBytes(ctx, matrices / ctx.tp, (mamba1Params(c) - matrices) / ctx.tp);
  },
  deviceCacheBytes: (ctx: BlockContext) => mamba1StateBytes(ctx),
  activationWidth(ctx: BlockContext): number {
    // mamba_inner_fn keeps x‖z, the conv output, Δ and y per token (4E) plus δ, B, C (R + 2N).
    const { dInner, dtRank, stateSize } = mambaDims(ctx.config);
    return (4 * dInner) / ctx.tp + dtRank + 2 * stateSize;
  },
  parallelismProblem: (c: TransformerConfig, tp: number) => dInnerProblem(c, tp, 'Mamba'),
};

// ---- Mamba-2 ------------------------------------------------------------------------------------------

export function mamba2Params(c: TransformerConfig): number {
  const { dInner: e, stateSize: n, convKernel: k, heads: h, groups: g } = mambaDims(c);
  const convCh = e + 2 * g * n;
  // in_proj, conv (+bias), dt_bias + A_log + D per head, gated RMSNorm weight, out_proj.
  return c.hiddenSize * (2 * e + 2 * g * n + h) + convCh * (k + 1) + 3 * h + e + e * c.hiddenSize;
}

export const mamba2Mixer: MixerModule = {
  emit(e: GraphEmitter, count: number): void {
    const c = e.config;
    const dims = mambaDims(c);
    const { stateSize: n, headDim: p } = dims;
    const di = dims.dInner / e.tp;
    const h = dims.heads / e.tp;
    const g = groupsPerRank(dims.groups, e.tp);
    e.linear('mamba2 in_proj', 'attention', e.tokens, 2 * di + 2 * g * n + h, c.hiddenSize, count);
    emitConv(e, 'mamba2', count, di + 2 * g * n, dims.convKernel);
    if (e.newTokens === 1) {
      // Recurrent step (selective_state_update): the state is read and written once per token.
      vectorOp(e, 'mamba2 state update', count, e.tokens * h * p * n, 6, 1, 1, STATE_BITS);
    } else {
      const q = Math.min(dims.chunkSize, e.newTokens);
      const chunks = e.batch * Math.ceil(e.newTokens / q);
      // The h/g heads of a group share B and C: each group's GEMMs stack its heads' X (and states) side by side,
      // so B and C are read once per group, as the kernels' L2 reuse achieves; FLOPs are unchanged.
      const hg = h / g;
      activationGemm(e, 'mamba2 ssd CB (intra-chunk)', count, chunks * g, q, q, n);
      vectorOp(e, 'mamba2 ssd decay mask', count, chunks * h * q * q, 3, 0, 0);
      activationGemm(e, 'mamba2 ssd intra-chunk output', count, chunks * g, q, hg * p, q);
      activationGemm(e, 'mamba2 ssd chunk states', count, chunks * g, hg * p, n, q, STATE_BITS);
      vectorOp(e, 'mamba2 ssd state passing', count, chunks * h * p * n, 2, e.pastTokens > 0 ? 1 + e.batch / chunks : 1, 1, STATE_BITS);
      activationGemm(e, 'mamba2 ssd inter-chunk output', count, chunks * g, q, hg * p, n);
    }
    // Per channel: D skip (2), y·SiLU(z) (5), gated RMSNorm (4); reads y, x, z and the token's B, C.
    vectorOp(e, 'mamba2 skip, gate and norm', count, e.tokens * di, 11, 3 + (2 * g * n) / di, 1);
    e.linear('mamba2 out_proj', 'attention', e.tokens, c.hiddenSize, di, count);
  },
  params: mamba2Params,
  deviceWeightBytes(ctx: BlockContext): number {
    const c = ctx.config;
    const { dInner: ei, stateSize: n, convKernel: k, heads: h, groups } = mambaDims(c);
    const g = groupsPerRank(groups, ctx.tp);
    const matrices = c.hiddenSize * ((2 * ei + h) / ctx.tp + 2 * g * n) + (ei / ctx.tp) * c.hiddenSize;
    const vectors = (ei / ctx.tp + 2 * g * n) * (k + 1) + (3 * h + ei) / ctx.tp;
    return weightBytes(ctx, matrices, vectors);
  },
  deviceCacheBytes(ctx: BlockContext): number {
    const { dInner, stateSize: n, convKernel: k, headDim: p, heads, groups } = mambaDims(ctx.config);
    const convCh = dInner / ctx.tp + 2 * groupsPerRank(groups, ctx.tp) * n;
    const convBits = Math.max(16, ctx.precision.actBits);
    return ((k - 1) * convCh * convBits + (heads / ctx.tp) * p * n * STATE_BITS) / 8;
  },
  activationWidth(ctx: BlockContext): number {
    // Per token: the in_proj output, the conv output and y, plus the chunked scan's CBᵀ scores (G·Q per token)
    // and fp32 chunk states (H·P·N per chunk of Q tokens, counted as two 16-bit elements each).
    const { dInner, stateSize: n, headDim: p, heads, groups, chunkSize: q } = mambaDims(ctx.config);
    const di = dInner / ctx.tp;
    const h = heads / ctx.tp;
    const g = groupsPerRank(groups, ctx.tp);
    return 2 * di + 2 * g * n + h + (di + 2 * g * n) + di + g * q + (2 * h * p * n) / q;
  },
  parallelismProblem(c: TransformerConfig, tp: number): string | null {
    const base = dInnerProblem(c, tp, 'Mamba-2');
    if (base) return base;
    const { dInner, headDim, heads, groups } = mambaDims(c);
    if (dInner % headDim !== 0) return `${c.id}: headDim ${headDim} does not divide d_inner ${dInner}`;
    if (heads % tp !== 0) return `tp ${tp} does not divide the ${heads} Mamba-2 heads of ${c.id}`;
    if (groups % tp !== 0 && tp % groups !== 0) return `tp ${tp} and the ${groups} Mamba-2 groups of ${c.id} must divide one another`;
    return null;
  },
};

// ---- Hymba: fused attention + SSM heads ---------------------------------------------------------------
//
// One in_proj feeds both branches (d → 2E + H·d_h + K_h·d_h + K_h·d_v): the SSM's x and gate z, the queries and
// the keys/values of K_h KV heads. Attention has no output projection of its own: its output (H·d_v = E wide, so
// d_v = E/H) and the Mamba-1 output are RMS-normed, averaged and share one out_proj (E → d). Sliding-window
// layers ('hymba') and global ones ('hymba-global') differ only in the attention span. The attention op carries
// headDim = (d_h + d_v)/2, which keeps its QK+PV FLOPs, Q+O bytes and K+V bytes exact.
// Not modelled: cross-layer KV sharing (kv_reuse_group: pairs of layers share one KV cache and K/V projection,
// so cache and K/V weights of the sliding layers are overcounted up to 2×) and the 128 prepended meta tokens.

function hymbaDims(c: TransformerConfig) {
  const { numHeads, numKvHeads, headDim } = attentionDims(c);
  const dims = mambaDims(c);
  const vHeadDim = dims.dInner / numHeads;
  return { dims, numHeads, numKvHeads, headDim, vHeadDim, projWidth: 2 * dims.dInner + (numHeads + numKvHeads) * headDim + numKvHeads * vHeadDim };
}

function hymbaModule(sliding: boolean): MixerModule {
  const prefix = sliding ? 'hymba swa' : 'hymba';
  return {
    emit(e: GraphEmitter, count: number): void {
      const c = e.config;
      const { dims, numHeads, headDim, vHeadDim, projWidth } = hymbaDims(c);
      const heads = numHeads / e.tp;
      const kvHeads = kvHeadsPerRank(c, e.tp);
      const di = dims.dInner / e.tp;
      e.linear(`${prefix} in_proj`, 'attention', e.tokens, projWidth / e.tp, c.hiddenSize, count);
      if (c.positional === 'rope') e.stream(`${prefix} rope`, 'attention', 'rope', e.tokens * (heads + kvHeads) * headDim, 1, 1, count);
      e.stream(`${prefix} kv-cache write`, 'attention', 'kv-write', e.tokens * kvHeads * (headDim + vHeadDim), 1, 1, count, { outBits: e.precision.kvBits });
      const window = sliding ? c.slidingWindow : undefined;
      e.attention(`${prefix} attention`, count, {
        queryLen: e.newTokens, kvLen: e.kvLen, numHeads: heads, numKvHeads: kvHeads, headDim: (headDim + vHeadDim) / 2, causal: true,
        ...(window === undefined ? {} : { windowTokens: window }),
      });
      emitSelectiveScan(e, prefix, count, dims, di);
      // Two branch RMSNorms (4 FLOPs each) and the mean (2): reads both branch outputs, writes one.
      vectorOp(e, `${prefix} branch norms and mean`, count, e.tokens * di, 10, 2, 1);
      e.linear(`${prefix} out_proj`, 'attention', e.tokens, c.hiddenSize, di, count);
    },
    params(c: TransformerConfig): number {
      const { dims, projWidth } = hymbaDims(c);
      return c.hiddenSize * projWidth + mamba1CoreParams(dims) + 2 * dims.dInner + dims.dInner * c.hiddenSize;
    },
    deviceWeightBytes(ctx: BlockContext): number {
      const c = ctx.config;
      const { dims, numKvHeads, headDim, vHeadDim, projWidth } = hymbaDims(c);
      const { dInner: ei, stateSize: n, dtRank: r } = dims;
      // K/V columns of in_proj are replicated when TP exceeds the KV heads, like attention's.
      const kvCols = numKvHeads * (headDim + vHeadDim);
      const kvShare = kvHeadsPerRank(c, ctx.tp) / numKvHeads;
      const matrices = c.hiddenSize * ((projWidth - kvCols) / ctx.tp + kvCols * kvShare) + (ei * (r + 2 * n) + r * ei + ei * c.hiddenSize) / ctx.tp;
      const vectors = (mamba1CoreParams(dims) - ei * (r + 2 * n) - r * ei + 2 * ei) / ctx.tp;
      return weightBytes(ctx, matrices, vectors);
    },
    deviceCacheBytes(ctx: BlockContext, contextTokens: number): number {
      const c = ctx.config;
      const { headDim, vHeadDim } = hymbaDims(c);
      const tokens = sliding && c.slidingWindow !== undefined ? Math.min(contextTokens, c.slidingWindow) : contextTokens;
      return (tokens * kvHeadsPerRank(c, ctx.tp) * (headDim + vHeadDim) * ctx.precision.kvBits) / 8 + mamba1StateBytes(ctx);
    },
    activationWidth(ctx: BlockContext): number {
      const { dims, projWidth } = hymbaDims(ctx.config);
      return projWidth / ctx.tp + (4 * dims.dInner) / ctx.tp + dims.dtRank + 2 * dims.stateSize;
    },
    parallelismProblem(c: TransformerConfig, tp: number): string | null {
      return fullAttention.parallelismProblem(c, tp) ?? dInnerProblem(c, tp, 'Hymba SSM');
    },
  };
}

export const hymbaSlidingMixer = hymbaModule(true);
export const hymbaGlobalMixer = hymbaModule(false);

// ---- Zamba2: the shared transformer block -------------------------------------------------------------
//
// Zamba2 (HF Zamba2HybridLayer) runs, before the Mamba-2 mixer of each hybrid layer, a transformer block whose
// weights are shared by all hybrid layers: input [h ‖ embeddings] (2d wide) → RMSNorm → attention with Q/K/V
// from 2d and O back to d → RMSNorm → gated MLP, plus per-layer (unshared) LoRA adapters on Q, K, V and on the
// MLP's gate/up projection, and a per-layer d×d linear whose output is added to the Mamba input. A layer naming
// 'zamba-shared' carries that block: its compute and KV cache at every use, its shared weights divided over the
// uses (so the model's total counts them once), its adapters and linear per use.
// The schema has no field for the number of shared blocks or the adapter rank: this models Zamba2-1.2B's
// (num_mem_blocks = 1, adapter_rank = 128, adapters on attention and MLP). Zamba2-2.7B/7B alternate two shared
// blocks (ABAB); the HF importer refuses those with a clear error instead of miscounting.

export const ZAMBA2_SHARED_BLOCKS = 1;
export const ZAMBA2_ADAPTER_RANK = 128;

function sharedUses(c: TransformerConfig): number {
  return Math.max(1, c.layers?.filter((l) => l.mixers.includes('zamba-shared')).length ?? c.numLayers);
}

function zambaWidths(c: TransformerConfig) {
  const { numHeads, numKvHeads, headDim } = attentionDims(c);
  if (c.intermediateSize === undefined) throw new Error(`${c.id}: a Zamba2 shared block without intermediateSize`);
  const gated = c.mlp === 'gated';
  return { q: numHeads * headDim, kv: numKvHeads * headDim, ffn: c.intermediateSize, gated, upWidth: (gated ? 2 : 1) * c.intermediateSize };
}

/** Parameters of one shared block (both norms, attention, MLP). */
function zambaSharedParams(c: TransformerConfig): number {
  const d = c.hiddenSize;
  const { q, kv, ffn, gated } = zambaWidths(c);
  return 2 * d + 2 * d * (q + 2 * kv) + q * d + d + mlpParams(d, ffn, gated, c.mlpBias);
}

/** Per-use parameters: LoRA down/up on Q, K, V (from 2d) and on the MLP's first projection, and the d×d linear. */
function zambaPerUseParams(c: TransformerConfig): { down: number; up: number; linear: number } {
  const d = c.hiddenSize;
  const r = ZAMBA2_ADAPTER_RANK;
  const { q, kv, upWidth } = zambaWidths(c);
  return { down: 3 * 2 * d * r + d * r, up: r * (q + 2 * kv) + r * upWidth, linear: d * d };
}

export const zambaSharedMixer: MixerModule = {
  emit(e: GraphEmitter, count: number): void {
    const c = e.config;
    const d = c.hiddenSize;
    const dims = attentionDims(c);
    const heads = dims.numHeads / e.tp;
    const kvHeads = kvHeadsPerRank(c, e.tp);
    const hd = dims.headDim;
    const { ffn, gated } = zambaWidths(c);
    const r = ZAMBA2_ADAPTER_RANK;
    const t = e.tokens;
    const norm = c.norm === 'rmsnorm' ? 'rmsnorm' : 'layernorm';
    e.stream('zamba concat + norm', 'norm', norm, t * 2 * d, 1, 1, count, { rowLength: 2 * d });
    e.linear('zamba qkv projection', 'attention', t, (heads + 2 * kvHeads) * hd, 2 * d, count);
    e.linear('zamba qkv lora down', 'attention', t, 3 * r, 2 * d, count);
    e.linear('zamba qkv lora up', 'attention', t, (heads + 2 * kvHeads) * hd, r, count);
    if (c.positional === 'rope') e.stream('zamba rope', 'attention', 'rope', t * (heads + kvHeads) * hd, 1, 1, count);
    e.stream('zamba kv-cache write', 'attention', 'kv-write', t * 2 * kvHeads * hd, 1, 1, count, { outBits: e.precision.kvBits });
    e.attention('zamba shared attention', count, { queryLen: e.newTokens, kvLen: e.kvLen, numHeads: heads, numKvHeads: kvHeads, headDim: hd, causal: true });
    e.linear('zamba output projection', 'attention', t, d, heads * hd, count);
    e.allReduce('zamba attention all-reduce', t * d, count);
    e.stream('zamba pre-mlp norm', 'norm', norm, t * d, 1, 1, count, { rowLength: d });
    const width = ffn / e.tp;
    e.linear(`zamba mlp ${gated ? 'up+gate' : 'up'}`, 'mlp', t, (gated ? 2 : 1) * width, d, count);
    e.linear('zamba mlp lora down', 'mlp', t, r, d, count);
    e.linear('zamba mlp lora up', 'mlp', t, (gated ? 2 : 1) * width, r, count);
    e.stream('zamba mlp activation', 'mlp', gated ? (c.activation === 'silu' ? 'silu-mul' : 'gelu-mul') : c.activation === 'silu' ? 'silu' : 'gelu',
      t * width, gated ? 2 : 1, 1, count);
    e.linear('zamba mlp down', 'mlp', t, d, width, count);
    e.allReduce('zamba mlp all-reduce', t * d, count);
    e.linear('zamba per-layer linear', 'attention', t, d, d, count);
  },
  params(c: TransformerConfig): number {
    const per = zambaPerUseParams(c);
    return (zambaSharedParams(c) * ZAMBA2_SHARED_BLOCKS) / sharedUses(c) + per.down + per.up + per.linear;
  },
  deviceWeightBytes(ctx: BlockContext): number {
    const c = ctx.config;
    const per = zambaPerUseParams(c);
    // Shared block sharded Megatron-style, amortised over its uses; adapter downs and the linear replicated.
    const shared = (zambaSharedParams(c) * ZAMBA2_SHARED_BLOCKS) / sharedUses(c) / ctx.tp;
    return weightBytes(ctx, shared + per.down + per.up / ctx.tp + per.linear, 0);
  },
  deviceCacheBytes(ctx: BlockContext, contextTokens: number): number {
    return (contextTokens * 2 * kvHeadsPerRank(ctx.config, ctx.tp) * attentionDims(ctx.config).headDim * ctx.precision.kvBits) / 8;
  },
  activationWidth(ctx: BlockContext): number {
    const { q, kv, upWidth } = zambaWidths(ctx.config);
    return 2 * ctx.config.hiddenSize + Math.max(q + 2 * kv, upWidth + upWidth / 2) / ctx.tp;
  },
  parallelismProblem: (c: TransformerConfig, tp: number) => fullAttention.parallelismProblem(c, tp),
};
