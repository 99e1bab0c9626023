// AppState → estimate requests: the preset as chosen, and the what-if variant with every override applied.
import type { Catalog, Device, EstimateRequest, SystemSpec, TransformerConfig } from '../core/protocol.ts';
import { CUSTOM, type AppState, type ScenarioState } from './app-state.ts';
import { hardwareKnobs, modelKnobs, scenarioKnobs, type Knob } from './knobs.ts';
import { setAt } from './paths.ts';

const DTYPE_BITS: Record<string, number> = { fp64: 64, fp32: 32, tf32: 32, bf16: 16, fp16: 16, fp8: 8, int8: 8, int4: 4 };

export function modelInput(state: AppState): string | Record<string, unknown> {
  return state.model === CUSTOM && state.customModel ? state.customModel : state.model;
}

export function hardwareInput(state: AppState, id = state.hardware): string | Record<string, unknown> {
  return id === CUSTOM && state.customHardware ? state.customHardware : id;
}

function scenarioFields(s: ScenarioState): Omit<EstimateRequest, 'model' | 'hardware'> {
  return {
    batch: s.batch, inputTokens: s.inputTokens, outputTokens: s.outputTokens, tp: s.tp, pp: s.pp,
    dtype: s.dtype as EstimateRequest['dtype'], flash: s.flash,
    ...(s.wbits === undefined ? {} : { wbits: s.wbits }), ...(s.kvbits === undefined ? {} : { kvbits: s.kvbits }),
  };
}

/** The request of the chosen model, scenario and hardware (`hardware` overrides the chosen one, for Compare). */
export function baseRequest(state: AppState, hardware = state.hardware): EstimateRequest {
  return { model: modelInput(state), hardware: hardwareInput(state, hardware), ...scenarioFields(state.scenario) };
}

/** The hardware as one object (a device, or a system with its device inlined), or undefined if unknown. */
export function hardwareSpec(state: AppState, catalog: Catalog): Device | SystemSpec | undefined {
  const input = hardwareInput(state);
  const findDevice = (id: string): Device | undefined => catalog.devices.find((d) => d.id === id);
  let spec: unknown = input;
  if (typeof input === 'string') spec = findDevice(input) ?? catalog.systems.find((s) => s.id === input);
  if (typeof spec !== 'object' || spec === null) return undefined;
  if ('deviceCount' in spec) {
    const system = spec as SystemSpec;
    const device = typeof system.device === 'string' ? findDevice(system.device) : system.device;
    return device ? { ...system, device } : undefined;
  }
  return spec as Device;
}

export function modelConfig(state: AppState, catalog: Catalog): TransformerConfig | undefined {
  const input = modelInput(state);
  if (typeof input !== 'string') return input as unknown as TransformerConfig;
  return catalog.models.find((m) => m.id === input)?.config;
}

export interface WhatIf {
  base: EstimateRequest;
  modified: EstimateRequest;
  knobs: Knob[];
}

export function whatIf(state: AppState, catalog: Catalog): WhatIf {
  const base = baseRequest(state);
  const hardware = hardwareSpec(state, catalog);
  const model = modelConfig(state, catalog);
  const s = state.scenario;
  const abits = DTYPE_BITS[s.dtype] ?? 16;
  const knobs = [
    ...(hardware ? hardwareKnobs(hardware) : []),
    ...(model ? modelKnobs(model) : []),
    ...scenarioKnobs({
      batch: s.batch, inputTokens: s.inputTokens, outputTokens: s.outputTokens, tp: s.tp, pp: s.pp,
      wbits: s.wbits ?? model?.weightBits ?? abits, kvbits: s.kvbits ?? abits,
    }),
  ];
  let modified: EstimateRequest = { ...base };
  for (const knob of knobs) {
    const value = state.overrides[knob.key];
    if (value === undefined) continue;
    if (knob.group === 'hardware' && typeof modified.hardware === 'string') modified = { ...modified, hardware: hardware as unknown as Record<string, unknown> };
    if (knob.group === 'model' && typeof modified.model === 'string') modified = { ...modified, model: model as unknown as Record<string, unknown> };
    modified = setAt(modified, knob.path, value);
  }
  return { base, modified, knobs };
}
