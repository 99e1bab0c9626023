// Maps a parsed Hugging Face config.json onto genz's TransformerConfig, by `model_type`.
// Pure: the caller reads the file. Unknown keys are ignored; a user mistake is one GenzError whose paths are
// the HF field names (['num_attention_heads']), not genz's.
import { GenzError } from '../common/errors.ts';
import { parseWith } from '../common/zod-errors.ts';
import { closestWithin } from '../common/closest.ts';
import { HfReader, describe } from './hf-reader.ts';
import { readDeepseek } from './hf-import-deepseek.ts';
import { isSsmModelType, readSsmFamily } from './hf-import-ssm.ts';
import { TransformerConfigSchema } from './transformer-schema.ts';
import type { Activation, ModelFamily, MoeConfig, TransformerConfig, TransformerConfigInput } from './transformer-schema.ts';

export interface HfImportOptions {
  id?: string;
  name?: string;
  source?: string;
}

/** HF `model_type` → genz family. */
const MODEL_TYPES = {
  llama: 'llama',
  mistral: 'mistral',
  mixtral: 'mixtral',
  qwen2: 'qwen2',
  qwen3: 'qwen3',
  qwen2_moe: 'qwen2-moe',
  qwen3_moe: 'qwen3-moe',
  gemma: 'gemma',
  gemma2: 'gemma2',
  phi3: 'phi3',
  gpt2: 'gpt2',
  gpt_neox: 'gpt-neox',
  opt: 'opt',
  deepseek_v2: 'deepseek-v2',
  deepseek_v3: 'deepseek-v3',
  mamba: 'mamba',
  mamba2: 'mamba2',
  jamba: 'jamba',
  zamba2: 'zamba2',
  falcon_h1: 'falcon-h1',
} as const satisfies Record<string, ModelFamily>;

export type HfModelType = keyof typeof MODEL_TYPES;
export const SUPPORTED_HF_MODEL_TYPES = Object.keys(MODEL_TYPES) as readonly HfModelType[];

/** `architectures[0]` → model_type, for configs that omit model_type. */
const ARCHITECTURES: Record<string, HfModelType> = {
  LlamaForCausalLM: 'llama',
  MistralForCausalLM: 'mistral',
  MixtralForCausalLM: 'mixtral',
  Qwen2ForCausalLM: 'qwen2',
  Qwen3ForCausalLM: 'qwen3',
  Qwen2MoeForCausalLM: 'qwen2_moe',
  Qwen3MoeForCausalLM: 'qwen3_moe',
  GemmaForCausalLM: 'gemma',
  Gemma2ForCausalLM: 'gemma2',
  Phi3ForCausalLM: 'phi3',
  GPT2LMHeadModel: 'gpt2',
  GPTNeoXForCausalLM: 'gpt_neox',
  OPTForCausalLM: 'opt',
  DeepseekV2ForCausalLM: 'deepseek_v2',
  DeepseekV3ForCausalLM: 'deepseek_v3',
  MambaForCausalLM: 'mamba',
  Mamba2ForCausalLM: 'mamba2',
  JambaForCausalLM: 'jamba',
  Zamba2ForCausalLM: 'zamba2',
  FalconH1ForCausalLM: 'falcon_h1',
};

/** HF activation names (transformers ACT2FN keys) → genz activation. */
const ACTIVATIONS: Record<string, Activation> = {
  silu: 'silu',
  swish: 'silu',
  gelu: 'gelu',
  gelu_new: 'gelu-tanh',
  gelu_fast: 'gelu-tanh',
  gelu_pytorch_tanh: 'gelu-tanh',
  relu: 'relu',
};

/**
 * `tie_word_embeddings` when the file does not say, as each HF config class defaults it (LlamaConfig,
 * MistralConfig, Qwen2Config, Phi3Config, GPTNeoXConfig pass False; GemmaConfig passes True; GPT-2 and OPT
 * keep PretrainedConfig's True).
 */
const TIE_DEFAULT: Record<HfModelType, boolean> = {
  llama: false, mistral: false, mixtral: false, qwen2: false, qwen3: false, qwen2_moe: false, qwen3_moe: false,
  gemma: true, gemma2: true, phi3: false, gpt2: true, gpt_neox: false, opt: true,
  deepseek_v2: false, deepseek_v3: false,
  mamba: true, mamba2: false, jamba: false, zamba2: true, falcon_h1: false,
};

