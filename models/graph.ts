// Builds the per-device operator graph of one prefill pass or one decode step of a decoder stack.
// Shapes are sharded for tensor parallelism (Megatron layout: column-parallel QKV/up, row-parallel O/down,
// vocab-parallel embedding and LM head) and expert parallelism. Identical layers are emitted once with
// `count` = how many there are; each layer kind's mixers and FFN come from models/blocks.
import type { TransformerConfig } from './transformer-schema.ts';
import type { OpGraph, ElementwiseFunction } from './ops.ts';
import { GraphEmitter, type EmitterInput } from './emitter.ts';
import { layerGroupsOf } from './layers.ts';
import { FFNS, MIXERS } from './blocks/registry.ts';

export { kvHeadsPerRank } from './blocks/attention.ts';

/** One pass to build: the model, the phase, sequences and tokens per device group, parallelism and precision. */
export type GraphRequest = EmitterInput;

export function buildGraph(req: GraphRequest): OpGraph {
  const e = new GraphEmitter(req);
  const c = req.config;
  const d = c.hiddenSize;
  const tokens = e.tokens;
  const normFn: ElementwiseFunction = c.norm === 'rmsnorm' ? 'rmsnorm' : 'layernorm';

  // Before the layer stack: token embedding is a gather, not a GEMM.
  e.ops.push({ kind: 'gather', name: 'embedding', scope: 'pre', block: 'embedding', count: 1, rows: tokens, width: d, bits: req.precision.embeddingBits });
  if (c.positional === 'learned') {
    e.ops.push({ kind: 'gather', name: 'position embedding', scope: 'pre', block: 'embedding', count: 1, rows: tokens, width: d, bits: req.precision.embeddingBits });
    e.stream('embedding add', 'embedding', 'add', tokens * d, 2, 1, 1, { scope: 'pre' });
  }
  e.allReduce('embedding all-reduce', tokens * d, 1, 'pre');

  const parallel = c.parallelAttentionMlp;
  const sharedNorm = parallel && c.family !== 'gpt-neox';
  for (const group of layerGroupsOf(c)) {
    const n = group.count;
    const hasFfn = group.ffn !== 'none';
    e.stream('input norm', 'norm', normFn, tokens * d, 1, 1, n, { rowLength: d });
    for (const kind of group.mixers) MIXERS[kind].emit(e, n);
    // Parallel mixers are summed before the residual add (Falcon-H1, Hymba style).
    if (group.mixers.length > 1) e.stream('mixer sum', 'attention', 'add', tokens * d, group.mixers.length, 1, n);
    if (!parallel || !hasFfn) {
      e.allReduce('attention all-reduce', tokens * d, n);
      e.stream('attention residual add', 'attention', 'add', tokens * d, 2, 1, n);
    }
    if (!hasFfn) continue;
    if (!sharedNorm) e.stream('post-attention norm', 'norm', normFn, tokens * d, 1, 1, n, { rowLength: d });
    FFNS[group.ffn].emit(e, n);
    e.allReduce('mlp all-reduce', tokens * d, n);
    e.stream('mlp residual add', 'mlp', 'add', tokens * d, parallel ? 3 : 2, 1, n);
  }

  // After the stack: final norm over every token, LM head over the last token of each sequence only in prefill
  // (serving engines sample from it alone; a framework's forward(), promptLogits, scores every prompt token).
  e.stream('final norm', 'norm', normFn, tokens * d, 1, 1, 1, { scope: 'post', rowLength: d });
  // A decode pass over several new tokens (speculative verification) needs logits at every one of them.
  const headRows = req.phase === 'decode' || req.promptLogits === true ? tokens : req.batch;
  e.linear('lm head', 'head', headRows, c.vocabSize / req.tp, d, 1, { scope: 'post', weightBits: req.precision.embeddingBits });
  e.collective('logits all-gather', 'all-gather', 'tp', req.tp, (headRows * (c.vocabSize / req.tp) * e.residualBits) / 8, 1, 'post');
  return { phase: req.phase, ops: e.ops, numLayers: c.numLayers };
}
