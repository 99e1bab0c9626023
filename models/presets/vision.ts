// Vision presets: ViT and DeiT classifiers (ImageNet-1k heads, 224×224 images), the SigLIP tower of
// SmolVLM, the SmolVLM-256M VLM and its language model.
import type { TransformerConfigInput } from '../transformer-schema.ts';
import type { VitConfigInput } from '../vision/vit-schema.ts';
import type { VlmConfigInput } from '../vision/vlm-schema.ts';

const VIT_IMAGENET = {
  kind: 'vit',
  imageSize: 224,
  patchSize: 16,
  channels: 3,
  numClasses: 1000,
  classToken: true,
  activation: 'gelu',
  norm: 'layernorm',
  bias: true,
} as const;

const VIT_PAPER = 'Dosovitskiy et al. 2021, An Image is Worth 16x16 Words (arXiv:2010.11929), Table 1; 224x224 ImageNet-1k fine-tune head';
const DEIT_PAPER = 'Touvron et al. 2021, Training data-efficient image transformers & distillation through attention (arXiv:2012.12877), Table 1';

export const VIT_PRESETS: readonly VitConfigInput[] = [
  {
    // Table 1: ViT-Base, 12 layers, hidden 768, MLP 3072, 12 heads, 86M parameters.
    ...VIT_IMAGENET, id: 'vit-b-16', name: 'ViT-B/16', hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072,
    source: VIT_PAPER,
  },
  {
    // Table 1: ViT-Large, 24 layers, hidden 1024, MLP 4096, 16 heads, 307M parameters.
    ...VIT_IMAGENET, id: 'vit-l-16', name: 'ViT-L/16', hiddenSize: 1024, numLayers: 24, numHeads: 16, intermediateSize: 4096,
    source: VIT_PAPER,
  },
  {
    // Table 1: DeiT-S, embedding 384, 6 heads, 12 layers, 22M parameters (MLP ratio 4).
    ...VIT_IMAGENET, id: 'deit-s-16', name: 'DeiT-S', hiddenSize: 384, numLayers: 12, numHeads: 6, intermediateSize: 1536,
    source: DEIT_PAPER,
  },
  {
    // Table 1: DeiT-B, the ViT-B architecture, 86M parameters.
    ...VIT_IMAGENET, id: 'deit-b-16', name: 'DeiT-B', hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072,
    source: DEIT_PAPER,
  },
  {
    // Section 5 / Table 5: DeiT-B⚗ adds a distillation token with its own linear head (87M parameters).
    ...VIT_IMAGENET, id: 'deit-b-16-distilled', name: 'DeiT-B distilled', hiddenSize: 768, numLayers: 12, numHeads: 12,
    intermediateSize: 3072, distillationToken: true, source: `${DEIT_PAPER} and Section 5 (distillation token)`,
  },
  {
    // The SigLIP base tower as SmolVLM-256M ships it (no class token, no attention-pooling head, post-layernorm):
    // vision_config hidden 768, 12 layers, 12 heads, MLP 3072, patch 16, 512x512 tiles, gelu_pytorch_tanh.
    kind: 'vit', id: 'siglip-b-16-512', name: 'SigLIP-B/16 512 (SmolVLM tower)', imageSize: 512, patchSize: 16, channels: 3,
    hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, numClasses: 0, classToken: false,
    activation: 'gelu-tanh', norm: 'layernorm', bias: true,
    source: 'huggingface.co/HuggingFaceTB/SmolVLM-256M-Instruct config.json vision_config (base: google/siglip-base-patch16-512)',
  },
];

/** Language models of the VLM presets that genz's decoder presets do not have (SmolVLM's vocabulary adds image tokens). */
export const VLM_TEXT_PRESETS: readonly TransformerConfigInput[] = [
  {
    // SmolLM2-135M as fine-tuned inside SmolVLM-256M: vocab 49280 (49152 + image/special tokens), untied LM head.
    id: 'smolvlm-256m-text',
    name: 'SmolVLM-256M language model (SmolLM2-135M)',
    family: 'llama',
    hiddenSize: 576,
    numLayers: 30,
    numHeads: 9,
    numKvHeads: 3,
    headDim: 64,
    intermediateSize: 1536,
    vocabSize: 49280,
    maxPositionEmbeddings: 8192,
    mlp: 'gated',
    activation: 'silu',
    norm: 'rmsnorm',
    positional: 'rope',
    tieWordEmbeddings: false,
    source: 'huggingface.co/HuggingFaceTB/SmolVLM-256M-Instruct config.json text_config',
  },
];

export const VLM_PRESETS: readonly VlmConfigInput[] = [
  {
    // 512x512 tiles -> 32x32 = 1024 patches -> pixel shuffle r = 4 -> 64 image tokens of width 768·16 = 12288,
    // one bias-free linear to the LM width 576. 256,484,928 parameters in model.safetensors.
    kind: 'vlm',
    id: 'smolvlm-256m',
    name: 'SmolVLM-256M',
    vision: 'siglip-b-16-512',
    projector: { pixelShuffleFactor: 4, kind: 'linear', bias: false },
    languageModel: 'smolvlm-256m-text',
    tilesPerImage: 1,
    source: 'huggingface.co/HuggingFaceTB/SmolVLM-256M-Instruct config.json (scale_factor 4, image_seq_len 64); Marafioti et al. 2025, SmolVLM (arXiv:2504.05299)',
  },
];
