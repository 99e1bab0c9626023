// Mistral AI presets (dense and mixture-of-experts). Numbers from each model's public HF config.json.
import type { TransformerConfigInput } from '../transformer-schema.ts';

const MISTRAL_BLOCK = {
  mlp: 'gated',
  activation: 'silu',
  norm: 'rmsnorm',
  positional: 'rope',
  qkvBias: false,
  mlpBias: false,
  parallelAttentionMlp: false,
  tieWordEmbeddings: false,
} as const;

export const MISTRAL_PRESETS: readonly TransformerConfigInput[] = [
  {
    // v0.1 attends over a 4096-token sliding window on every layer (config `sliding_window`): KV and attention
    // work stop growing past 4k tokens.
    id: 'mistral-7b',
    name: 'Mistral 7B v0.1',
    family: 'mistral',
    ...MISTRAL_BLOCK,
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    vocabSize: 32000,
    maxPositionEmbeddings: 32768,
    slidingWindow: 4096,
    layers: Array.from({ length: 32 }, () => ({ mixers: ['sliding-attention'], ffn: 'dense' }) as const),
    source: 'huggingface.co/mistralai/Mistral-7B-v0.1 config.json',
  },
  {
    // intermediateSize is the width of one expert (HF `intermediate_size`); every layer is an MoE layer.
    id: 'mixtral-8x7b',
    name: 'Mixtral 8x7B v0.1',
    family: 'mixtral',
    ...MISTRAL_BLOCK,
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    vocabSize: 32000,
    maxPositionEmbeddings: 32768,
    moe: { numExperts: 8, topK: 2, expertIntermediateSize: 14336, sharedExperts: 0, sharedIntermediateSize: 0 },
    source: 'huggingface.co/mistralai/Mixtral-8x7B-v0.1 config.json',
  },
  {
    // vocab 32768 is the current config.json (the repo was first published with 32000).
    id: 'mixtral-8x22b',
    name: 'Mixtral 8x22B v0.1',
    family: 'mixtral',
    ...MISTRAL_BLOCK,
    hiddenSize: 6144,
    numLayers: 56,
    numHeads: 48,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 16384,
    vocabSize: 32768,
    maxPositionEmbeddings: 65536,
    moe: { numExperts: 8, topK: 2, expertIntermediateSize: 16384, sharedExperts: 0, sharedIntermediateSize: 0 },
    source: 'huggingface.co/mistralai/Mixtral-8x22B-v0.1 config.json',
  },
];
