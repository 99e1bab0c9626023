// Qwen3 presets: the two Qwen3-MoE models (128 routed experts, top-8, no shared expert, every layer MoE) and
// the dense Qwen3-8B for comparison. Numbers from each model's public HF config.json.
// Qwen3 attention has no Q/K/V bias but a per-head RMSNorm on Q and K (q_norm, k_norm: 2·head_dim weights per
// layer, ~12k parameters in all); genz does not count those norms. head_dim (128) is set explicitly and
// numHeads × headDim exceeds hiddenSize in every Qwen3 model below.
import type { TransformerConfigInput } from '../transformer-schema.ts';

const QWEN3_BLOCK = {
  mlp: 'gated',
  activation: 'silu',
  norm: 'rmsnorm',
  positional: 'rope',
  qkvBias: false,
  mlpBias: false,
  parallelAttentionMlp: false,
  tieWordEmbeddings: false,
  vocabSize: 151936,
  maxPositionEmbeddings: 40960,
  headDim: 128,
} as const;

export const QWEN_MOE_PRESETS: readonly TransformerConfigInput[] = [
  {
    // 30.5B total / 3.3B activated (Qwen3 model card). HF intermediate_size 6144 is unused (no dense layers).
    id: 'qwen3-30b-a3b',
    name: 'Qwen3 30B-A3B',
    family: 'qwen3-moe',
    ...QWEN3_BLOCK,
    hiddenSize: 2048,
    numLayers: 48,
    numHeads: 32,
    numKvHeads: 4,
    moe: { numExperts: 128, topK: 8, expertIntermediateSize: 768, sharedExperts: 0, sharedIntermediateSize: 0 },
    source: 'huggingface.co/Qwen/Qwen3-30B-A3B config.json',
  },
  {
    // 235B total / 22B activated (Qwen3 model card). HF intermediate_size 12288 is unused (no dense layers).
    id: 'qwen3-235b-a22b',
    name: 'Qwen3 235B-A22B',
    family: 'qwen3-moe',
    ...QWEN3_BLOCK,
    hiddenSize: 4096,
    numLayers: 94,
    numHeads: 64,
    numKvHeads: 4,
    moe: { numExperts: 128, topK: 8, expertIntermediateSize: 1536, sharedExperts: 0, sharedIntermediateSize: 0 },
    source: 'huggingface.co/Qwen/Qwen3-235B-A22B config.json',
  },
  {
    // 8.2B (Qwen3 model card): a dense Qwen3 of the same generation, for MoE-vs-dense comparisons.
    id: 'qwen3-8b',
    name: 'Qwen3 8B',
    family: 'qwen3',
    ...QWEN3_BLOCK,
    hiddenSize: 4096,
    numLayers: 36,
    numHeads: 32,
    numKvHeads: 8,
    intermediateSize: 12288,
    source: 'huggingface.co/Qwen/Qwen3-8B config.json',
  },
];
