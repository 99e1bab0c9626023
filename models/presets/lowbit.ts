// Low-bit and matmul-free language models: BitNet b1.58 (ternary weights in a Llama architecture) and the
// MatMul-free LM (ternary MLGRU token mixer + ternary GLU). Weights ship at log₂3 ≈ 1.58 bits.
import type { TransformerConfigInput } from '../transformer-schema.ts';

const TERNARY_BITS = Math.log2(3);

const layers = (n: number, mixer: 'attention' | 'mlgru') => Array.from({ length: n }, () => ({ mixers: [mixer], ffn: 'dense' as const }));

/** MatMul-free LM sizes (Zhu et al. 2024, arXiv 2406.02528, Table 1) with the HF hgrn_bit config's GLU width: 256·⌈d·4·⅔/256⌉. */
function matmulFree(id: string, name: string, hiddenSize: number, numLayers: number): TransformerConfigInput {
  return {
    id, name, family: 'matmul-free', hiddenSize, numLayers,
    intermediateSize: 256 * Math.ceil((hiddenSize * 4 * 2) / 3 / 256),
    vocabSize: 32000, maxPositionEmbeddings: 2048, mlp: 'gated', activation: 'silu', norm: 'rmsnorm', positional: 'none',
    tieWordEmbeddings: false, weightBits: TERNARY_BITS, layers: layers(numLayers, 'mlgru'),
    source: 'Zhu et al. 2024, Scalable MatMul-free Language Modeling (arXiv 2406.02528) Table 1; huggingface.co/ridger/MMfreeLM-* (hgrn_bit) config.json',
  };
}

export const LOWBIT_PRESETS: readonly TransformerConfigInput[] = [
  {
    id: 'bitnet-b1.58-3b', name: 'BitNet b1.58 3B', family: 'bitnet',
    hiddenSize: 3200, numLayers: 26, numHeads: 32, numKvHeads: 32, headDim: 100, intermediateSize: 8640, vocabSize: 32002,
    maxPositionEmbeddings: 2048, mlp: 'gated', activation: 'silu', norm: 'rmsnorm', positional: 'rope', tieWordEmbeddings: false,
    weightBits: TERNARY_BITS,
    source: 'huggingface.co/1bitLLM/bitnet_b1_58-3B config.json (reproduction of Ma et al. 2024, arXiv 2402.17764)',
  },
  matmulFree('matmul-free-370m', 'MatMul-free LM 370M', 1024, 24),
  matmulFree('matmul-free-1.3b', 'MatMul-free LM 1.3B', 2048, 24),
  matmulFree('matmul-free-2.7b', 'MatMul-free LM 2.7B', 2560, 32),
];