type Json = Record<string, unknown>;
type Shape = Omit<TransformerConfigInput, 'id' | 'name' | 'source' | 'family'>;
/** genz field (or 'moe.field') → the HF key it was read from, to report schema failures in HF terms. */
type Origin = Record<string, string>;

export function importHfConfig(json: unknown, options: HfImportOptions = {}): TransformerConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new GenzError('invalid_input', `expected a config.json object, found ${describe(json)}`, []);
  }
  const c = json as Json;
  const modelType = resolveModelType(c);
  const r = new HfReader(c, ACTIVATIONS);
  const { shape, origin } =
    modelType === 'gpt2' ? readGpt2(r)
    : modelType === 'gpt_neox' ? readGptNeox(r)
    : modelType === 'opt' ? readOpt(r)
    : modelType === 'deepseek_v2' || modelType === 'deepseek_v3' ? readDeepseek(r)
    : isSsmModelType(modelType) ? readSsmFamily(r, modelType)
    : readLlamaLike(r, modelType);
  const input: TransformerConfigInput = {
    ...defaultLabels(c, modelType, options),
    family: MODEL_TYPES[modelType],
    ...shape,
  };
  try {
    return parseWith(TransformerConfigSchema, input);
  } catch (err) {
    throw err instanceof GenzError ? inHfTerms(err, origin) : err;
  }
}

// ---- model_type ---------------------------------------------------------------------------------------

function resolveModelType(c: Json): HfModelType {
  const supported = `supported model_type values: ${SUPPORTED_HF_MODEL_TYPES.join(', ')}`;
  const raw = c.model_type;
  if (raw === undefined || raw === null) {
    const fromArchitectures = modelTypeFromArchitectures(c.architectures);
    if (fromArchitectures) return fromArchitectures;
    throw new GenzError(
      'invalid_input',
      `missing model_type (and no single known entry in architectures to infer it from); ${supported}`,
      ['model_type'],
    );
  }
  if (typeof raw !== 'string') {
    throw new GenzError('invalid_input', `expected model_type to be a string, found ${describe(raw)}; ${supported}`, ['model_type']);
  }
  if (Object.hasOwn(MODEL_TYPES, raw)) return raw as HfModelType;
  const near = closestWithin(raw.toLowerCase().replace(/-/g, '_'), SUPPORTED_HF_MODEL_TYPES);
  throw new GenzError(
    'unsupported',
    `model_type "${raw}" is not supported${near ? ` (did you mean "${near}"?)` : ''}; ${supported}`,
    ['model_type'],
  );
}

function modelTypeFromArchitectures(architectures: unknown): HfModelType | undefined {
  if (!Array.isArray(architectures)) return undefined;
  const types = new Set(architectures.map((a) => (typeof a === 'string' ? ARCHITECTURES[a] : undefined)));
  const [only] = types;
  return types.size === 1 ? only : undefined;
}

// ---- dialects -----------------------------------------------------------------------------------------

const LLAMA_ORIGIN: Origin = {
  hiddenSize: 'hidden_size', numLayers: 'num_hidden_layers', numHeads: 'num_attention_heads',
  numKvHeads: 'num_key_value_heads', headDim: 'head_dim', intermediateSize: 'intermediate_size',
  vocabSize: 'vocab_size', maxPositionEmbeddings: 'max_position_embeddings', tieWordEmbeddings: 'tie_word_embeddings',
};

