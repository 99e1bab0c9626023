// Hybrid attention / state-space presets, each from its layer pattern. Numbers from the public config.json or
// the paper named in `source`.
import type { TransformerConfigInput } from '../transformer-schema.ts';
import type { LayerSpec } from '../layers.ts';

/** Jamba: attention where i % attn_layer_period == attn_layer_offset, MoE where i % expert_layer_period == expert_layer_offset. */
export function jambaLayers(n: number, attnPeriod: number, attnOffset: number, expertPeriod: number, expertOffset: number): LayerSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    mixers: [i % attnPeriod === attnOffset ? 'attention' : 'mamba'],
    ffn: i % expertPeriod === expertOffset ? 'moe' : 'dense',
  }));
}

/** Zamba2: Mamba-2 layers, with the shared transformer block run before the Mamba-2 mixer of each hybrid layer. */
export function zambaLayers(n: number, hybridIds: readonly number[]): LayerSpec[] {
  const hybrid = new Set(hybridIds);
  return Array.from({ length: n }, (_, i) => ({ mixers: hybrid.has(i) ? ['zamba-shared', 'mamba2'] : ['mamba2'], ffn: 'none' }));
}

/** Hymba: every layer fuses attention and SSM heads; the global-attention layers are listed, the rest slide. */
export function hymbaLayers(n: number, globalIds: readonly number[]): LayerSpec[] {
  const global = new Set(globalIds);
  return Array.from({ length: n }, (_, i) => ({ mixers: [global.has(i) ? 'hymba-global' : 'hymba'], ffn: 'dense' }));
}

/** Samba: Mamba + MLP, then sliding-window attention + MLP, repeated (lit_gpt Block: layer_idx % 2 == 0 is Mamba). */
export function sambaLayers(n: number): LayerSpec[] {
  return Array.from({ length: n }, (_, i) => ({ mixers: [i % 2 === 0 ? 'mamba' : 'sliding-attention'], ffn: 'dense' }));
}

