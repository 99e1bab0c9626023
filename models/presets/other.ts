// GPT-3 (from the paper) and OPT (from HF config.json): LayerNorm, learned positions, plain two-matrix MLP,
// biases everywhere, LM head tied to the token table.
import type { TransformerConfigInput } from '../transformer-schema.ts';

const OPT_BLOCK = {
  family: 'opt',
  mlp: 'plain',
  activation: 'relu',
  norm: 'layernorm',
  positional: 'learned',
  qkvBias: true,
  mlpBias: true,
  parallelAttentionMlp: false,
  tieWordEmbeddings: true,
  vocabSize: 50272,
  // OPT's learned position table has 2048 + 2 rows (HF OPTLearnedPositionalEmbedding offsets by 2);
  // genz counts the 2048 usable positions, so the table is 2 rows (~2 x d parameters) short.
  maxPositionEmbeddings: 2048,
} as const;

export const OTHER_PRESETS: readonly TransformerConfigInput[] = [
  {
    // Brown et al. 2020, "Language Models are Few-Shot Learners", Table 2.1: n_layers 96, d_model 12288,
    // n_heads 96, d_head 128, context 2048; d_ff = 4 d_model; GPT-2's BPE vocabulary (50257).
    // GPT-3 alternates dense and locally banded sparse attention layers; genz models all layers as dense.
    id: 'gpt-3-175b',
    name: 'GPT-3 175B',
    family: 'gpt3',
    mlp: 'plain',
    activation: 'gelu',
    norm: 'layernorm',
    positional: 'learned',
    qkvBias: true,
    mlpBias: true,
    parallelAttentionMlp: false,
    tieWordEmbeddings: true,
    hiddenSize: 12288,
    numLayers: 96,
    numHeads: 96,
    numKvHeads: 96,
    headDim: 128,
    intermediateSize: 49152,
    vocabSize: 50257,
    maxPositionEmbeddings: 2048,
    source: 'Brown et al. 2020, Language Models are Few-Shot Learners (arXiv:2005.14165), Table 2.1',
  },
  {
    id: 'opt-6.7b',
    name: 'OPT 6.7B',
    ...OPT_BLOCK,
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 32,
    headDim: 128,
    intermediateSize: 16384,
    source: 'huggingface.co/facebook/opt-6.7b config.json',
  },
  {
    id: 'opt-13b',
    name: 'OPT 13B',
    ...OPT_BLOCK,
    hiddenSize: 5120,
    numLayers: 40,
    numHeads: 40,
    numKvHeads: 40,
    headDim: 128,
    intermediateSize: 20480,
    source: 'huggingface.co/facebook/opt-13b config.json',
  },
  {
    id: 'opt-30b',
    name: 'OPT 30B',
    ...OPT_BLOCK,
    hiddenSize: 7168,
    numLayers: 48,
    numHeads: 56,
    numKvHeads: 56,
    headDim: 128,
    intermediateSize: 28672,
    source: 'huggingface.co/facebook/opt-30b config.json',
  },
];
