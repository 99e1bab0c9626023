// Builds the per-device operator graph of one prefill pass or one decode step of a transformer.
// Shapes are sharded for tensor parallelism (Megatron layout: column-parallel QKV/up, row-parallel O/down,
// vocab-parallel embedding and LM head) and expert parallelism (experts split over `ep` ranks of the TP group).
import type { TransformerConfig } from './transformer-schema.ts';
import type { Op, OpGraph, Phase, ElementwiseFunction, OpBlock, OpScope } from './ops.ts';
import type { Precision } from './precision.ts';
import { effectiveWeightBits } from './precision.ts';
import { expectedDistinctExperts } from './expected-experts.ts';

export interface GraphRequest {
  config: TransformerConfig;
  phase: Phase;
  /** Sequences processed together on this device group. */
  batch: number;
  /** Tokens already in the KV cache before this pass (0 for a fresh prefill). */
  pastTokens: number;
  /** New tokens per sequence in this pass (prompt length in prefill, 1 in decode). */
  newTokens: number;
  tp: number;
  ep: number;
  precision: Precision;
  flash: boolean;
}

/** Vector FLOPs per element of each streaming function (counted as on a GPU's FP32 units). */
const FLOPS_PER_ELEMENT: Readonly<Record<ElementwiseFunction, number>> = {
  add: 1,
  mul: 1,
  relu: 1,
  silu: 4, // x / (1 + exp(-x))
  gelu: 8, // tanh approximation
  'silu-mul': 5,
  'gelu-mul': 9,
  rmsnorm: 4, // square, sum, scale by rsqrt, multiply by weight
  layernorm: 7, // mean, centre, square, sum, rsqrt, scale, shift
  rope: 3, // rotate pairs: two multiplies and an add per element
  softmax: 5,
  'kv-write': 0,
  topk: 2,
};

/** KV heads held by one TP rank: shared heads are replicated when TP exceeds the KV head count. */
export function kvHeadsPerRank(config: TransformerConfig, tp: number): number {
  return Math.max(1, config.numKvHeads / tp);
}