export const HYBRID_PRESETS: readonly TransformerConfigInput[] = [
  {
    // Attention every 8 layers at offset 4 (4 of 32), MoE 16 experts top-2 every 2 layers at offset 1, Mamba-1
    // elsewhere. Jamba's attention has no positional encoding (the schema has no 'none': 'rope' adds a negligible
    // rotary op on the 4 attention layers). Not modelled: the small RMSNorms on Δ, B and C inside each Mamba.
    id: 'jamba-v0.1',
    name: 'Jamba v0.1',
    family: 'jamba',
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    vocabSize: 65536,
    maxPositionEmbeddings: 262144,
    mlp: 'gated',
    activation: 'silu',
    norm: 'rmsnorm',
    positional: 'rope',
    tieWordEmbeddings: false,
    moe: { numExperts: 16, topK: 2, expertIntermediateSize: 14336 },
    mamba: { stateSize: 16, convKernel: 4, expand: 2, dtRank: 256 },
    layers: jambaLayers(32, 8, 4, 2, 1),
    source: 'huggingface.co/ai21labs/Jamba-v0.1 config.json (attn_layer_period 8, attn_layer_offset 4, expert_layer_period 2, expert_layer_offset 1, num_experts 16, mamba_d_state 16, mamba_dt_rank 256); arXiv:2403.19887',
  },
  {
    // 38 layers, Mamba-2 everywhere; layers 5, 11, 17, 23, 29, 35 first run the one shared transformer block
    // (num_mem_blocks 1, attention over [h ‖ embeddings] = 2d with 32 heads of 2d/32 = 128, gated GeLU MLP
    // 8192, LoRA rank 128 on Q/K/V and MLP, RoPE). See models/blocks/mamba.ts for the shared-weight accounting.
    id: 'zamba2-1.2b',
    name: 'Zamba2 1.2B',
    family: 'zamba2',
    hiddenSize: 2048,
    numLayers: 38,
    numHeads: 32,
    numKvHeads: 32,
    headDim: 128,
    intermediateSize: 8192,
    vocabSize: 32000,
    maxPositionEmbeddings: 4096,
    mlp: 'gated',
    activation: 'gelu',
    norm: 'rmsnorm',
    positional: 'rope',
    tieWordEmbeddings: true,
    mamba: { stateSize: 128, convKernel: 4, expand: 2, headDim: 64, numGroups: 1, chunkSize: 256 },
    layers: zambaLayers(38, [5, 11, 17, 23, 29, 35]),
    source: 'huggingface.co/Zyphra/Zamba2-1.2B config.json (hidden_size 2048, num_hidden_layers 38, layers_block_type, num_mem_blocks 1, ffn_hidden_size 8192, state_size 128, mamba_headdim 64, lora_rank 128, use_mem_rope); arXiv:2411.15242',
  },
  {
    // Attention and Mamba-2 in parallel in every layer, then a SwiGLU MLP. d_ssm = 24 heads × 128 = 3072, so
    // expand = d_ssm / hidden = 1. Not modelled: Falcon-H1's µP multipliers (no cost).
    id: 'falcon-h1-7b',
    name: 'Falcon-H1 7B',
    family: 'falcon-h1',
    hiddenSize: 3072,
    numLayers: 44,
    numHeads: 12,
    numKvHeads: 2,
    headDim: 128,
    intermediateSize: 12288,
    vocabSize: 130048,
    maxPositionEmbeddings: 262144,
    mlp: 'gated',
    activation: 'silu',
    norm: 'rmsnorm',
    positional: 'rope',
    tieWordEmbeddings: false,
    mamba: { stateSize: 256, convKernel: 4, expand: 1, headDim: 128, numGroups: 1, chunkSize: 128 },
    layers: Array.from({ length: 44 }, () => ({ mixers: ['attention', 'mamba2'], ffn: 'dense' })),
    source: 'huggingface.co/tiiuae/Falcon-H1-7B-Base config.json (mamba_d_ssm 3072, mamba_n_heads 24, mamba_d_head 128, mamba_d_state 256, mamba_n_groups 1, mamba_chunk_size 128) and the FalconH1 table of the HF transformers docs',
  },
  {
    // Fused attention + Mamba-1 heads in every layer; layers 0, 15 and 31 attend globally, the rest over a
    // 1024-token window. d_inner = 2 × 1600 = 3200, so the attention value head is 3200 / 25 = 128 wide.
    id: 'hymba-1.5b',
    name: 'Hymba 1.5B',
    family: 'hymba',
    hiddenSize: 1600,
    numLayers: 32,
    numHeads: 25,
    numKvHeads: 5,
    headDim: 64,
    intermediateSize: 5504,
    vocabSize: 32001,
    maxPositionEmbeddings: 8192,
    mlp: 'gated',
    activation: 'silu',
    norm: 'rmsnorm',
    positional: 'rope',
    tieWordEmbeddings: true,
    slidingWindow: 1024,
    mamba: { stateSize: 16, convKernel: 4, expand: 2, dtRank: 100 },
    layers: hymbaLayers(32, [0, 15, 31]),
    source: 'huggingface.co/nvidia/Hymba-1.5B-Base config.json (hidden_size 1600, 25 heads, 5 KV heads, intermediate_size 5504, global_attn_idx [0,15,31], mamba_dt_rank 100, conv_dim 3200) and model card; arXiv:2411.13676',
  },
  {
    // Paper counting: 64 layers = 16 Mamba + 16 SWA + 32 MLP; as genz layers, 32 of (Mamba or SWA) + MLP.
    // 11 query heads of 2816/11 = 256, one KV head, 2048-token window, Mamba d_state 16, expand 2, dt_rank d/16;
    // embeddings tied (lit_gpt GPT.tie_weights under mamba_init).
    id: 'samba-3.8b',
    name: 'Samba 3.8B',
    family: 'samba',
    hiddenSize: 2816,
    numLayers: 32,
    numHeads: 11,
    numKvHeads: 1,
    headDim: 256,
    intermediateSize: 9984,
    vocabSize: 32064,
    maxPositionEmbeddings: 4096,
    mlp: 'gated',
    activation: 'silu',
    norm: 'rmsnorm',
    positional: 'rope',
    tieWordEmbeddings: true,
    slidingWindow: 2048,
    mamba: { stateSize: 16, convKernel: 4, expand: 2, dtRank: 176 },
    layers: sambaLayers(32),
    source: 'Ren et al. 2024, Samba (arXiv:2406.07522) Table 10 (3.8B: 64 layers, width 2816, MLP 9984, 11 query / 1 KV heads, window 2048, vocab 32064) and §2.1.1; github.com/microsoft/Samba lit_gpt',
  },
];
