// The per-device operator graph of one ViT encoder pass over a batch of images, its parameter count and
// its memory footprint. Layers use the decoder's Megatron layout (column-parallel QKV / MLP up, row-parallel
// output / MLP down, one all-reduce after each); the patch embedding, the extra tokens and the classifier
// head are small and replicated on every TP rank. There is no KV cache: every token attends to every
// token of its image (bidirectional, causal: false) in one pass, so the phase is 'prefill' only.
import type { ElementwiseFunction, OpGraph } from '../ops.ts';
import type { Precision } from '../precision.ts';
import { effectiveWeightBits } from '../precision.ts';
import type { TransformerConfig } from '../transformer-schema.ts';
import { GraphEmitter } from '../emitter.ts';
import { denseFfn } from '../blocks/ffn.ts';
import { vitHeadCount, vitTokens, type VitConfig } from './vit-schema.ts';

export interface VitGraphRequest {
  config: VitConfig;
  /** Images (encoder sequences) processed together on this device group. */
  batch: number;
  tp: number;
  precision: Precision;
  flash: boolean;
}

/** The encoder as the decoder's block modules see it: a plain (ungated) MLP, full attention heads. */
export function encoderAsTransformer(c: VitConfig): TransformerConfig {
  const headDim = c.hiddenSize / c.numHeads;
  return {
    id: c.id, name: c.name, family: 'gpt2', hiddenSize: c.hiddenSize, numLayers: c.numLayers, numHeads: c.numHeads,
    numKvHeads: c.numHeads, headDim, intermediateSize: c.intermediateSize, vocabSize: 1, maxPositionEmbeddings: vitTokens(c).tokens,
    mlp: 'plain', activation: c.activation, norm: c.norm, positional: 'learned', tieWordEmbeddings: false, qkvBias: c.bias,
    mlpBias: c.bias, parallelAttentionMlp: false, source: c.source,
  };
}

/** Encoder K and V are activations of this pass, not a cache: they move at activation precision. */
function encoderPrecision(p: Precision): Precision {
  return { ...p, kvBits: p.actBits };
}

/**
 * Emits the encoder layers (patch embedding, positions, L layers, final norm) into `e`, whose batch is the
 * image count and whose newTokens is the encoder sequence length. Shared by the ViT and the VLM tower.
 */
export function emitVitEncoder(e: GraphEmitter, c: VitConfig): void {
  const d = c.hiddenSize;
  const { patches } = vitTokens(c);
  const tokens = e.tokens;
  const images = e.batch;
  const heads = c.numHeads / e.tp;
  const headDim = d / c.numHeads;
  const normFn: ElementwiseFunction = c.norm === 'rmsnorm' ? 'rmsnorm' : 'layernorm';
  const embedBits = e.precision.embeddingBits;

  // Patch embedding: a conv with kernel = stride = patch is one GEMM over the unfolded patches.
  e.linear('patch embedding', 'embedding', images * patches, d, c.channels * c.patchSize * c.patchSize, 1, { scope: 'pre', weightBits: embedBits });
  // Class / distillation tokens are concatenated and the position table added in one pass over the sequence.
  e.stream('position add', 'embedding', 'add', tokens * d, 2, 1, 1, { scope: 'pre' });

  const n = c.numLayers;
  e.stream('input norm', 'norm', normFn, tokens * d, 1, 1, n, { rowLength: d });
  e.linear('qkv projection', 'attention', tokens, 3 * heads * headDim, d, n);
  e.attention('attention', n, { queryLen: e.newTokens, kvLen: e.newTokens, numHeads: heads, numKvHeads: heads, headDim, causal: false });
  e.linear('output projection', 'attention', tokens, d, heads * headDim, n);
  e.allReduce('attention all-reduce', tokens * d, n);
  e.stream('attention residual add', 'attention', 'add', tokens * d, 2, 1, n);
  e.stream('post-attention norm', 'norm', normFn, tokens * d, 1, 1, n, { rowLength: d });
  denseFfn.emit(e, n);
  e.allReduce('mlp all-reduce', tokens * d, n);
  e.stream('mlp residual add', 'mlp', 'add', tokens * d, 2, 1, n);

  e.stream('final norm', 'norm', normFn, tokens * d, 1, 1, 1, { scope: 'post', rowLength: d });
}

/** Emitter for `images` encoder sequences of this config. */
export function vitEmitter(c: VitConfig, images: number, tp: number, precision: Precision, flash: boolean): GraphEmitter {
  return new GraphEmitter({
    config: encoderAsTransformer(c), phase: 'prefill', batch: images, pastTokens: 0, newTokens: vitTokens(c).tokens,
    tp, ep: 1, precision: encoderPrecision(precision), flash,
  });
}

