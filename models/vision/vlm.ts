// A SmolVLM-style vision-language model, resolved: its ViT tower, its projector and its language model.
// The vision graph (tower + pixel shuffle + projector) runs once per image tile before the LM prefill; its
// output tokens lengthen the LM's prompt. The LM itself is an ordinary decoder config, costed as usual.
import { GenzError } from '../../common/errors.ts';
import { closestNames } from '../../common/closest.ts';
import type { ElementwiseFunction, OpGraph } from '../ops.ts';
import type { Precision } from '../precision.ts';
import { effectiveWeightBits } from '../precision.ts';
import type { TransformerConfig } from '../transformer-schema.ts';
import { paramBreakdown } from '../params.ts';
import { findModel, modelIds, resolveModel } from '../registry.ts';
import { TransformerConfigSchema } from '../transformer-schema.ts';
import { VLM_TEXT_PRESETS } from '../presets/vision.ts';
import { parseVlmSpec, resolveVit } from './registry.ts';
import { vitTokens, type VitConfig } from './vit-schema.ts';
import type { ProjectorConfig } from './vlm-schema.ts';
import { emitVitEncoder, vitEmitter, vitFootprint, vitParams } from './vit-graph.ts';

export interface ResolvedVlm {
  kind: 'vlm';
  id: string;
  name: string;
  /** The tower; a classifier head it may carry is not used (the VLM reads the final-norm patch features). */
  vision: VitConfig;
  projector: ProjectorConfig;
  languageModel: TransformerConfig;
  tilesPerImage: number;
  source: string;
}

let textCache: Map<string, TransformerConfig> | null = null;

function vlmTextModels(): Map<string, TransformerConfig> {
  textCache ??= new Map(VLM_TEXT_PRESETS.map((m) => [m.id, TransformerConfigSchema.parse(m)]));
  return textCache;
}

function resolveLanguageModel(model: unknown, path: (string | number)[]): TransformerConfig {
  if (typeof model === 'string') {
    const found = findModel(model) ?? vlmTextModels().get(model.toLowerCase());
    if (!found) {
      const ids = [...modelIds(), ...vlmTextModels().keys()];
      throw new GenzError('unknown_id', `unknown language model "${model}"; closest: ${closestNames(model, ids).join(', ')} (see \`genz list models\`)`, path);
    }
    return found;
  }
  return resolveModel(model, path);
}

/** Validates a VLM (a preset id or a config) and resolves its tower and language model. */
export function resolveVlm(model: unknown, path: (string | number)[] = ['model']): ResolvedVlm {
  const spec = parseVlmSpec(model, path);
  const vision = resolveVit(spec.vision, [...path, 'vision']);
  const languageModel = resolveLanguageModel(spec.languageModel, [...path, 'languageModel']);
  const r = spec.projector.pixelShuffleFactor;
  const side = vitTokens(vision).patchesPerSide;
  if (side % r !== 0) {
    throw new GenzError('invalid_input', `pixelShuffleFactor ${r} must divide the ${side} patches per image side of ${vision.id}`,
      [...path, 'projector', 'pixelShuffleFactor']);
  }
  return {
    kind: 'vlm', id: spec.id, name: spec.name, vision, projector: spec.projector, languageModel, tilesPerImage: spec.tilesPerImage,
    source: spec.source,
  };
}

/** Image tokens one encoder tile yields: patches / r². */
export function vlmTokensPerTile(vlm: ResolvedVlm): number {
  const r = vlm.projector.pixelShuffleFactor;
  return vitTokens(vlm.vision).patches / (r * r);
}

/** Image tokens one image adds to the LM prompt: tiles × patches / r². */
export function vlmImageTokens(vlm: ResolvedVlm): number {
  return vlm.tilesPerImage * vlmTokensPerTile(vlm);
}

/** Width of one shuffled token entering the projector: r² × tower width. */
function shuffledWidth(vlm: ResolvedVlm): number {
  const r = vlm.projector.pixelShuffleFactor;
  return r * r * vlm.vision.hiddenSize;
}

