// Pure state-space presets: Mamba-1 (state-spaces/mamba-*, Gu & Dao 2023, arXiv:2312.00752) and Mamba-2
// (state-spaces/mamba2-*, Dao & Gu 2024, arXiv:2405.21060). Every layer is one Mamba mixer with no FFN.
//
// The state-spaces config.json files carry only d_model, n_layer, vocab_size 50277 (+ pad_vocab_size_multiple:
// 8 for Mamba-1 → 50280 rows, 16 for Mamba-2 → 50288) and tie_embeddings; the mixer settings are mamba_ssm's
// defaults: Mamba-1 d_state 16, d_conv 4, expand 2, dt_rank ⌈d/16⌉; Mamba-2 d_state 128, d_conv 4, expand 2,
// headdim 64, ngroups 1, chunk_size 256 (the converted -hf configs spell the same numbers out, e.g.
// state-spaces/mamba-2.8b-hf: state_size 16, time_step_rank 160, intermediate_size 5120, vocab_size 50280).
// These models have no positional encoding (the schema has no 'none'; 'rope' is inert without attention) and no
// trained length limit beyond the 2048-token training sequences, used as maxPositionEmbeddings.
import type { TransformerConfigInput } from '../transformer-schema.ts';
import type { LayerSpec } from '../layers.ts';

const SSM_BLOCK = {
  mlp: 'gated',
  activation: 'silu',
  norm: 'rmsnorm',
  positional: 'rope',
  tieWordEmbeddings: true,
  maxPositionEmbeddings: 2048,
} as const;

function stack(mixer: 'mamba' | 'mamba2', layers: number): LayerSpec[] {
  return Array.from({ length: layers }, () => ({ mixers: [mixer], ffn: 'none' as const }));
}

function mamba1(size: string, hiddenSize: number, numLayers: number): TransformerConfigInput {
  return {
    id: `mamba-${size}`,
    name: `Mamba ${size.toUpperCase()}`,
    family: 'mamba',
    ...SSM_BLOCK,
    hiddenSize,
    numLayers,
    vocabSize: 50280,
    mamba: { stateSize: 16, convKernel: 4, expand: 2, dtRank: Math.ceil(hiddenSize / 16) },
    layers: stack('mamba', numLayers),
    source: `huggingface.co/state-spaces/mamba-${size} config.json (d_model, n_layer, vocab 50277 padded to 50280) with mamba_ssm Mamba defaults; arXiv:2312.00752`,
  };
}

function mamba2(size: string, hiddenSize: number, numLayers: number): TransformerConfigInput {
  return {
    id: `mamba2-${size}`,
    name: `Mamba-2 ${size.toUpperCase()}`,
    family: 'mamba2',
    ...SSM_BLOCK,
    hiddenSize,
    numLayers,
    vocabSize: 50288,
    mamba: { stateSize: 128, convKernel: 4, expand: 2, headDim: 64, numGroups: 1, chunkSize: 256 },
    layers: stack('mamba2', numLayers),
    source: `huggingface.co/state-spaces/mamba2-${size} config.json (d_model, n_layer, vocab 50277 padded to 50288, ssm_cfg layer Mamba2) with mamba_ssm Mamba2 defaults; arXiv:2405.21060`,
  };
}

export const SSM_PRESETS: readonly TransformerConfigInput[] = [
  mamba1('130m', 768, 24),
  mamba1('370m', 1024, 48),
  mamba1('790m', 1536, 48),
  mamba1('1.4b', 2048, 48),
  mamba1('2.8b', 2560, 64),
  mamba2('130m', 768, 24),
  mamba2('780m', 1536, 48),
  mamba2('2.7b', 2560, 64),
];