/** Llama-style decoders: gated MLP, RMSNorm, RoPE, optional GQA and MoE. */
function readLlamaLike(r: HfReader, type: Exclude<HfModelType, 'gpt2' | 'gpt_neox' | 'opt' | 'deepseek_v2' | 'deepseek_v3' | 'mamba' | 'mamba2' | 'jamba' | 'zamba2' | 'falcon_h1'>): { shape: Shape; origin: Origin } {
  const hiddenSize = r.count('hidden_size');
  const numLayers = r.count('num_hidden_layers');
  const numHeads = r.count('num_attention_heads');
  const numKvHeads = r.optionalCount('num_key_value_heads', numHeads);
  const explicitHeadDim = r.has('head_dim') ? r.count('head_dim') : undefined;
  const intermediateSize = r.count('intermediate_size');
  const vocabSize = r.count('vocab_size');
  const maxPositionEmbeddings = r.count('max_position_embeddings');
  const tieWordEmbeddings = r.flag('tie_word_embeddings', TIE_DEFAULT[type]);
  // Qwen2's attention always has Q/K/V biases (no config field); the others read attention_bias.
  const qkvBias = type === 'qwen2' || type === 'qwen2_moe' ? true : r.flag('attention_bias', false);
  const mlpBias = r.flag('mlp_bias', false);
  const activation = llamaActivation(r, type);
  const origin: Origin = { ...LLAMA_ORIGIN };
  let moe: MoeConfig | undefined;
  if (type === 'mixtral') {
    moe = {
      numExperts: r.count('num_local_experts'),
      topK: r.count('num_experts_per_tok'),
      expertIntermediateSize: intermediateSize,
      sharedExperts: 0,
      sharedIntermediateSize: 0,
    };
    Object.assign(origin, { 'moe.numExperts': 'num_local_experts', 'moe.topK': 'num_experts_per_tok', 'moe.expertIntermediateSize': 'intermediate_size' });
  } else if (type === 'qwen2_moe' || type === 'qwen3_moe') {
    rejectDenseLayers(r);
    const shared = type === 'qwen2_moe' ? r.optionalCount('shared_expert_intermediate_size', 0, { allowZero: true }) : 0;
    moe = {
      numExperts: r.count('num_experts'),
      topK: r.count('num_experts_per_tok'),
      expertIntermediateSize: r.count('moe_intermediate_size'),
      sharedExperts: shared > 0 ? 1 : 0,
      sharedIntermediateSize: shared,
    };
    Object.assign(origin, {
      'moe.numExperts': 'num_experts', 'moe.topK': 'num_experts_per_tok', 'moe.expertIntermediateSize': 'moe_intermediate_size',
      'moe.sharedIntermediateSize': 'shared_expert_intermediate_size',
    });
  }
  r.throwIfProblems();
  const headDim = explicitHeadDim ?? evenSplit(hiddenSize, numHeads, 'hidden_size', 'num_attention_heads', 'when head_dim is not given');
  checkGroups(numHeads, numKvHeads, 'num_attention_heads', 'num_key_value_heads');
  const shape: Shape = {
    hiddenSize, numLayers, numHeads, numKvHeads, headDim, intermediateSize, vocabSize, maxPositionEmbeddings,
    mlp: 'gated', activation, norm: 'rmsnorm', positional: 'rope', tieWordEmbeddings, qkvBias, mlpBias,
    parallelAttentionMlp: false,
  };
  if (moe) shape.moe = moe;
  const sliding = slidingLayers(r, type, numLayers, maxPositionEmbeddings);
  if (sliding) {
    shape.slidingWindow = sliding.windowTokens;
    shape.layers = sliding.isSliding.map((yes) => ({ mixers: [yes ? 'sliding-attention' : 'attention'], ffn: moe ? 'moe' : 'dense' }));
    origin.slidingWindow = sliding.key;
  }
  return { shape, origin };
}

/**
 * Sliding-window attention as each family's HF modeling code applies it: Mistral, Mixtral and Phi-3 on every
 * layer when `sliding_window` is set; Gemma-2 on even layers (`is_sliding = not layer_idx % 2`); Qwen2/Qwen3 only
 * with `use_sliding_window`, on layers from `max_window_layers` on. A window no shorter than the context changes
 * nothing and is dropped.
 */
function slidingLayers(r: HfReader, type: HfModelType, numLayers: number, maxPositionEmbeddings: number):
  { windowTokens: number; isSliding: boolean[]; key: string } | undefined {
  const key = type === 'gemma2' && !r.has('sliding_window') ? 'sliding_window_size' : 'sliding_window';
  const raw = r.raw(key);
  if (raw === undefined || raw === null) return undefined;
  let isSliding: (layer: number) => boolean;
  switch (type) {
    case 'mistral': case 'mixtral': case 'phi3': isSliding = () => true; break;
    case 'gemma2': isSliding = (layer) => layer % 2 === 0; break;
    case 'qwen2': case 'qwen2_moe': case 'qwen3': case 'qwen3_moe': {
      if (!r.flag('use_sliding_window', false)) return undefined;
      const first = r.optionalCount('max_window_layers', 0, { allowZero: true });
      isSliding = (layer) => layer >= first;
      break;
    }
    default: return undefined;
  }
  const windowTokens = r.count(key);
  r.throwIfProblems();
  if (windowTokens >= maxPositionEmbeddings) return undefined;
  const layers = Array.from({ length: numLayers }, (_, i) => isSliding(i));
  return layers.some((yes) => yes) ? { windowTokens, isSliding: layers, key } : undefined;
}

