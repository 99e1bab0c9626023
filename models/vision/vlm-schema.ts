// The config of a vision-language model in the SmolVLM / Idefics3 style: a ViT tower encodes each image
// tile, a pixel shuffle folds r×r neighbouring patch vectors into one (patches / r² tokens of width d·r²),
// a projector maps them to the language model's width, and the image tokens join the text prompt.
// `vision` and `languageModel` are preset ids or whole configs; they are validated when resolved
// (vlm.ts), so each error carries the path into the nested config.
import { z } from 'zod';
import { ACTIVATIONS } from '../transformer-schema.ts';

const count = (what: string) => z.number().int().positive().max(10_000_000).describe(what);
const idOrConfig = (what: string) =>
  z.union([z.string().min(1), z.record(z.string(), z.unknown())]).describe(`${what}: a preset id or a config object`);

export const ProjectorSchema = z
  .object({
    pixelShuffleFactor: count('r: each r×r block of patch vectors becomes one token of width r²·d (1 = no shuffle)'),
    kind: z.enum(['linear', 'mlp']).default('linear').describe('linear = one projection (Idefics3/SmolVLM); mlp = up, activation, down (LLaVA style)'),
    intermediateSize: count('hidden width of an mlp projector').optional(),
    activation: z.enum(ACTIVATIONS).default('gelu').describe('activation of an mlp projector'),
    bias: z.boolean().default(false).describe('projector linears have biases'),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.kind === 'mlp' && p.intermediateSize === undefined) {
      ctx.addIssue({ code: 'custom', path: ['intermediateSize'], message: 'required: an mlp projector needs its hidden width' });
    }
  });

export const VlmConfigSchema = z
  .object({
    kind: z.literal('vlm').describe('discriminates a VLM from a ViT encoder or a decoder LLM'),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a lowercase id such as "smolvlm-256m"'),
    name: z.string().min(1),
    vision: idOrConfig('vision encoder (a ViT config, numClasses 0)'),
    projector: ProjectorSchema,
    languageModel: idOrConfig('language model (a decoder model preset or config)'),
    tilesPerImage: count('encoder passes per image: SmolVLM splits a large image into a grid of tiles plus one global view').default(1),
    source: z.string().min(1).describe('where the numbers come from (HF repo config.json, paper)'),
  })
  .strict();

export type ProjectorConfig = z.output<typeof ProjectorSchema>;
export type VlmConfig = z.output<typeof VlmConfigSchema>;
export type VlmConfigInput = z.input<typeof VlmConfigSchema>;
