// Reads DeepSeek-V2 / V3 (model_type deepseek_v2, deepseek_v3) config.json files: multi-head latent attention
// and DeepSeekMoE. Layer i has an MoE FFN when n_routed_experts is set, i ≥ first_k_dense_replace and
// i % moe_layer_freq == 0 (HF DeepseekV2DecoderLayer / DeepseekV3DecoderLayer); the others a dense FFN of
// intermediate_size. Routing fields (n_group, topk_group, scoring_func, routed_scaling_factor, topk_method) do
// not change cost and are ignored, as is the multi-token-prediction module (num_nextn_predict_layers).
// Paths in errors are the HF field names.
import { GenzError } from '../common/errors.ts';
import type { HfReader } from './hf-reader.ts';
import type { LayerSpec } from './layers.ts';
import type { MoeConfig, TransformerConfigInput } from './transformer-schema.ts';

type Shape = Omit<TransformerConfigInput, 'id' | 'name' | 'source' | 'family'>;
type Origin = Record<string, string>;

const ORIGIN: Origin = {
  hiddenSize: 'hidden_size', numLayers: 'num_hidden_layers', numHeads: 'num_attention_heads', numKvHeads: 'num_attention_heads',
  headDim: 'qk_nope_head_dim', intermediateSize: 'intermediate_size', vocabSize: 'vocab_size',
  maxPositionEmbeddings: 'max_position_embeddings', tieWordEmbeddings: 'tie_word_embeddings',
  'mla.kvLoraRank': 'kv_lora_rank', 'mla.qLoraRank': 'q_lora_rank', 'mla.qkNopeHeadDim': 'qk_nope_head_dim',
  'mla.qkRopeHeadDim': 'qk_rope_head_dim', 'mla.vHeadDim': 'v_head_dim',
  'moe.numExperts': 'n_routed_experts', 'moe.topK': 'num_experts_per_tok', 'moe.expertIntermediateSize': 'moe_intermediate_size',
  'moe.sharedExperts': 'n_shared_experts', 'moe.sharedIntermediateSize': 'moe_intermediate_size', layers: 'num_hidden_layers',
};

export function readDeepseek(r: HfReader): { shape: Shape; origin: Origin } {
  const hiddenSize = r.count('hidden_size');
  const numLayers = r.count('num_hidden_layers');
  const numHeads = r.count('num_attention_heads');
  const intermediateSize = r.count('intermediate_size');
  const vocabSize = r.count('vocab_size');
  const maxPositionEmbeddings = r.count('max_position_embeddings');
  const tieWordEmbeddings = r.flag('tie_word_embeddings', false);
  const qkvBias = r.flag('attention_bias', false);
  const activation = r.activation('hidden_act', 'silu');
  // MLA. q_lora_rank null = full-rank query projection (DeepSeek-V2-Lite).
  const kvLoraRank = r.count('kv_lora_rank');
  const qLoraRank = r.raw('q_lora_rank') === null ? 0 : r.count('q_lora_rank');
  const qkNopeHeadDim = r.count('qk_nope_head_dim');
  const qkRopeHeadDim = r.count('qk_rope_head_dim');
  const vHeadDim = r.count('v_head_dim');
  // MoE. n_routed_experts null (or absent) = every layer dense.
  const routedRaw = r.raw('n_routed_experts');
  const hasMoe = routedRaw !== undefined && routedRaw !== null;
  if (routedRaw === 0) {
    throw new GenzError(
      'invalid_input',
      'found 0 routed experts; an MoE layer needs at least one (set n_routed_experts to null for a model with only dense FFN layers)',
      ['n_routed_experts'],
    );
  }
  const numExperts = hasMoe ? r.count('n_routed_experts') : 0;
  const topK = hasMoe ? r.count('num_experts_per_tok') : 0;
  const expertIntermediateSize = hasMoe ? r.count('moe_intermediate_size') : 0;
  const sharedExperts = hasMoe ? r.optionalCount('n_shared_experts', 0, { allowZero: true }) : 0;
  const firstDense = r.optionalCount('first_k_dense_replace', 0, { allowZero: true });
  const moeEvery = r.optionalCount('moe_layer_freq', 1);
  r.throwIfProblems();

  const layers = Array.from({ length: numLayers }, (_, i): LayerSpec => ({
    mixers: ['mla'],
    ffn: hasMoe && i >= firstDense && i % moeEvery === 0 ? 'moe' : 'dense',
  }));
  const shape: Shape = {
    hiddenSize, numLayers, numHeads, numKvHeads: numHeads, headDim: qkNopeHeadDim + qkRopeHeadDim, intermediateSize, vocabSize,
    maxPositionEmbeddings, mlp: 'gated', activation, norm: 'rmsnorm', positional: 'rope', tieWordEmbeddings, qkvBias,
    mlpBias: false, parallelAttentionMlp: false,
    mla: { kvLoraRank, qLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim },
    layers,
  };
  if (layers.some((l) => l.ffn === 'moe')) {
    const moe: MoeConfig = {
      numExperts, topK, expertIntermediateSize, sharedExperts, sharedIntermediateSize: sharedExperts > 0 ? expertIntermediateSize : 0,
    };
    shape.moe = moe;
  }
  return { shape, origin: ORIGIN };
}
