// Looks up vision presets (ViT and Vision Mamba encoders, VLMs) by id, or validates a config object, with errors that carry
// the path into the input and the closest valid id.
import { GenzError } from '../../common/errors.ts';
import { closestNames } from '../../common/closest.ts';
import { parseWith } from '../../common/zod-errors.ts';
import { VIT_PRESETS, VLM_PRESETS } from '../presets/vision.ts';
import { VIM_PRESETS } from '../presets/vim.ts';
import { VimConfigSchema, type VimConfig } from './vim-schema.ts';
import { VitConfigSchema, type VitConfig } from './vit-schema.ts';
import { VlmConfigSchema, type VlmConfig } from './vlm-schema.ts';

let vitCache: Map<string, VitConfig> | null = null;
let vlmCache: Map<string, VlmConfig> | null = null;
let vimCache: Map<string, VimConfig> | null = null;

/** A single-image encoder that estimateVision runs: a ViT or a Vision Mamba (told apart by `kind`). */
export type VisionEncoderConfig = VitConfig | VimConfig;

function vits(): Map<string, VitConfig> {
  vitCache ??= new Map(VIT_PRESETS.map((m) => [m.id, VitConfigSchema.parse(m)]));
  return vitCache;
}

function vlms(): Map<string, VlmConfig> {
  vlmCache ??= new Map(VLM_PRESETS.map((m) => [m.id, VlmConfigSchema.parse(m)]));
  return vlmCache;
}

export function listVits(): VitConfig[] {
  return [...vits().values()];
}

export function vitIds(): string[] {
  return [...vits().keys()];
}

export function findVit(id: string): VitConfig | undefined {
  return vits().get(id.toLowerCase());
}

function vims(): Map<string, VimConfig> {
  vimCache ??= new Map(VIM_PRESETS.map((m) => [m.id, VimConfigSchema.parse(m)]));
  return vimCache;
}

export function listVims(): VimConfig[] {
  return [...vims().values()];
}

export function vimIds(): string[] {
  return [...vims().keys()];
}

export function findVim(id: string): VimConfig | undefined {
  return vims().get(id.toLowerCase());
}

export function listVlmConfigs(): VlmConfig[] {
  return [...vlms().values()];
}

export function vlmIds(): string[] {
  return [...vlms().keys()];
}

export function findVlmConfig(id: string): VlmConfig | undefined {
  return vlms().get(id.toLowerCase());
}

function invalidKind(value: unknown, path: (string | number)[]): GenzError {
  const found = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return new GenzError('invalid_input', `expected a preset id or a config object, found ${found}`, path);
}

/** A ViT encoder: a preset id or a config object (genz's own field names). */
export function resolveVit(model: unknown, path: (string | number)[] = ['model']): VitConfig {
  if (typeof model === 'string') {
    const found = findVit(model);
    if (!found) {
      throw new GenzError('unknown_id', `unknown vision encoder "${model}"; closest: ${closestNames(model, vitIds()).join(', ')}`, path);
    }
    return found;
  }
  if (typeof model === 'object' && model !== null && !Array.isArray(model)) return parseWith(VitConfigSchema, model, path);
  throw invalidKind(model, path);
}

/** A Vision Mamba encoder: a preset id or a config object of kind 'vim'. */
export function resolveVim(model: unknown, path: (string | number)[] = ['model']): VimConfig {
  if (typeof model === 'string') {
    const found = findVim(model);
    if (!found) {
      throw new GenzError('unknown_id', `unknown Vision Mamba encoder "${model}"; closest: ${closestNames(model, vimIds()).join(', ')}`, path);
    }
    return found;
  }
  if (typeof model === 'object' && model !== null && !Array.isArray(model)) return parseWith(VimConfigSchema, model, path);
  throw invalidKind(model, path);
}

/** A ViT or Vision Mamba encoder: a preset id of either, or a config object (kind 'vim' → Vim, else ViT). */
export function resolveVisionEncoder(model: unknown, path: (string | number)[] = ['model']): VisionEncoderConfig {
  if (typeof model === 'string') {
    const found = findVit(model) ?? findVim(model);
    if (!found) {
      throw new GenzError('unknown_id', `unknown vision encoder "${model}"; closest: ${closestNames(model, [...vitIds(), ...vimIds()]).join(', ')}`, path);
    }
    return found;
  }
  if (typeof model === 'object' && model !== null && !Array.isArray(model) && (model as { kind?: unknown }).kind === 'vim') {
    return resolveVim(model, path);
  }
  return resolveVit(model, path);
}

/** The VLM spec (vision and languageModel still ids or unchecked objects; see resolveVlm in vlm.ts). */
export function parseVlmSpec(model: unknown, path: (string | number)[] = ['model']): VlmConfig {
  if (typeof model === 'string') {
    const found = findVlmConfig(model);
    if (!found) {
      throw new GenzError('unknown_id', `unknown vision-language model "${model}"; closest: ${closestNames(model, vlmIds()).join(', ')}`, path);
    }
    return found;
  }
  if (typeof model === 'object' && model !== null && !Array.isArray(model)) return parseWith(VlmConfigSchema, model, path);
  throw invalidKind(model, path);
}
