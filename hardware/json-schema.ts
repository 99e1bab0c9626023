// JSON Schemas of the spec formats, for `genz hardware schema` and editors.
import { z } from 'zod';
import { DeviceSchema } from './device-schema.ts';
import { SystemSchema } from './system-schema.ts';
import { TransformerConfigSchema } from '../models/transformer-schema.ts';

/** A device or a system: a system is recognised by its `deviceCount`. */
export function hardwareJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(z.union([DeviceSchema, SystemSchema]), { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}

export function modelJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(TransformerConfigSchema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}
