// Reads state-space and hybrid Hugging Face config.json files (model_type mamba, mamba2, jamba, zamba2,
// falcon_h1) with the field names and defaults of transformers' MambaConfig, Mamba2Config, JambaConfig,
// Zamba2Config and FalconH1Config. Paths in errors are the HF field names (['layers_block_type', 7]).
// Fields that do not change cost (time-step init ranges, µP multipliers, norm epsilons) are ignored.
import { GenzError } from '../common/errors.ts';
import { describe, type HfReader } from './hf-reader.ts';
import type { LayerSpec } from './layers.ts';
import type { TransformerConfigInput } from './transformer-schema.ts';
import { ZAMBA2_ADAPTER_RANK, ZAMBA2_SHARED_BLOCKS } from './blocks/mamba.ts';

type Shape = Omit<TransformerConfigInput, 'id' | 'name' | 'source' | 'family'>;
type Origin = Record<string, string>;
type Mamba = NonNullable<Shape['mamba']>;

export const SSM_MODEL_TYPES = ['mamba', 'mamba2', 'jamba', 'zamba2', 'falcon_h1'] as const;
export type SsmModelType = (typeof SSM_MODEL_TYPES)[number];

export function isSsmModelType(type: string): type is SsmModelType {
  return (SSM_MODEL_TYPES as readonly string[]).includes(type);
}

export function readSsmFamily(r: HfReader, type: SsmModelType): { shape: Shape; origin: Origin } {
  switch (type) {
    case 'mamba':
      return readMamba(r);
    case 'mamba2':
      return readMamba2(r);
    case 'jamba':
      return readJamba(r);
    case 'zamba2':
      return readZamba2(r);
    case 'falcon_h1':
      return readFalconH1(r);
  }
}

/** Pure SSMs have no trained position limit in their config; mamba_ssm pretrained at 2048 tokens. */
const SSM_DEFAULT_CONTEXT = 2048;

const COMMON_ORIGIN: Origin = {
  hiddenSize: 'hidden_size', numLayers: 'num_hidden_layers', vocabSize: 'vocab_size', intermediateSize: 'intermediate_size',
  maxPositionEmbeddings: 'max_position_embeddings', tieWordEmbeddings: 'tie_word_embeddings', numHeads: 'num_attention_heads',
  numKvHeads: 'num_key_value_heads', headDim: 'head_dim', layers: 'num_hidden_layers',
};

// ---- helpers --------------------------------------------------------------------------------------------

/** A positive number (integers and fractions, e.g. expand 1.5). */
function positive(r: HfReader, key: string, fallback: number): number {
  if (!r.has(key)) return fallback;
  const v = r.raw(key);
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  throw new GenzError('invalid_input', `expected a positive number, found ${describe(v)}`, [key]);
}

/** A count that may also be the string "auto" (dt_rank, d_head). */
function countOrAuto(r: HfReader, key: string, auto: number): number {
  if (!r.has(key) || r.raw(key) === 'auto') return auto;
  return r.count(key);
}

function check(ok: boolean, key: (string | number)[], message: string): void {
  if (!ok) throw new GenzError('invalid_input', message, key);
}

function headsFromWidth(width: number, heads: number, widthKey: string, headsKey: string): number {
  check(width % heads === 0, [headsKey], `${headsKey} (${heads}) must divide ${widthKey} (${width})`);
  return width / heads;
}

const SSM_SHAPE = { mlp: 'gated', norm: 'rmsnorm', positional: 'rope', qkvBias: false, mlpBias: false, parallelAttentionMlp: false } as const;

// ---- Mamba-1 (MambaConfig) ----------------------------------------------------------------------------

function readMamba(r: HfReader): { shape: Shape; origin: Origin } {
  const hiddenSize = r.count('hidden_size');
  const numLayers = r.count('num_hidden_layers');
  const vocabSize = r.count('vocab_size');
  const stateSize = r.optionalCount('state_size', 16);
  const convKernel = r.optionalCount('conv_kernel', 4);
  const expandField = positive(r, 'expand', 2);
  const intermediate = r.optionalCount('intermediate_size', Math.round(expandField * hiddenSize));
  const tieWordEmbeddings = r.flag('tie_word_embeddings', true);
  const activation = r.activation('hidden_act', 'silu');
  const maxPositionEmbeddings = r.optionalCount('max_position_embeddings', SSM_DEFAULT_CONTEXT);
  r.throwIfProblems();
  const dtRank = countOrAuto(r, 'time_step_rank', Math.ceil(hiddenSize / 16));
  const mamba: Mamba = { stateSize, convKernel, expand: intermediate / hiddenSize, dtRank };
  return {
    shape: {
      ...SSM_SHAPE, hiddenSize, numLayers, vocabSize, maxPositionEmbeddings, activation, tieWordEmbeddings, mamba,
      layers: Array.from({ length: numLayers }, () => ({ mixers: ['mamba'], ffn: 'none' })),
    },
    origin: { ...COMMON_ORIGIN, 'mamba.stateSize': 'state_size', 'mamba.convKernel': 'conv_kernel', 'mamba.expand': 'intermediate_size', 'mamba.dtRank': 'time_step_rank' },
  };
}

