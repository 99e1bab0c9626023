// The per-device operator graph of one Vision Mamba (Vim) pass over a batch of images, its parameter count and
// its memory footprint. Zhu et al. 2024 (arXiv:2401.09417), Alg. 1, as hustvl/Vim runs it (bimamba_type "v2"):
//
//   pre    patch conv (one GEMM over the unfolded patches); class token spliced into the middle; + positions
//   block  h, r = add_norm(h, r)                          fused residual add + RMSNorm, residual kept in fp32
//          [x, z] = in_proj(h)                            d → 2E, shared by both directions
//          y_f = scan_f(x, z)                             conv1d_f, x_proj_f, dt_proj_f, selective scan gated by z
//          y_b = scan_b(flip(x), flip(z))                 the same machinery with its own parameters, on the
//                                                         reversed sequence (xz.flip is a materialised copy)
//          h = out_proj((y_f + flip(y_b)) / 2)            E → d (if_divide_out)
//   post   final add + norm; the head reads the class token (or the mean of the tokens without one)
//
// Each direction is exactly Mamba-1's selective machinery (models/blocks/mamba.ts emitSelectiveScan, same FLOPs
// and traffic), minus the recurrent-state write: an encoder never returns the last state. There is no KV cache
// and no decode: phase 'prefill', and every cost is linear in the number of patches. TP splits E as Mamba-1
// does (in_proj column-parallel, x_proj row-parallel with a small all-reduce, out_proj row-parallel + all-reduce).
import type { OpGraph } from '../ops.ts';
import type { Precision } from '../precision.ts';
import { effectiveWeightBits } from '../precision.ts';
import type { TransformerConfig } from '../transformer-schema.ts';
import { FLOPS_PER_ELEMENT, GraphEmitter } from '../emitter.ts';
import { emitSelectiveScan, mamba1CoreParams, mambaDims } from '../blocks/mamba.ts';
import { vimDims, vimTokens, type VimConfig } from './vim-schema.ts';

export interface VimGraphRequest {
  config: VimConfig;
  /** Images processed together on this device group. */
  batch: number;
  tp: number;
  precision: Precision;
}

/** The Vim mixer as the Mamba-1 block module sees it: one 'mamba' layer per block, no FFN, no attention. */
export function vimAsTransformer(c: VimConfig): TransformerConfig {
  const { dtRank } = vimDims(c);
  return {
    id: c.id, name: c.name, family: 'mamba', hiddenSize: c.hiddenSize, numLayers: c.numLayers, vocabSize: 1,
    maxPositionEmbeddings: vimTokens(c).tokens, mlp: 'plain', activation: 'silu', norm: c.norm, positional: 'learned',
    tieWordEmbeddings: false, qkvBias: false, mlpBias: false, parallelAttentionMlp: false,
    mamba: { stateSize: c.stateSize, convKernel: c.convKernel, expand: c.expand, dtRank },
    source: c.source,
  };
}

/** Emitter for `images` Vim sequences of this config (batch = images, newTokens = tokens per image). */
export function vimEmitter(c: VimConfig, images: number, tp: number, precision: Precision): GraphEmitter {
  return new GraphEmitter({
    config: vimAsTransformer(c), phase: 'prefill', batch: images, pastTokens: 0, newTokens: vimTokens(c).tokens,
    tp, ep: 1, precision, flash: true,
  });
}

/** Emits patch embedding, positions, the L Vim blocks and the final norm into `e`. */
export function emitVimEncoder(e: GraphEmitter, c: VimConfig): void {
  const d = c.hiddenSize;
  const { patches } = vimTokens(c);
  const tokens = e.tokens;
  const images = e.batch;
  const n = c.numLayers;
  const dims = mambaDims(e.config);
  const di = dims.dInner / e.tp;
  const normFn = c.norm === 'rmsnorm' ? 'rmsnorm' : 'layernorm';
  // The residual stream is fp32 (residual_in_fp32): one fp32 value is 32 / residualBits stream elements.
  const residualWords = 32 / e.residualBits;

  e.linear('patch embedding', 'embedding', images * patches, d, c.channels * c.patchSize * c.patchSize, 1, { scope: 'pre', weightBits: e.precision.embeddingBits });
  // torch.cat of the class token into the middle of the sequence, then + pos_embed: one pass over the tokens.
  e.stream('class token + position add', 'embedding', 'add', tokens * d, 2, 1, 1, { scope: 'pre' });

  // Fused add + norm: reads the mixer output and the fp32 residual, writes the normed input and the new residual.
  e.stream('add + norm', 'norm', normFn, tokens * d, 1 + residualWords, 1 + residualWords, n, { flopsPerElement: FLOPS_PER_ELEMENT[normFn] + 1, rowLength: d });
  e.linear('in_proj', 'attention', tokens, 2 * di, d, n);
  if (c.bidirectional) {
    // xz.flip([-1]): the backward direction runs on a reversed copy of x and z.
    e.stream('flip x, z (backward input)', 'attention', 'add', tokens * 2 * di, 1, 1, n, { flopsPerElement: 0 });
    emitSelectiveScan(e, 'vim forward', n, dims, di, false);
    emitSelectiveScan(e, 'vim backward', n, dims, di, false);
    // (y_f + y_b.flip) / 2: reads both outputs, writes the out_proj input.
    e.stream('merge directions', 'attention', 'add', tokens * di, 2, 1, n, { flopsPerElement: 2 });
  } else {
    emitSelectiveScan(e, 'vim forward', n, dims, di, false);
  }
  e.linear('out_proj', 'attention', tokens, d, di, n);
  e.allReduce('out_proj all-reduce', tokens * d, n);

  // prenorm=False: the last add + norm writes only the normed tokens.
  e.stream('final add + norm', 'norm', normFn, tokens * d, 1 + residualWords, 1, 1, { scope: 'post', flopsPerElement: FLOPS_PER_ELEMENT[normFn] + 1, rowLength: d });
}

