// Layer kinds of a decoder stack. A layer is one or more token mixers run side by side on the normed input
// (attention, Mamba, …) followed by an FFN (dense, MoE or none). Uniform transformers need no `layers`
// field; hybrids list theirs, one entry per layer.
import { z } from 'zod';

export const MIXER_KINDS = ['attention', 'sliding-attention', 'sink-attention', 'sparse-attention', 'mla', 'mlgru', 'hyena', 'mamba', 'mamba2', 'hymba', 'hymba-global', 'zamba-shared'] as const;
export type MixerKind = (typeof MIXER_KINDS)[number];

/** Mixers that use the model's numHeads / numKvHeads / headDim. */
export const ATTENTION_MIXERS: ReadonlySet<string> = new Set(['attention', 'sliding-attention', 'sink-attention', 'sparse-attention', 'mla', 'hymba', 'hymba-global', 'zamba-shared']);

export const FFN_KINDS = ['dense', 'moe', 'none'] as const;
export type FfnKind = (typeof FFN_KINDS)[number];

export const LayerSpecSchema = z
  .object({
    mixers: z.array(z.enum(MIXER_KINDS)).min(1).describe('token mixers of the layer, run in parallel on the same input'),
    ffn: z.enum(FFN_KINDS).describe('the feed-forward block after the mixers'),
  })
  .strict();

export type LayerSpec = z.output<typeof LayerSpecSchema>;

export interface LayerGroup extends LayerSpec {
  /** Layers of the stack with exactly this spec. */
  count: number;
}

/** Groups identical layers, in order of first appearance. */
export function groupLayers(layers: readonly LayerSpec[]): LayerGroup[] {
  const groups = new Map<string, LayerGroup>();
  for (const layer of layers) {
    const key = `${layer.mixers.join('+')}/${layer.ffn}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { mixers: [...layer.mixers], ffn: layer.ffn, count: 1 });
  }
  return [...groups.values()];
}

/** The layers of a config: its explicit list, or every layer attention + (MoE or dense) FFN. */
export function layerSpecs(config: { numLayers: number; moe?: unknown; layers?: LayerSpec[] | undefined }): LayerSpec[] {
  if (config.layers) return config.layers;
  const layer: LayerSpec = { mixers: ['attention'], ffn: config.moe ? 'moe' : 'dense' };
  return Array.from({ length: config.numLayers }, () => layer);
}

const groupCache = new WeakMap<object, LayerGroup[]>();

/** The config's layers grouped by kind (cached per config object: graphs are rebuilt in hot loops). */
export function layerGroupsOf(config: { numLayers: number; moe?: unknown; layers?: LayerSpec[] | undefined }): LayerGroup[] {
  let groups = groupCache.get(config);
  if (!groups) {
    groups = groupLayers(layerSpecs(config));
    groupCache.set(config, groups);
  }
  return groups;
}
