// The config of a decoder-only transformer LLM, in genz's own field names (HF names are mapped in hf-import.ts).
import { z } from 'zod';
import { ATTENTION_MIXERS, LayerSpecSchema, layerSpecs } from './layers.ts';

/** Mixers that read the model's `mamba` settings. */
const SSM_MIXERS: ReadonlySet<string> = new Set(['mamba', 'mamba2', 'hymba', 'hymba-global', 'zamba-shared']);

const count = (what: string) => z.number().int().positive().max(10_000_000).describe(what);

export const MODEL_FAMILIES = [
  'llama', 'mistral', 'mixtral', 'qwen2', 'qwen2-moe', 'qwen3', 'qwen3-moe', 'gemma', 'gemma2', 'phi3', 'gpt2', 'gpt-neox', 'opt', 'gpt3', 'bert',
  'mamba', 'mamba2', 'jamba', 'zamba2', 'falcon-h1', 'hymba', 'samba', 'deepseek-v2', 'deepseek-v3', 'bitnet', 'matmul-free', 'hyena',
] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

export const ACTIVATIONS = ['silu', 'gelu', 'gelu-tanh', 'relu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const MoeSchema = z
  .object({
    numExperts: count('routed experts per MoE layer'),
    topK: count('experts each token is routed to'),
    expertIntermediateSize: count('FFN width of one routed expert'),
    sharedExperts: z.number().int().min(0).default(0).describe('always-on shared experts'),
    sharedIntermediateSize: z.number().int().min(0).default(0).describe('FFN width of one shared expert'),
  })
  .strict();

/** Selective state-space (Mamba-1, Mamba-2) settings shared by a model's 'mamba' / 'mamba2' layers. */
export const MambaSchema = z
  .object({
    stateSize: count('SSM state width N per channel (d_state)'),
    convKernel: count('causal conv1d kernel width (d_conv)'),
    expand: z.number().positive().max(64).describe('inner width = expand × hiddenSize'),
    dtRank: count('Mamba-1 rank of the Δ projection (dt_rank)').optional(),
    headDim: count('Mamba-2 head width P').optional(),
    numGroups: count('Mamba-2 groups sharing B and C (n_groups)').optional(),
    chunkSize: count('Mamba-2 SSD chunk length').optional(),
  })
  .strict();

/** Multi-head latent attention (DeepSeek-V2/V3): a compressed KV latent plus a shared RoPE key. */
export const MlaSchema = z
  .object({
    kvLoraRank: count('width of the compressed KV latent cached per token'),
    qLoraRank: z.number().int().min(0).describe('width of the compressed query (0 = full-rank query projection)'),
    qkNopeHeadDim: count('per-head query/key width without RoPE'),
    qkRopeHeadDim: count('per-head (and shared key) RoPE width'),
    vHeadDim: count('per-head value width'),
  })
  .strict();

/** Block-sparse attention (MoBA / NSA style): each query attends to its top-k key blocks. */
export const SparseAttentionSchema = z
  .object({
    blockSize: count('keys per block'),
    topKBlocks: count('blocks each query attends to (the current block included)'),
  })
  .strict();

/** Hyena operator settings (Poli et al. 2023). */
export const HyenaSchema = z
  .object({
    order: count('long-convolution rounds N (2 in the paper)').default(2),
    shortConvKernel: count('width of the short depthwise convolution').default(3),
  })
  .strict();

export const TransformerConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a lowercase id such as "llama-2-7b"'),
    name: z.string().min(1),
    family: z.enum(MODEL_FAMILIES),
    hiddenSize: count('model width d'),
    numLayers: count('decoder layers'),
    numHeads: count('query heads (required when a layer has attention)').optional(),
    numKvHeads: count('key/value heads, GQA/MQA when fewer than numHeads (required when a layer has attention)').optional(),
    headDim: count('width of one head (required when a layer has attention)').optional(),
    intermediateSize: count('FFN width (required when a layer has a dense FFN; MoE experts have their own)').optional(),
    vocabSize: count('vocabulary size'),
    maxPositionEmbeddings: count('longest context the model was trained for'),
    mlp: z.enum(['gated', 'plain']).describe('gated = SwiGLU/GeGLU (gate, up, down); plain = up, down'),
    activation: z.enum(ACTIVATIONS),
    norm: z.enum(['rmsnorm', 'layernorm']),
    positional: z.enum(['rope', 'learned', 'alibi', 'none']).describe('rope adds a rotary op; learned adds a position table; none for recurrent mixers'),
    tieWordEmbeddings: z.boolean().describe('LM head shares the embedding table'),
    qkvBias: z.boolean().default(false),
    mlpBias: z.boolean().default(false),
    parallelAttentionMlp: z.boolean().default(false).describe('attention and MLP read the same normed input (GPT-J/NeoX/Phi style)'),
    moe: MoeSchema.optional(),
    slidingWindow: count('tokens a sliding-window attention layer attends over').optional(),
    attentionSinks: z.number().int().min(0).optional().describe('initial tokens a sink-attention layer always keeps (Λ-shaped with slidingWindow)'),
    sparseAttention: SparseAttentionSchema.optional(),
    mamba: MambaSchema.optional(),
    mla: MlaSchema.optional(),
    hyena: HyenaSchema.optional(),
    weightBits: z.number().min(1).max(32).optional().describe('bits per weight the model ships with (e.g. 1.58 ternary BitNet); the default for wbits'),
    layers: z
      .array(LayerSpecSchema)
      .optional()
      .describe('one entry per layer for hybrids and mixed stacks; default: every layer attention + dense (or moe) FFN'),
    source: z.string().min(1).describe('where the numbers come from (HF repo config.json, paper)'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const layers = layerSpecs(config);
    if (layers.some((l) => l.mixers.some((m) => ATTENTION_MIXERS.has(m)))) {
      for (const field of ['numHeads', 'numKvHeads', 'headDim'] as const) {
        if (config[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'required: the model has attention layers' });
      }
    }
    if (config.intermediateSize === undefined && layers.some((l) => l.ffn === 'dense')) {
      ctx.addIssue({ code: 'custom', path: ['intermediateSize'], message: 'required: the model has dense FFN layers' });
    }
    if (config.numHeads !== undefined && config.numKvHeads !== undefined && config.numHeads % config.numKvHeads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['numKvHeads'],
        message: `numHeads (${config.numHeads}) must be a multiple of numKvHeads (${config.numKvHeads})`,
      });
    }
    if (config.layers) {
      if (config.layers.length !== config.numLayers) {
        ctx.addIssue({ code: 'custom', path: ['layers'], message: `lists ${config.layers.length} layers but numLayers is ${config.numLayers}` });
      }
      config.layers.forEach((layer, i) => {
        if (layer.ffn === 'moe' && !config.moe) {
          ctx.addIssue({ code: 'custom', path: ['layers', i, 'ffn'], message: 'a "moe" layer needs the model\'s `moe` settings' });
        }
        if ((layer.mixers.includes('sliding-attention') || layer.mixers.includes('sink-attention')) && config.slidingWindow === undefined) {
          ctx.addIssue({ code: 'custom', path: ['layers', i, 'mixers'], message: 'a sliding-window or sink attention layer needs `slidingWindow`' });
        }
        if (layer.mixers.some((m) => SSM_MIXERS.has(m)) && config.mamba === undefined) {
          ctx.addIssue({ code: 'custom', path: ['layers', i, 'mixers'], message: 'a Mamba-based layer needs the model\'s `mamba` settings' });
        }
        if (layer.mixers.includes('hymba') && config.slidingWindow === undefined) {
          ctx.addIssue({ code: 'custom', path: ['layers', i, 'mixers'], message: 'a "hymba" (sliding-window) layer needs `slidingWindow`' });
        }
        if (layer.mixers.includes('zamba-shared') && config.intermediateSize === undefined) {
          ctx.addIssue({ code: 'custom', path: ['layers', i, 'mixers'], message: 'a "zamba-shared" layer needs `intermediateSize` for its shared MLP' });
        }
        if (layer.mixers.includes('mla') && config.mla === undefined) {
          ctx.addIssue({ code: 'custom', path: ['layers', i, 'mixers'], message: 'an "mla" layer needs the model\'s `mla` settings' });
        }
        if (layer.mixers.includes('sparse-attention') && config.sparseAttention === undefined) {
          ctx.addIssue({ code: 'custom', path: ['layers', i, 'mixers'], message: 'a "sparse-attention" layer needs `sparseAttention`' });
        }
      });
    }
    if (config.mamba) {
      // Channel layouts the SSM modules rely on (Mamba-2 heads of headDim, groups sharing B and C; Hymba value heads).
      const dInner = config.mamba.expand * config.hiddenSize;
      const mixers = new Set(layers.flatMap((l) => l.mixers));
      if (!Number.isInteger(dInner)) {
        ctx.addIssue({ code: 'custom', path: ['mamba', 'expand'], message: `expand × hiddenSize (${dInner}) must be a whole number of channels` });
      } else if (mixers.has('mamba2') || mixers.has('zamba-shared')) {
        const headDim = config.mamba.headDim ?? 64;
        const groups = config.mamba.numGroups ?? 1;
        if (dInner % headDim !== 0) {
          ctx.addIssue({ code: 'custom', path: ['mamba', 'headDim'], message: `headDim ${headDim} must divide the inner width ${dInner}` });
        } else if ((dInner / headDim) % groups !== 0) {
          ctx.addIssue({ code: 'custom', path: ['mamba', 'numGroups'], message: `numGroups ${groups} must divide the ${dInner / headDim} SSM heads` });
        }
      }
      if ((mixers.has('hymba') || mixers.has('hymba-global')) && config.numHeads !== undefined && dInner % config.numHeads !== 0) {
        ctx.addIssue({ code: 'custom', path: ['numHeads'], message: `numHeads ${config.numHeads} must divide the inner width ${dInner} (Hymba value heads)` });
      }
    }
    if (config.moe && config.moe.topK > config.moe.numExperts) {
      ctx.addIssue({
        code: 'custom',
        path: ['moe', 'topK'],
        message: `topK (${config.moe.topK}) cannot exceed numExperts (${config.moe.numExperts})`,
      });
    }
  });

export type TransformerConfig = z.output<typeof TransformerConfigSchema>;
export type TransformerConfigInput = z.input<typeof TransformerConfigSchema>;
export type MoeConfig = z.output<typeof MoeSchema>;
