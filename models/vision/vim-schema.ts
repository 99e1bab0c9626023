// The config of a Vision Mamba encoder (Vim; Zhu et al. 2024, "Vision Mamba: Efficient Visual Representation
// Learning with Bidirectional State Space Model", arXiv:2401.09417, §3.3 and Alg. 1; hustvl/Vim models_mamba.py):
// a square image cut into patches by a conv (kernel patchSize, stride patchStride), a class token inserted in the
// middle of the patch sequence, learned positions, L Vim blocks — each a (fused add +) norm and one bidirectional
// Mamba-1 mixer whose forward and backward directions share in_proj and out_proj but own their conv1d, x_proj,
// dt_proj, A and D — a final norm and a linear classifier on the class token.
import { z } from 'zod';

const count = (what: string) => z.number().int().positive().max(10_000_000).describe(what);

export const VimConfigSchema = z
  .object({
    kind: z.literal('vim').describe('discriminates a Vision Mamba encoder from a ViT, a VLM or a decoder LLM'),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a lowercase id such as "vim-tiny"'),
    name: z.string().min(1),
    imageSize: count('side of the square input image, in pixels'),
    patchSize: count('side of one square patch (the patch conv kernel), in pixels'),
    patchStride: count('stride of the patch conv (default patchSize; 8 for the paper\'s long-sequence fine-tune)').optional(),
    channels: count('input channels (3 for RGB)').default(3),
    hiddenSize: count('embedding width d (embed_dim)'),
    numLayers: count('Vim blocks (depth)'),
    stateSize: count('SSM state width N per channel (d_state)').default(16),
    convKernel: count('causal conv1d kernel width (d_conv)').default(4),
    expand: z.number().positive().max(64).default(2).describe('inner width E = expand × hiddenSize'),
    dtRank: count('rank of the Δ projection (default ⌈d/16⌉, "auto" in mamba_ssm)').optional(),
    bidirectional: z.boolean().default(true).describe('forward and backward scans per block (Vim); false = one causal scan (the paper\'s unidirectional ablation)'),
    classToken: z.enum(['middle', 'first', 'none']).default('middle')
      .describe('where the class token sits (Vim puts it in the middle of the patch sequence); none = the head reads the mean of all tokens'),
    numClasses: z.number().int().min(0).max(10_000_000).describe('classifier outputs; 0 = no classifier head (a backbone)'),
    norm: z.enum(['rmsnorm', 'layernorm']).default('rmsnorm'),
    source: z.string().min(1).describe('where the numbers come from (paper table, official model definition)'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!Number.isInteger(c.expand * c.hiddenSize)) {
      ctx.addIssue({
        code: 'custom', path: ['hiddenSize'],
        message: `expand × hiddenSize must be a whole number of channels; found ${c.expand} × ${c.hiddenSize} = ${c.expand * c.hiddenSize}`,
      });
    }
    if (c.patchSize > c.imageSize) {
      ctx.addIssue({ code: 'custom', path: ['patchSize'], message: `patchSize (${c.patchSize}) cannot exceed imageSize (${c.imageSize})` });
    }
    if (c.patchStride !== undefined && c.patchStride > c.patchSize) {
      ctx.addIssue({ code: 'custom', path: ['patchStride'], message: `patchStride (${c.patchStride}) larger than patchSize (${c.patchSize}) would skip pixels` });
    }
  });

export type VimConfig = z.output<typeof VimConfigSchema>;
export type VimConfigInput = z.input<typeof VimConfigSchema>;

export interface VimTokens {
  /** Patches per image side: ⌊(imageSize − patchSize) / stride⌋ + 1 (PatchEmbed.grid_size). */
  patchesPerSide: number;
  patches: number;
  /** Class tokens per image (0 or 1). */
  extraTokens: number;
  /** Sequence length each scan runs over: patches + class token. */
  tokens: number;
}

export function vimTokens(c: VimConfig): VimTokens {
  const stride = c.patchStride ?? c.patchSize;
  const patchesPerSide = Math.floor((c.imageSize - c.patchSize) / stride) + 1;
  const patches = patchesPerSide * patchesPerSide;
  const extraTokens = c.classToken === 'none' ? 0 : 1;
  return { patchesPerSide, patches, extraTokens, tokens: patches + extraTokens };
}

export interface VimDims {
  /** E = expand · d. */
  dInner: number;
  stateSize: number;
  convKernel: number;
  dtRank: number;
  /** Scan directions per block: 2 (Vim) or 1. */
  directions: number;
}

export function vimDims(c: VimConfig): VimDims {
  return {
    dInner: Math.round(c.expand * c.hiddenSize),
    stateSize: c.stateSize,
    convKernel: c.convKernel,
    dtRank: c.dtRank ?? Math.ceil(c.hiddenSize / 16),
    directions: c.bidirectional ? 2 : 1,
  };
}

/** Why this encoder cannot run at this TP degree, or null (E is split over the TP ranks). */
export function vimParallelismProblem(c: VimConfig, tp: number): string | null {
  const { dInner } = vimDims(c);
  if (dInner % tp !== 0) return `tp ${tp} does not divide the ${dInner} inner channels (expand × hiddenSize) of ${c.id}`;
  return null;
}
