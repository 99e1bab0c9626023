// Looks up model presets by id, or validates a config object (genz schema or a Hugging Face config.json).
import { GenzError } from '../common/errors.ts';
import { closestNames } from '../common/closest.ts';
import { parseWith } from '../common/zod-errors.ts';
import { TransformerConfigSchema, type TransformerConfig } from './transformer-schema.ts';
import { MODEL_PRESETS } from './presets/index.ts';
import { importHfConfig } from './hf-import.ts';

let cache: Map<string, TransformerConfig> | null = null;

function presets(): Map<string, TransformerConfig> {
  cache ??= new Map(MODEL_PRESETS.map((m) => [m.id, TransformerConfigSchema.parse(m)]));
  return cache;
}

export function listModels(): TransformerConfig[] {
  return [...presets().values()];
}

export function modelIds(): string[] {
  return [...presets().keys()];
}

export function findModel(id: string): TransformerConfig | undefined {
  return presets().get(id.toLowerCase());
}

export function resolveModel(model: unknown, path: (string | number)[] = ['model']): TransformerConfig {
  if (typeof model === 'string') {
    const found = findModel(model);
    if (!found) {
      throw new GenzError('unknown_id', `unknown model "${model}"; closest: ${closestNames(model, modelIds()).join(', ')} (see \`genz list models\`)`, path);
    }
    return found;
  }
  if (typeof model === 'object' && model !== null && !Array.isArray(model)) {
    if ('model_type' in model || 'architectures' in model) {
      try {
        return importHfConfig(model);
      } catch (error) {
        if (error instanceof GenzError) {
          throw new GenzError(error.code, error.problems.map((p) => ({ ...p, path: [...path, ...p.path] })));
        }
        throw error;
      }
    }
    return parseWith(TransformerConfigSchema, model, path);
  }
  throw new GenzError('invalid_input', `expected a model id or a config object, found ${model === null ? 'null' : Array.isArray(model) ? 'array' : typeof model}`, path);
}