function llamaActivation(r: HfReader, type: HfModelType): Activation {
  // HF's Gemma MLP uses the tanh GeLU (hidden_activation) even where the file says hidden_act "gelu".
  if (type === 'gemma') return r.has('hidden_activation') ? r.activation('hidden_activation', 'gelu_pytorch_tanh') : 'gelu-tanh';
  if (type === 'gemma2' && r.has('hidden_activation')) return r.activation('hidden_activation', 'gelu_pytorch_tanh');
  return r.activation('hidden_act', type === 'gemma2' ? 'gelu_pytorch_tanh' : 'silu');
}

/** Qwen MoE configs can keep some layers dense; genz models every layer as an MoE layer. */
function rejectDenseLayers(r: HfReader): void {
  const step = r.raw('decoder_sparse_step');
  if (step !== undefined && step !== null && step !== 1) {
    throw new GenzError('unsupported', `decoder_sparse_step ${describe(step)} (some dense layers) is not supported; expected 1`, ['decoder_sparse_step']);
  }
  const dense = r.raw('mlp_only_layers');
  if (Array.isArray(dense) && dense.length > 0) {
    throw new GenzError('unsupported', `mlp_only_layers ${JSON.stringify(dense)} (dense layers in an MoE model) is not supported; expected []`, ['mlp_only_layers']);
  }
}

/** GPT-2: n_* names, learned positions, LayerNorm, plain GELU MLP, biases everywhere, tied head. */
function readGpt2(r: HfReader): { shape: Shape; origin: Origin } {
  const hiddenSize = r.count('n_embd');
  const numLayers = r.count('n_layer');
  const numHeads = r.count('n_head');
  const maxPositionEmbeddings = r.count('n_positions');
  const vocabSize = r.count('vocab_size');
  const intermediateSize = r.optionalCount('n_inner', 4 * hiddenSize);
  const activation = r.activation('activation_function', 'gelu_new');
  const tieWordEmbeddings = r.flag('tie_word_embeddings', TIE_DEFAULT.gpt2);
  r.throwIfProblems();
  const headDim = evenSplit(hiddenSize, numHeads, 'n_embd', 'n_head');
  return {
    shape: {
      hiddenSize, numLayers, numHeads, numKvHeads: numHeads, headDim, intermediateSize, vocabSize, maxPositionEmbeddings,
      mlp: 'plain', activation, norm: 'layernorm', positional: 'learned', tieWordEmbeddings,
      qkvBias: true, mlpBias: true, parallelAttentionMlp: false,
    },
    origin: {
      hiddenSize: 'n_embd', numLayers: 'n_layer', numHeads: 'n_head', numKvHeads: 'n_head', intermediateSize: 'n_inner',
      vocabSize: 'vocab_size', maxPositionEmbeddings: 'n_positions',
    },
  };
}

/** GPT-NeoX / Pythia: rotary (partial, rotary_pct), LayerNorm, plain MLP, biases, parallel residual. */
function readGptNeox(r: HfReader): { shape: Shape; origin: Origin } {
  const hiddenSize = r.count('hidden_size');
  const numLayers = r.count('num_hidden_layers');
  const numHeads = r.count('num_attention_heads');
  const intermediateSize = r.count('intermediate_size');
  const vocabSize = r.count('vocab_size');
  const maxPositionEmbeddings = r.count('max_position_embeddings');
  const activation = r.activation('hidden_act', 'gelu');
  const tieWordEmbeddings = r.flag('tie_word_embeddings', TIE_DEFAULT.gpt_neox);
  const qkvBias = r.flag('attention_bias', true);
  const parallelAttentionMlp = r.flag('use_parallel_residual', true);
  r.throwIfProblems();
  const headDim = evenSplit(hiddenSize, numHeads, 'hidden_size', 'num_attention_heads');
  return {
    shape: {
      hiddenSize, numLayers, numHeads, numKvHeads: numHeads, headDim, intermediateSize, vocabSize, maxPositionEmbeddings,
      mlp: 'plain', activation, norm: 'layernorm', positional: 'rope', tieWordEmbeddings,
      qkvBias, mlpBias: true, parallelAttentionMlp,
    },
    origin: { ...LLAMA_ORIGIN, numKvHeads: 'num_attention_heads' },
  };
}

