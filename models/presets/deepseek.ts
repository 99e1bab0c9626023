// DeepSeek-V2 / V3 / R1 presets: multi-head latent attention ('mla' mixer) and DeepSeekMoE (fine-grained routed
// experts + always-on shared experts). Numbers from each model's public HF config.json.
//
// Conventions:
// - The first `first_k_dense_replace` layers have a dense FFN (intermediate_size); the rest are MoE
//   (moe_layer_freq 1), expressed through `layers`.
// - numKvHeads = numHeads (HF num_key_value_heads) and headDim = qk_nope + qk_rope (HF q_head_dim) only
//   satisfy the shared attention fields; the 'mla' mixer sizes everything from `mla`.
// - Routing details (group-limited top-k, sigmoid scores, routed_scaling_factor) do not change cost and are
//   not modeled; the expected distinct experts assume uniform routing.
// - DeepSeek-V3/R1 ship one multi-token-prediction module (num_nextn_predict_layers 1, ~11.5B extra unique
//   parameters per the V3 README_WEIGHTS). It is used only for speculative decoding and is left out of both
//   the cost and the parameter count (671B is the main model without it).
import type { TransformerConfigInput } from '../transformer-schema.ts';
import type { LayerSpec } from '../layers.ts';

const DEEPSEEK_BLOCK = {
  mlp: 'gated',
  activation: 'silu',
  norm: 'rmsnorm',
  positional: 'rope',
  tieWordEmbeddings: false,
  qkvBias: false,
  mlpBias: false,
  parallelAttentionMlp: false,
} as const;

/** `dense` leading dense-FFN layers, then MoE layers, all with MLA. */
function deepseekLayers(numLayers: number, dense: number): LayerSpec[] {
  return Array.from({ length: numLayers }, (_, i): LayerSpec => ({ mixers: ['mla'], ffn: i < dense ? 'dense' : 'moe' }));
}

const V3_SHAPE = {
  family: 'deepseek-v3',
  ...DEEPSEEK_BLOCK,
  hiddenSize: 7168,
  numLayers: 61,
  numHeads: 128,
  numKvHeads: 128,
  headDim: 192,
  intermediateSize: 18432,
  vocabSize: 129280,
  maxPositionEmbeddings: 163840,
  mla: { kvLoraRank: 512, qLoraRank: 1536, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
  moe: { numExperts: 256, topK: 8, expertIntermediateSize: 2048, sharedExperts: 1, sharedIntermediateSize: 2048 },
  layers: deepseekLayers(61, 3),
} as const satisfies Omit<TransformerConfigInput, 'id' | 'name' | 'source'>;

export const DEEPSEEK_PRESETS: readonly TransformerConfigInput[] = [
  {
    // 236B total / 21B activated (arXiv:2405.04434). 160 routed experts top-6 + 2 shared, first layer dense.
    id: 'deepseek-v2',
    name: 'DeepSeek-V2 236B',
    family: 'deepseek-v2',
    ...DEEPSEEK_BLOCK,
    hiddenSize: 5120,
    numLayers: 60,
    numHeads: 128,
    numKvHeads: 128,
    headDim: 192,
    intermediateSize: 12288,
    vocabSize: 102400,
    maxPositionEmbeddings: 163840,
    mla: { kvLoraRank: 512, qLoraRank: 1536, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
    moe: { numExperts: 160, topK: 6, expertIntermediateSize: 1536, sharedExperts: 2, sharedIntermediateSize: 1536 },
    layers: deepseekLayers(60, 1),
    source: 'huggingface.co/deepseek-ai/DeepSeek-V2 config.json',
  },
  {
    // 15.7B total / 2.4B activated (arXiv:2405.04434 appendix B). No query LoRA (q_lora_rank null): W_Q is full rank.
    id: 'deepseek-v2-lite',
    name: 'DeepSeek-V2-Lite 16B',
    family: 'deepseek-v2',
    ...DEEPSEEK_BLOCK,
    hiddenSize: 2048,
    numLayers: 27,
    numHeads: 16,
    numKvHeads: 16,
    headDim: 192,
    intermediateSize: 10944,
    vocabSize: 102400,
    maxPositionEmbeddings: 163840,
    mla: { kvLoraRank: 512, qLoraRank: 0, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
    moe: { numExperts: 64, topK: 6, expertIntermediateSize: 1408, sharedExperts: 2, sharedIntermediateSize: 1408 },
    layers: deepseekLayers(27, 1),
    source: 'huggingface.co/deepseek-ai/DeepSeek-V2-Lite config.json',
  },
  {
    // 671B total / 37B activated (arXiv:2412.19437), MTP module excluded. 256 routed experts top-8 + 1 shared,
    // first 3 layers dense. Weights are published in FP8 (e4m3, 128×128 block scales).
    id: 'deepseek-v3',
    name: 'DeepSeek-V3 671B',
    ...V3_SHAPE,
    source: 'huggingface.co/deepseek-ai/DeepSeek-V3 config.json',
  },
  {
    // Same architecture and config.json shape as DeepSeek-V3 (R1 is a post-trained V3 checkpoint).
    id: 'deepseek-r1',
    name: 'DeepSeek-R1 671B',
    ...V3_SHAPE,
    source: 'huggingface.co/deepseek-ai/DeepSeek-R1 config.json',
  },
];