export function buildGraph(req: GraphRequest): OpGraph {
  const c = req.config;
  const { tp, ep, batch, precision: p } = req;
  const ops: Op[] = [];
  const L = c.numLayers;
  const d = c.hiddenSize;
  const tokens = batch * req.newTokens;
  const kvLen = req.pastTokens + req.newTokens;
  const a = p.actBits;
  // The residual stream, elementwise ops, GEMM outputs and collectives stay at ≥ 16 bits even when GEMM
  // inputs are quantized (W8A8/FP8 engines reduce and normalise in bf16).
  const r = Math.max(a, 16);
  const wBits = effectiveWeightBits(p);
  const heads = c.numHeads / tp;
  const kvHeads = kvHeadsPerRank(c, tp);
  const hd = c.headDim;
  const normFn: ElementwiseFunction = c.norm === 'rmsnorm' ? 'rmsnorm' : 'layernorm';

  const stream = (name: string, scope: OpScope, block: OpBlock, fn: ElementwiseFunction, elements: number,
    reads: number, writes: number, count: number, outBits?: number): void => {
    ops.push({ kind: 'elementwise', name, scope, block, count, fn, elements, readsPerElement: reads,
      writesPerElement: writes, flopsPerElement: FLOPS_PER_ELEMENT[fn], bits: r, ...(outBits === undefined ? {} : { outBits }) });
  };
  const linear = (name: string, scope: OpScope, block: OpBlock, m: number, n: number, k: number, count: number,
    weightBits = wBits, gemmBatch = 1): void => {
    ops.push({ kind: 'gemm', name, scope, block, count, m, n, k, batch: gemmBatch, weightBits, actBits: a, outBits: r });
  };
  const allReduce = (name: string, scope: OpScope, elements: number, count: number): void => {
    if (tp > 1) {
      ops.push({ kind: 'collective', name, scope, block: 'comm', count, collective: 'all-reduce', group: 'tp',
        groupSize: tp, bytes: (elements * r) / 8 });
    }
  };

  // Before the layer stack: token embedding is a gather, not a GEMM.
  ops.push({ kind: 'gather', name: 'embedding', scope: 'pre', block: 'embedding', count: 1, rows: tokens, width: d, bits: p.embeddingBits });
  if (c.positional === 'learned') {
    ops.push({ kind: 'gather', name: 'position embedding', scope: 'pre', block: 'embedding', count: 1, rows: tokens, width: d, bits: p.embeddingBits });
    stream('embedding add', 'pre', 'embedding', 'add', tokens * d, 2, 1, 1);
  }
  allReduce('embedding all-reduce', 'pre', tokens * d, 1);

  // One layer, repeated L times.
  const sharedNorm = c.parallelAttentionMlp && c.family !== 'gpt-neox';
  stream('input norm', 'layer', 'norm', normFn, tokens * d, 1, 1, L);
  linear('qkv projection', 'layer', 'attention', tokens, (heads + 2 * kvHeads) * hd, d, L);
  if (c.positional === 'rope') stream('rope', 'layer', 'attention', 'rope', tokens * (heads + kvHeads) * hd, 1, 1, L);
  stream('kv-cache write', 'layer', 'attention', 'kv-write', tokens * 2 * kvHeads * hd, 1, 1, L, p.kvBits);
  ops.push({ kind: 'attention', name: 'attention', scope: 'layer', block: 'attention', count: L, batch, queryLen: req.newTokens,
    kvLen, numHeads: heads, numKvHeads: kvHeads, headDim: hd, causal: true, flash: req.flash, actBits: a, kvBits: p.kvBits });
  linear('output projection', 'layer', 'attention', tokens, d, heads * hd, L);
  if (!c.parallelAttentionMlp) {
    allReduce('attention all-reduce', 'layer', tokens * d, L);
    stream('attention residual add', 'layer', 'attention', 'add', tokens * d, 2, 1, L);
  }
  if (!sharedNorm) stream('post-attention norm', 'layer', 'norm', normFn, tokens * d, 1, 1, L);

  if (c.moe) {
    const moe = c.moe;
    linear('router', 'layer', 'moe', tokens, moe.numExperts, d, L, p.embeddingBits);
    stream('router top-k', 'layer', 'moe', 'topk', tokens * moe.numExperts, 1, 0, L);
    // EP within the TP group (ep ≤ tp): every rank already holds the group's tokens, so each computes its
    // experts (sharded tp/ep ways) and the TP all-reduce combines. EP across replicas (ep > tp): experts are
    // whole on each rank, and each rank's share of its replica's tokens is dispatched and combined by all-to-all.
    const replicas = ep > tp ? ep / tp : 1;
    const groupTokens = tokens * replicas;
    const touched = expectedDistinctExperts(moe.numExperts, moe.topK, groupTokens);
    const touchedHere = touched / ep;
    const tokensPerExpert = (groupTokens * moe.topK) / touched;
    const expertShards = ep > tp ? 1 : tp / ep;
    const width = moe.expertIntermediateSize / expertShards;
    const a2aBytes = ((tokens / tp) * moe.topK * d * r) / 8;
    if (replicas > 1) {
      ops.push({ kind: 'collective', name: 'moe dispatch all-to-all', scope: 'layer', block: 'comm', count: L,
        collective: 'all-to-all', group: 'ep', groupSize: ep, bytes: a2aBytes });
    }
    const upWidth = c.mlp === 'gated' ? 2 * width : width;
    linear('expert up+gate', 'layer', 'moe', tokensPerExpert, upWidth, d, L, wBits, touchedHere);
    stream('expert activation', 'layer', 'moe', c.mlp === 'gated' ? gatedFn(c) : plainFn(c),
      tokensPerExpert * touchedHere * width, c.mlp === 'gated' ? 2 : 1, 1, L);
    linear('expert down', 'layer', 'moe', tokensPerExpert, d, width, L, wBits, touchedHere);
    if (replicas > 1) {
      ops.push({ kind: 'collective', name: 'moe combine all-to-all', scope: 'layer', block: 'comm', count: L,
        collective: 'all-to-all', group: 'ep', groupSize: ep, bytes: a2aBytes });
    }
    if (moe.sharedExperts > 0 && moe.sharedIntermediateSize > 0) {
      const sharedWidth = (moe.sharedExperts * moe.sharedIntermediateSize) / tp;
      linear('shared expert up+gate', 'layer', 'moe', tokens, c.mlp === 'gated' ? 2 * sharedWidth : sharedWidth, d, L);
      stream('shared expert activation', 'layer', 'moe', c.mlp === 'gated' ? gatedFn(c) : plainFn(c), tokens * sharedWidth,
        c.mlp === 'gated' ? 2 : 1, 1, L);
      linear('shared expert down', 'layer', 'moe', tokens, d, sharedWidth, L);
    }
  } else {
    const width = c.intermediateSize / tp;
    if (c.mlp === 'gated') {
      linear('mlp up+gate', 'layer', 'mlp', tokens, 2 * width, d, L);
      stream('mlp activation', 'layer', 'mlp', gatedFn(c), tokens * width, 2, 1, L);
    } else {
      linear('mlp up', 'layer', 'mlp', tokens, width, d, L);
      stream('mlp activation', 'layer', 'mlp', plainFn(c), tokens * width, 1, 1, L);
    }
    linear('mlp down', 'layer', 'mlp', tokens, d, width, L);
  }
  allReduce('mlp all-reduce', 'layer', tokens * d, L);
  stream('mlp residual add', 'layer', 'mlp', 'add', tokens * d, c.parallelAttentionMlp ? 3 : 2, 1, L);

  // After the stack: final norm over every token, LM head over the last token of each sequence only.
  stream('final norm', 'post', 'norm', normFn, tokens * d, 1, 1, 1);
  linear('lm head', 'post', 'head', batch, c.vocabSize / tp, d, 1, p.embeddingBits);
  if (tp > 1) {
    ops.push({ kind: 'collective', name: 'logits all-gather', scope: 'post', block: 'comm', count: 1, collective: 'all-gather',
      group: 'tp', groupSize: tp, bytes: (batch * (c.vocabSize / tp) * r) / 8 });
  }
  return { phase: req.phase, ops, numLayers: L };
}

function gatedFn(c: TransformerConfig): ElementwiseFunction {
  return c.activation === 'silu' ? 'silu-mul' : 'gelu-mul';
}

function plainFn(c: TransformerConfig): ElementwiseFunction {
  return c.activation === 'relu' ? 'relu' : c.activation === 'silu' ? 'silu' : 'gelu';
}