export function buildVimGraph(req: VimGraphRequest): OpGraph {
  const c = req.config;
  const e = vimEmitter(c, req.batch, req.tp, req.precision);
  emitVimEncoder(e, c);
  if (c.numClasses > 0) {
    const d = c.hiddenSize;
    if (c.classToken === 'none') {
      const { tokens } = vimTokens(c);
      e.stream('mean pool', 'head', 'add', req.batch * tokens * d, 1, 1 / tokens, 1, { scope: 'post' });
    }
    e.linear('classifier head', 'head', req.batch, c.numClasses, d, 1, { scope: 'post', weightBits: req.precision.embeddingBits });
  }
  return { phase: 'prefill', ops: e.ops, numLayers: c.numLayers };
}

export interface VimParamBreakdown {
  /** Patch conv weights and bias. */
  patchEmbedding: number;
  classToken: number;
  positionEmbedding: number;
  /** in_proj (d → 2E, no bias) of all blocks. */
  inProj: number;
  /** Both directions' conv1d (+bias), x_proj, dt_proj (+bias), A and D, all blocks. */
  ssm: number;
  /** out_proj (E → d, no bias) of all blocks. */
  outProj: number;
  /** The norm of every block plus the final norm. */
  norms: number;
  head: number;
  total: number;
}

function normParams(c: VimConfig): number {
  return c.norm === 'layernorm' ? 2 * c.hiddenSize : c.hiddenSize;
}

/** Mamba-1's dimensions of this config (d_inner, N, K, R). */
function mamba1Dims(c: VimConfig) {
  return mambaDims(vimAsTransformer(c));
}

export function vimParams(c: VimConfig): VimParamBreakdown {
  const d = c.hiddenSize;
  const dims = mamba1Dims(c);
  const { directions } = vimDims(c);
  const e = dims.dInner;
  const { tokens, extraTokens } = vimTokens(c);
  const patchEmbedding = c.channels * c.patchSize * c.patchSize * d + d;
  const classToken = extraTokens * d;
  const positionEmbedding = tokens * d;
  const inProj = c.numLayers * d * 2 * e;
  const ssm = c.numLayers * directions * mamba1CoreParams(dims);
  const outProj = c.numLayers * e * d;
  const norms = (c.numLayers + 1) * normParams(c);
  const head = c.numClasses > 0 ? d * c.numClasses + c.numClasses : 0;
  return {
    patchEmbedding, classToken, positionEmbedding, inProj, ssm, outProj, norms, head,
    total: patchEmbedding + classToken + positionEmbedding + inProj + ssm + outProj + norms + head,
  };
}

export interface VimFootprint {
  /** Weights one device holds: the E-wide mixer sharded by TP, everything else replicated. */
  weightBytes: number;
  /** Peak transient activations of one pass over `batch` images on one device. */
  activationBytes: number;
}

export function vimFootprint(c: VimConfig, precision: Precision, tp: number, batch = 1): VimFootprint {
  const d = c.hiddenSize;
  const dims = mamba1Dims(c);
  const { directions } = vimDims(c);
  const { dInner: e, stateSize: n, dtRank: r } = dims;
  const wBytes = effectiveWeightBits(precision) / 8;
  const eBytes = precision.embeddingBits / 8;
  const b = vimParams(c);
  const perDirectionMatrices = e * (r + 2 * n) + r * e;
  const matricesPerLayer = d * 2 * e + directions * perDirectionMatrices + e * d;
  const vectorsPerLayer = directions * (mamba1CoreParams(dims) - perDirectionMatrices);
  const weightBytes = c.numLayers * ((matricesPerLayer / tp) * wBytes + (vectorsPerLayer / tp) * eBytes + normParams(c) * eBytes)
    + (b.patchEmbedding + b.classToken + b.positionEmbedding + normParams(c) + b.head) * eBytes;

  const { tokens } = vimTokens(c);
  const seq = batch * tokens;
  const aBytes = precision.actBits / 8;
  const rBytes = Math.max(precision.actBits, 16) / 8;
  // Live at the peak (the backward scan of a block): x‖z and its flipped copy (4E), y_f (E), the backward
  // conv output, Δ and y (3E), δ‖B‖C (R + 2N). One direction: mamba_inner_fn's x‖z, conv output, Δ, y (4E).
  const widest = ((directions === 2 ? 8 : 4) * e) / tp + r + 2 * n;
  let activationBytes = seq * (d * 4 + d * rBytes + widest * aBytes); // fp32 residual, hidden, mixer
  activationBytes += batch * c.channels * c.imageSize * c.imageSize * aBytes; // the input pixels
  activationBytes += batch * c.numClasses * 4; // fp32 logits
  return { weightBytes, activationBytes };
}