// ---- Mamba-2 (Mamba2Config; defaults are Mamba-Codestral's) ------------------------------------------

function readMamba2(r: HfReader): { shape: Shape; origin: Origin } {
  const hiddenSize = r.count('hidden_size');
  const numLayers = r.count('num_hidden_layers');
  const vocabSize = r.count('vocab_size');
  const stateSize = r.optionalCount('state_size', 128);
  const convKernel = r.optionalCount('conv_kernel', 4);
  const numHeads = r.optionalCount('num_heads', 128);
  const headDim = r.optionalCount('head_dim', 64);
  const numGroups = r.optionalCount('n_groups', 8);
  const chunkSize = r.optionalCount('chunk_size', 256);
  const expand = positive(r, 'expand', 2);
  const tieWordEmbeddings = r.flag('tie_word_embeddings', false);
  const activation = r.activation('hidden_act', 'silu');
  const maxPositionEmbeddings = r.optionalCount('max_position_embeddings', SSM_DEFAULT_CONTEXT);
  r.throwIfProblems();
  const dInner = expand * hiddenSize;
  check(numHeads * headDim === dInner, ['num_heads'],
    `num_heads (${numHeads}) × head_dim (${headDim}) must equal expand × hidden_size (${dInner}), the SSM inner width`);
  check(numHeads % numGroups === 0, ['n_groups'], `n_groups (${numGroups}) must divide num_heads (${numHeads})`);
  return {
    shape: {
      ...SSM_SHAPE, hiddenSize, numLayers, vocabSize, maxPositionEmbeddings, activation, tieWordEmbeddings,
      mamba: { stateSize, convKernel, expand, headDim, numGroups, chunkSize },
      layers: Array.from({ length: numLayers }, () => ({ mixers: ['mamba2'], ffn: 'none' })),
    },
    origin: {
      ...COMMON_ORIGIN, 'mamba.stateSize': 'state_size', 'mamba.convKernel': 'conv_kernel', 'mamba.expand': 'expand',
      'mamba.headDim': 'head_dim', 'mamba.numGroups': 'n_groups', 'mamba.chunkSize': 'chunk_size',
    },
  };
}

// ---- Jamba (JambaConfig) ------------------------------------------------------------------------------

function readJamba(r: HfReader): { shape: Shape; origin: Origin } {
  const hiddenSize = r.count('hidden_size');
  const numLayers = r.count('num_hidden_layers');
  const numHeads = r.count('num_attention_heads');
  const numKvHeads = r.optionalCount('num_key_value_heads', numHeads);
  const intermediateSize = r.count('intermediate_size');
  const vocabSize = r.count('vocab_size');
  const maxPositionEmbeddings = r.optionalCount('max_position_embeddings', 262144);
  const tieWordEmbeddings = r.flag('tie_word_embeddings', false);
  const activation = r.activation('hidden_act', 'silu');
  const numExperts = r.optionalCount('num_experts', 16, { allowZero: true });
  const topK = r.optionalCount('num_experts_per_tok', 2);
  const expertPeriod = r.optionalCount('expert_layer_period', 2);
  const expertOffset = r.optionalCount('expert_layer_offset', 1, { allowZero: true });
  const attnPeriod = r.optionalCount('attn_layer_period', 8);
  const attnOffset = r.optionalCount('attn_layer_offset', 4, { allowZero: true });
  const stateSize = r.optionalCount('mamba_d_state', 16);
  const convKernel = r.optionalCount('mamba_d_conv', 4);
  const expand = positive(r, 'mamba_expand', 2);
  r.throwIfProblems();
  check(numExperts > 0, ['num_experts'], 'found 0 experts; a Jamba layer needs at least one (1 means every FFN is dense)');
  check(attnOffset < attnPeriod, ['attn_layer_offset'], `attn_layer_offset (${attnOffset}) must be less than attn_layer_period (${attnPeriod})`);
  check(expertOffset < expertPeriod, ['expert_layer_offset'], `expert_layer_offset (${expertOffset}) must be less than expert_layer_period (${expertPeriod})`);
  const dtRank = countOrAuto(r, 'mamba_dt_rank', Math.ceil(hiddenSize / 16));
  const headDim = headsFromWidth(hiddenSize, numHeads, 'hidden_size', 'num_attention_heads');
  // HF JambaDecoderLayer: a layer with one expert is a plain MLP.
  const layers = Array.from({ length: numLayers }, (_, i): LayerSpec => ({
    mixers: [i % attnPeriod === attnOffset ? 'attention' : 'mamba'],
    ffn: numExperts > 1 && i % expertPeriod === expertOffset ? 'moe' : 'dense',
  }));
  const shape: Shape = {
    ...SSM_SHAPE, hiddenSize, numLayers, numHeads, numKvHeads, headDim, intermediateSize, vocabSize, maxPositionEmbeddings,
    activation, tieWordEmbeddings, mamba: { stateSize, convKernel, expand, dtRank }, layers,
  };
  if (layers.some((l) => l.ffn === 'moe')) {
    shape.moe = { numExperts, topK, expertIntermediateSize: intermediateSize, sharedExperts: 0, sharedIntermediateSize: 0 };
  }
  return {
    shape,
    origin: {
      ...COMMON_ORIGIN, headDim: 'num_attention_heads', 'moe.topK': 'num_experts_per_tok', 'moe.numExperts': 'num_experts',
      'mamba.stateSize': 'mamba_d_state', 'mamba.convKernel': 'mamba_d_conv', 'mamba.expand': 'mamba_expand', 'mamba.dtRank': 'mamba_dt_rank',
    },
  };
}