export function projectorParams(vlm: ResolvedVlm): number {
  const p = vlm.projector;
  const k = shuffledWidth(vlm);
  const out = vlm.languageModel.hiddenSize;
  if (p.kind === 'linear') return k * out + (p.bias ? out : 0);
  const hidden = p.intermediateSize!;
  return k * hidden + hidden * out + (p.bias ? hidden + out : 0);
}

export interface VlmGraphRequest {
  config: ResolvedVlm;
  /** Images on this device group (each runs `tilesPerImage` encoder passes). */
  images: number;
  tp: number;
  precision: Precision;
  flash: boolean;
}

/**
 * Tower + pixel shuffle + projector for `images` images, per device. Layer ops have count = the tower's
 * layers (numLayers of the graph); the projector is 'post'. The LM's prompt grows by images × vlmImageTokens.
 */
export function buildVlmVisionGraph(req: VlmGraphRequest): OpGraph {
  const vlm = req.config;
  const v = vlm.vision;
  const passes = req.images * vlm.tilesPerImage;
  const e = vitEmitter(v, passes, req.tp, req.precision, req.flash);
  emitVitEncoder(e, v);
  const { patches } = vitTokens(v);
  const tokens = passes * vlmTokensPerTile(vlm);
  const k = shuffledWidth(vlm);
  const out = vlm.languageModel.hiddenSize;
  // Pixel shuffle is a permuting copy of the patch features (no 'copy' function exists: one read, one write).
  if (vlm.projector.pixelShuffleFactor > 1) {
    e.stream('pixel shuffle', 'embedding', 'add', passes * patches * v.hiddenSize, 1, 1, 1, { scope: 'post' });
  }
  const p = vlm.projector;
  if (p.kind === 'linear') {
    e.linear('projector', 'embedding', tokens, out, k, 1, { scope: 'post' });
  } else {
    const hidden = p.intermediateSize!;
    const fn: ElementwiseFunction = p.activation === 'relu' ? 'relu' : p.activation === 'silu' ? 'silu' : 'gelu';
    e.linear('projector up', 'embedding', tokens, hidden, k, 1, { scope: 'post' });
    e.stream('projector activation', 'embedding', fn, tokens * hidden, 1, 1, 1, { scope: 'post' });
    e.linear('projector down', 'embedding', tokens, out, hidden, 1, { scope: 'post' });
  }
  return { phase: 'prefill', ops: e.ops, numLayers: v.numLayers };
}

export interface VlmParams {
  /** Tower without any classifier head. */
  vision: number;
  projector: number;
  languageModel: number;
  total: number;
}

export function vlmParams(vlm: ResolvedVlm): VlmParams {
  const v = vitParams(vlm.vision);
  const vision = v.total - v.head;
  const projector = projectorParams(vlm);
  const languageModel = paramBreakdown(vlm.languageModel).total;
  return { vision, projector, languageModel, total: vision + projector + languageModel };
}

/**
 * What the tower and projector add to one device: weights (tower sharded like the ViT, projector replicated)
 * and the peak activations of encoding `images` images (freed before the LM prefill starts).
 */
export function vlmVisionFootprint(vlm: ResolvedVlm, precision: Precision, tp: number, images: number, flash = true): { weightBytes: number; activationBytes: number } {
  const tower = vitFootprint({ ...vlm.vision, numClasses: 0 }, precision, tp, images * vlm.tilesPerImage, flash);
  const weightBytes = tower.weightBytes + projectorParams(vlm) * (effectiveWeightBits(precision) / 8);
  const rBytes = Math.max(precision.actBits, 16) / 8;
  const tokens = images * vlmImageTokens(vlm);
  const projectorActs = tokens * (shuffledWidth(vlm) + (vlm.projector.intermediateSize ?? 0) + vlm.languageModel.hiddenSize) * rBytes;
  return { weightBytes, activationBytes: Math.max(tower.activationBytes, projectorActs) };
}
