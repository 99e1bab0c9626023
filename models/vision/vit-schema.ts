// The config of a Vision Transformer encoder (ViT, DeiT, SigLIP towers): a square image cut into square
// patches, a linear patch embedding, optional class / distillation tokens, learned positions, L pre-norm
// encoder layers with bidirectional attention, a final norm and an optional classifier head.
import { z } from 'zod';
import { ACTIVATIONS } from '../transformer-schema.ts';

const count = (what: string) => z.number().int().positive().max(10_000_000).describe(what);

export const VitConfigSchema = z
  .object({
    kind: z.literal('vit').describe('discriminates a ViT encoder from a decoder LLM or a VLM'),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a lowercase id such as "vit-b-16"'),
    name: z.string().min(1),
    imageSize: count('side of the square input image, in pixels'),
    patchSize: count('side of one square patch, in pixels (the patch conv has kernel = stride = patchSize; a remainder is dropped)'),
    channels: count('input channels (3 for RGB)').default(3),
    hiddenSize: count('encoder width d'),
    numLayers: count('encoder layers'),
    numHeads: count('attention heads (must divide hiddenSize)'),
    intermediateSize: count('MLP width'),
    numClasses: z.number().int().min(0).max(10_000_000).describe('classifier outputs; 0 = no classifier head (a backbone or a VLM tower)'),
    classToken: z.boolean().describe('prepend a learned [CLS] token; the head reads it (otherwise the head reads the mean of the patch tokens)'),
    distillationToken: z.boolean().default(false).describe('DeiT distillation token with its own head (needs classToken)'),
    activation: z.enum(ACTIVATIONS).default('gelu').describe('MLP activation'),
    norm: z.enum(['layernorm', 'rmsnorm']).default('layernorm'),
    bias: z.boolean().default(true).describe('every linear layer (QKV, output, MLP) has a bias, as in ViT, DeiT and SigLIP'),
    source: z.string().min(1).describe('where the numbers come from (paper table, HF config.json)'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.hiddenSize % c.numHeads !== 0) {
      ctx.addIssue({ code: 'custom', path: ['numHeads'], message: `numHeads (${c.numHeads}) must divide hiddenSize (${c.hiddenSize})` });
    }
    if (c.patchSize > c.imageSize) {
      ctx.addIssue({ code: 'custom', path: ['patchSize'], message: `patchSize (${c.patchSize}) cannot exceed imageSize (${c.imageSize})` });
    }
    if (c.distillationToken && !c.classToken) {
      ctx.addIssue({ code: 'custom', path: ['distillationToken'], message: 'a distillation token needs classToken: true (DeiT uses both)' });
    }
  });

export type VitConfig = z.output<typeof VitConfigSchema>;
export type VitConfigInput = z.input<typeof VitConfigSchema>;

export interface VitTokens {
  /** Patches per image side: floor(imageSize / patchSize). */
  patchesPerSide: number;
  /** Patch tokens per image. */
  patches: number;
  /** Class and distillation tokens per image. */
  extraTokens: number;
  /** Sequence length of the encoder: patches + extra tokens. */
  tokens: number;
}

export function vitTokens(c: VitConfig): VitTokens {
  const patchesPerSide = Math.floor(c.imageSize / c.patchSize);
  const patches = patchesPerSide * patchesPerSide;
  const extraTokens = (c.classToken ? 1 : 0) + (c.distillationToken ? 1 : 0);
  return { patchesPerSide, patches, extraTokens, tokens: patches + extraTokens };
}

/** Classifier heads: one per class / distillation token (DeiT-distilled has two), none without classes. */
export function vitHeadCount(c: VitConfig): number {
  if (c.numClasses === 0) return 0;
  return c.distillationToken ? 2 : 1;
}

/** Why this encoder cannot run at this TP degree, or null. */
export function vitParallelismProblem(c: VitConfig, tp: number): string | null {
  if (c.numHeads % tp !== 0) return `tp ${tp} does not divide the ${c.numHeads} attention heads of ${c.id}`;
  if (c.intermediateSize % tp !== 0) return `tp ${tp} does not divide the MLP width ${c.intermediateSize} of ${c.id}`;
  return null;
}