// ---- Zamba2 (Zamba2Config) ----------------------------------------------------------------------------

const ZAMBA_LAYER_KINDS: Record<string, LayerSpec> = {
  mamba: { mixers: ['mamba2'], ffn: 'none' },
  hybrid: { mixers: ['zamba-shared', 'mamba2'], ffn: 'none' },
};

function readZamba2(r: HfReader): { shape: Shape; origin: Origin } {
  const hiddenSize = r.count('hidden_size');
  const numLayers = r.count('num_hidden_layers');
  const numHeads = r.count('num_attention_heads');
  const numKvHeads = r.optionalCount('num_key_value_heads', numHeads);
  const vocabSize = r.count('vocab_size');
  const maxPositionEmbeddings = r.optionalCount('max_position_embeddings', 4096);
  const intermediateSize = r.optionalCount('intermediate_size', 4 * hiddenSize);
  const tieWordEmbeddings = r.flag('tie_word_embeddings', true);
  const activation = r.activation('hidden_act', 'gelu');
  const stateSize = r.optionalCount('mamba_d_state', 64);
  const convKernel = r.optionalCount('mamba_d_conv', 4);
  const expand = positive(r, 'mamba_expand', 2);
  const numGroups = r.optionalCount('mamba_ngroups', 1);
  const mambaHeads = r.optionalCount('n_mamba_heads', 8);
  const chunkSize = r.optionalCount('chunk_size', 256);
  const memBlocks = r.optionalCount('num_mem_blocks', 1);
  const adapterRank = r.optionalCount('adapter_rank', 128);
  const attnAdapter = r.flag('use_shared_attention_adapter', false);
  const mlpAdapter = r.flag('use_shared_mlp_adapter', false);
  r.throwIfProblems();
  const dInner = expand * hiddenSize;
  const mambaHeadDim = headsFromWidth(dInner, mambaHeads, 'mamba_expand × hidden_size', 'n_mamba_heads');
  // Zamba2Config: the shared attention reads [h ‖ embeddings], 2·hidden_size wide, split over the heads.
  const headDim = r.has('attention_head_dim') ? r.count('attention_head_dim') : headsFromWidth(2 * hiddenSize, numHeads, '2 × hidden_size', 'num_attention_heads');
  if (memBlocks !== ZAMBA2_SHARED_BLOCKS) {
    throw new GenzError('unsupported',
      `num_mem_blocks ${memBlocks} (alternating shared blocks, as in Zamba2-2.7B/7B) is not supported; expected ${ZAMBA2_SHARED_BLOCKS}`, ['num_mem_blocks']);
  }
  if (adapterRank !== ZAMBA2_ADAPTER_RANK || !attnAdapter || !mlpAdapter) {
    const key = adapterRank !== ZAMBA2_ADAPTER_RANK ? 'adapter_rank' : !attnAdapter ? 'use_shared_attention_adapter' : 'use_shared_mlp_adapter';
    throw new GenzError('unsupported',
      `the shared block is modelled with rank-${ZAMBA2_ADAPTER_RANK} LoRA adapters on attention and MLP (Zamba2-1.2B); found adapter_rank ${adapterRank}, ` +
      `use_shared_attention_adapter ${attnAdapter}, use_shared_mlp_adapter ${mlpAdapter}`, [key]);
  }
  const kinds = r.raw('layers_block_type');
  let layers: LayerSpec[];
  if (kinds === undefined || kinds === null) {
    throw new GenzError('invalid_input', 'missing required field; expected a list of "mamba" / "hybrid", one per layer', ['layers_block_type']);
  } else if (!Array.isArray(kinds)) {
    throw new GenzError('invalid_input', `expected a list of "mamba" / "hybrid", found ${describe(kinds)}`, ['layers_block_type']);
  } else {
    layers = kinds.map((k: unknown, i) => {
      const spec = typeof k === 'string' ? ZAMBA_LAYER_KINDS[k] : undefined;
      if (!spec) {
        const found = typeof k === 'string' ? JSON.stringify(k) : describe(k);
        throw new GenzError('invalid_input', `unknown layer kind ${found}; expected "mamba" or "hybrid"`, ['layers_block_type', i]);
      }
      return { mixers: [...spec.mixers], ffn: spec.ffn };
    });
  }
  return {
    shape: {
      ...SSM_SHAPE, hiddenSize, numLayers, numHeads, numKvHeads, headDim, intermediateSize, vocabSize, maxPositionEmbeddings,
      activation, tieWordEmbeddings, layers,
      mamba: { stateSize, convKernel, expand, headDim: mambaHeadDim, numGroups, chunkSize },
    },
    origin: {
      ...COMMON_ORIGIN, headDim: 'attention_head_dim', layers: 'layers_block_type', 'mamba.stateSize': 'mamba_d_state',
      'mamba.convKernel': 'mamba_d_conv', 'mamba.expand': 'mamba_expand', 'mamba.numGroups': 'mamba_ngroups',
      'mamba.headDim': 'n_mamba_heads', 'mamba.chunkSize': 'chunk_size',
    },
  };
}