/** OPT: learned positions, LayerNorm, plain ReLU MLP (ffn_dim), biases, tied head. */
function readOpt(r: HfReader): { shape: Shape; origin: Origin } {
  const hiddenSize = r.count('hidden_size');
  const numLayers = r.count('num_hidden_layers');
  const numHeads = r.count('num_attention_heads');
  const intermediateSize = r.count('ffn_dim');
  const vocabSize = r.count('vocab_size');
  const maxPositionEmbeddings = r.count('max_position_embeddings');
  const projection = r.optionalCount('word_embed_proj_dim', hiddenSize);
  const activation = r.activation('activation_function', 'relu');
  const tieWordEmbeddings = r.flag('tie_word_embeddings', TIE_DEFAULT.opt);
  const bias = r.flag('enable_bias', true);
  r.throwIfProblems();
  if (projection !== hiddenSize) {
    throw new GenzError(
      'unsupported',
      `word_embed_proj_dim ${projection} differs from hidden_size ${hiddenSize} (OPT-350m-style embedding projections) ` +
        'is not supported; expected word_embed_proj_dim equal to hidden_size',
      ['word_embed_proj_dim'],
    );
  }
  const headDim = evenSplit(hiddenSize, numHeads, 'hidden_size', 'num_attention_heads');
  return {
    shape: {
      hiddenSize, numLayers, numHeads, numKvHeads: numHeads, headDim, intermediateSize, vocabSize, maxPositionEmbeddings,
      mlp: 'plain', activation, norm: 'layernorm', positional: 'learned', tieWordEmbeddings,
      qkvBias: bias, mlpBias: bias, parallelAttentionMlp: false,
    },
    origin: { ...LLAMA_ORIGIN, numKvHeads: 'num_attention_heads', intermediateSize: 'ffn_dim' },
  };
}

// ---- checks -------------------------------------------------------------------------------------------

function evenSplit(total: number, parts: number, totalKey: string, partsKey: string, when = ''): number {
  if (total % parts !== 0) {
    throw new GenzError(
      'invalid_input',
      `${totalKey} (${total}) must be a multiple of ${partsKey} (${parts})${when ? ` ${when}` : ''}`,
      [totalKey],
    );
  }
  return total / parts;
}

function checkGroups(heads: number, kvHeads: number, headsKey: string, kvKey: string): void {
  if (heads % kvHeads !== 0) {
    throw new GenzError(
      'invalid_input',
      `${headsKey} (${heads}) must be a multiple of ${kvKey} (${kvHeads}): each key/value head serves a whole group of query heads`,
      [kvKey],
    );
  }
}

// ---- labels and error paths ---------------------------------------------------------------------------

function defaultLabels(c: Json, type: HfModelType, options: HfImportOptions): Pick<TransformerConfigInput, 'id' | 'name' | 'source'> {
  const nameOrPath = typeof c._name_or_path === 'string' ? c._name_or_path.trim() : '';
  const lastSegment = nameOrPath.split(/[\\/]/).filter((s) => s !== '' && s !== '.' && s !== '..').pop() ?? '';
  const hubRepo = /^[\w.-]+\/[\w.-]+$/.test(nameOrPath);
  return {
    id: options.id ?? (slug(lastSegment) || slug(type)),
    name: options.name ?? (lastSegment || `${type} (config.json)`),
    source: options.source ?? (hubRepo ? `huggingface.co/${nameOrPath} config.json` : 'Hugging Face config.json'),
  };
}

/** Lowercase, [a-z0-9._-] only, starting with a letter or digit: "Llama-2-7b-hf" → "llama-2-7b-hf". */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[-.]+$/, '');
}

/** Reports schema failures under the HF field they came from (['vocab_size'], not ['vocabSize']). */
function inHfTerms(err: GenzError, origin: Origin): GenzError {
  const problems = err.problems.map((p) => {
    const hfKey = origin[p.path.slice(0, 2).join('.')] ?? origin[String(p.path[0])];
    return hfKey ? { path: [hfKey], message: p.message } : p;
  });
  return new GenzError(err.code, problems);
}