export function buildVitGraph(req: VitGraphRequest): OpGraph {
  const c = req.config;
  const e = vitEmitter(c, req.batch, req.tp, req.precision, req.flash);
  emitVitEncoder(e, c);
  const heads = vitHeadCount(c);
  if (heads > 0) {
    const d = c.hiddenSize;
    if (!c.classToken) {
      // Global average pool over the patch tokens of each image.
      const { patches } = vitTokens(c);
      e.stream('mean pool', 'head', 'add', req.batch * patches * d, 1, 1 / patches, 1, { scope: 'post' });
    }
    // One head per class / distillation token, each on its own token of every image (distinct weights).
    e.linear('classifier head', 'head', req.batch, c.numClasses, d, 1, { scope: 'post', weightBits: req.precision.embeddingBits, gemmBatch: heads });
  }
  return { phase: 'prefill', ops: e.ops, numLayers: c.numLayers };
}

export interface VitParamBreakdown {
  /** Patch-embedding conv weights and bias. */
  patchEmbedding: number;
  /** Class and distillation token vectors. */
  extraTokens: number;
  positionEmbedding: number;
  /** QKV and output projections of all layers, biases included. */
  attention: number;
  /** MLPs of all layers, biases included. */
  mlp: number;
  /** Norms of all layers plus the final norm. */
  norms: number;
  /** Classifier head(s), bias included. */
  head: number;
  total: number;
}

function normParams(c: VitConfig): number {
  return c.norm === 'layernorm' ? 2 * c.hiddenSize : c.hiddenSize;
}

function layerAttentionParams(c: VitConfig): number {
  const d = c.hiddenSize;
  return 4 * d * d + (c.bias ? 4 * d : 0);
}

function layerMlpParams(c: VitConfig): number {
  const d = c.hiddenSize;
  const i = c.intermediateSize;
  return 2 * d * i + (c.bias ? i + d : 0);
}

export function vitParams(c: VitConfig): VitParamBreakdown {
  const d = c.hiddenSize;
  const { tokens, extraTokens: extra } = vitTokens(c);
  const patchEmbedding = c.channels * c.patchSize * c.patchSize * d + d;
  const extraTokens = extra * d;
  const positionEmbedding = tokens * d;
  const attention = c.numLayers * layerAttentionParams(c);
  const mlp = c.numLayers * layerMlpParams(c);
  const norms = (2 * c.numLayers + 1) * normParams(c);
  const head = vitHeadCount(c) * (d * c.numClasses + c.numClasses);
  return {
    patchEmbedding, extraTokens, positionEmbedding, attention, mlp, norms, head,
    total: patchEmbedding + extraTokens + positionEmbedding + attention + mlp + norms + head,
  };
}

export interface VitFootprint {
  /** Weights one device holds: layer matrices sharded by TP, everything else replicated. */
  weightBytes: number;
  /** Peak transient activations of one pass over `batch` images on one device. */
  activationBytes: number;
}

export function vitFootprint(c: VitConfig, precision: Precision, tp: number, batch = 1, flash = true): VitFootprint {
  const d = c.hiddenSize;
  const i = c.intermediateSize;
  const wBytes = effectiveWeightBits(precision) / 8;
  const eBytes = precision.embeddingBits / 8;
  const b = vitParams(c);
  // Sharded: QKV (weights + bias), output weights, MLP up (weights + bias), MLP down weights.
  const shardedPerLayer = 4 * d * d + 2 * d * i + (c.bias ? 3 * d + i : 0);
  // Replicated per layer: the output and MLP-down biases (added after the all-reduce) and the two norms.
  const replicatedPerLayer = (c.bias ? 2 * d : 0) + 2 * normParams(c);
  const weightBytes = c.numLayers * ((shardedPerLayer / tp) * wBytes + replicatedPerLayer * eBytes)
    + (b.patchEmbedding + b.extraTokens + b.positionEmbedding + normParams(c) + b.head) * eBytes;

  const { tokens } = vitTokens(c);
  const seq = batch * tokens;
  const aBytes = precision.actBits / 8;
  const rBytes = Math.max(precision.actBits, 16) / 8;
  const widest = Math.max(3 * d, 2 * i) / tp;
  let activationBytes = seq * (2 * d * rBytes + widest * aBytes);
  activationBytes += batch * c.channels * c.imageSize * c.imageSize * aBytes; // the input pixels
  if (!flash) activationBytes += batch * (c.numHeads / tp) * tokens * tokens * aBytes; // score matrix
  activationBytes += batch * vitHeadCount(c) * c.numClasses * 4; // fp32 logits
  return { weightBytes, activationBytes };
}