// ---- Falcon-H1 (FalconH1Config) -------------------------------------------------------------------------

function readFalconH1(r: HfReader): { shape: Shape; origin: Origin } {
  const hiddenSize = r.count('hidden_size');
  const numLayers = r.count('num_hidden_layers');
  const numHeads = r.count('num_attention_heads');
  const numKvHeads = r.optionalCount('num_key_value_heads', numHeads);
  const intermediateSize = r.count('intermediate_size');
  const vocabSize = r.count('vocab_size');
  const maxPositionEmbeddings = r.optionalCount('max_position_embeddings', 8192);
  const tieWordEmbeddings = r.flag('tie_word_embeddings', false);
  const activation = r.activation('hidden_act', 'silu');
  const qkvBias = r.flag('attention_bias', false);
  const mlpBias = r.flag('mlp_bias', false);
  const stateSize = r.optionalCount('mamba_d_state', 256);
  const convKernel = r.optionalCount('mamba_d_conv', 4);
  const expandField = positive(r, 'mamba_expand', 2);
  const numGroups = r.optionalCount('mamba_n_groups', 1);
  const mambaHeads = r.optionalCount('mamba_n_heads', 128);
  const chunkSize = r.optionalCount('mamba_chunk_size', 256);
  const dSsm = r.optionalCount('mamba_d_ssm', Math.round(expandField * hiddenSize));
  r.throwIfProblems();
  const headDim = r.has('head_dim') ? r.count('head_dim') : headsFromWidth(hiddenSize, numHeads, 'hidden_size', 'num_attention_heads');
  const mambaHeadDim = countOrAuto(r, 'mamba_d_head', headsFromWidth(dSsm, mambaHeads, 'mamba_d_ssm', 'mamba_n_heads'));
  check(mambaHeadDim * mambaHeads === dSsm, ['mamba_d_head'],
    `mamba_d_head (${mambaHeadDim}) × mamba_n_heads (${mambaHeads}) must equal mamba_d_ssm (${dSsm})`);
  const attnLayers = r.raw('attn_layer_indices');
  if (attnLayers !== undefined && attnLayers !== null) {
    throw new GenzError('unsupported', `attn_layer_indices ${JSON.stringify(attnLayers)} is not supported; expected null (attention in every layer)`, ['attn_layer_indices']);
  }
  return {
    shape: {
      ...SSM_SHAPE, hiddenSize, numLayers, numHeads, numKvHeads, headDim, intermediateSize, vocabSize, maxPositionEmbeddings,
      activation, tieWordEmbeddings, qkvBias, mlpBias,
      mamba: { stateSize, convKernel, expand: dSsm / hiddenSize, headDim: mambaHeadDim, numGroups, chunkSize },
      layers: Array.from({ length: numLayers }, () => ({ mixers: ['attention', 'mamba2'], ffn: 'dense' })),
    },
    origin: {
      ...COMMON_ORIGIN, 'mamba.stateSize': 'mamba_d_state', 'mamba.convKernel': 'mamba_d_conv', 'mamba.expand': 'mamba_d_ssm',
      'mamba.headDim': 'mamba_d_head', 'mamba.numGroups': 'mamba_n_groups', 'mamba.chunkSize': 'mamba_chunk_size',
    },
  };
}
