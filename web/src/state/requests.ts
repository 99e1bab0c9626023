// AppState → estimate requests: the preset as chosen (base-request.ts), and the what-if variant with every
// override applied.
import type { Catalog, Device, EstimateRequest, SystemSpec, TransformerConfig } from '../core/protocol.ts';
import type { AppState } from './app-state.ts';
import { baseRequest, hardwareInput, modelInput } from './base-request.ts';
import { efficiencyKnobs } from './efficiency-knobs.ts';
import { hardwareKnobs, modelKnobs, scenarioKnobs, type Knob } from './knobs.ts';
import { getAt, setAt } from './paths.ts';

export { baseRequest, hardwareInput, modelInput };

const DTYPE_BITS: Record<string, number> = { fp64: 64, fp32: 32, tf32: 32, bf16: 16, fp16: 16, fp8: 8, int8: 8, int4: 4 };

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

/** The decoder's config (a VLM's language model), or undefined where it is not known here. */
export function modelConfig(state: AppState, catalog: Catalog): TransformerConfig | undefined {
  const input = modelInput(state);
  if (typeof input !== 'string') {
    if (input.kind !== 'vlm') return input as unknown as TransformerConfig;
    const lm = input.languageModel;
    return typeof lm === 'string' ? catalog.models.find((m) => m.id === lm)?.config : lm as unknown as TransformerConfig;
  }
  return catalog.models.find((m) => m.id === input)?.config;
}

/** Whether the chosen model is a vision-language model (it takes images). */
export function isVisionLanguage(state: AppState, catalog: Catalog | undefined): boolean {
  const input = modelInput(state);
  if (typeof input !== 'string') return input.kind === 'vlm';
  return catalog?.models.find((m) => m.id === input)?.vlm !== undefined;
}

/**
 * Whether the chosen model routes tokens to experts (a preset's MoE layers; an uploaded spec may, so it counts): only
 * then does identicalPrompts change an estimate.
 */
export function isMixtureOfExperts(state: AppState, catalog: Catalog | undefined): boolean {
  const input = modelInput(state);
  if (typeof input !== 'string') return true;
  return catalog?.models.find((m) => m.id === input)?.config.moe !== undefined;
}

/**
 * Whether the chosen hardware runs on a CPU (a device with a cpu block, alone or as a system's device): only then do
 * the scenario's threads and low-bit kernel apply. Unknown until the catalog has loaded (false).
 */
export function isCpuHardware(state: AppState, catalog: Catalog | undefined): boolean {
  const cpuDevice = (device: unknown): boolean => {
    if (typeof device === 'string') return catalog?.devices.some((d) => d.id === device && d.cpu !== undefined) === true;
    return typeof device === 'object' && device !== null && typeof (device as { cpu?: unknown }).cpu === 'object';
  };
  const input = hardwareInput(state);
  if (typeof input !== 'string') return cpuDevice(input) || ('device' in input && cpuDevice(input.device));
  if (cpuDevice(input)) return true;
  const system = catalog?.systems.find((s) => s.id === input);
  return system !== undefined && cpuDevice(system.device);
}

/** The model as an object whose decoder fields knobs can set: a VLM's spec with its language model inlined. */
function modelObject(state: AppState, catalog: Catalog, config: TransformerConfig): Record<string, unknown> {
  const input = modelInput(state);
  const vlm = typeof input === 'string' ? catalog.models.find((m) => m.id === input)?.vlm : input.kind === 'vlm' ? input : undefined;
  return (vlm ? { ...vlm, languageModel: config } : config) as unknown as Record<string, unknown>;
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
  const vlm = isVisionLanguage(state, catalog);
  const knobs = [
    ...(hardware ? hardwareKnobs(hardware) : []),
    ...(model ? modelKnobs(model, vlm ? ['model', 'languageModel'] : ['model']) : []),
    ...scenarioKnobs({
      batch: s.batch, inputTokens: s.inputTokens, outputTokens: s.outputTokens, tp: s.tp, pp: s.pp,
      wbits: s.wbits ?? model?.weightBits ?? abits, kvbits: s.kvbits ?? abits,
      ...(vlm ? { images: s.images ?? 1 } : {}),
      ...(s.speculative ? { speculative: { acceptance: s.speculative.acceptance, gamma: s.speculative.gamma ?? 4 } } : {}),
    }),
    ...efficiencyKnobs(catalog.efficiency.defaults),
  ];
  let modified: EstimateRequest = { ...base };
  let efficiency = false;
  for (const knob of knobs) {
    const value = state.overrides[knob.key];
    if (value === undefined) continue;
    if (knob.group === 'hardware' && typeof modified.hardware === 'string') modified = { ...modified, hardware: hardware as unknown as Record<string, unknown> };
    if (knob.group === 'model' && typeof getAt(modified, knob.path.slice(0, -1)) !== 'object') modified = { ...modified, model: modelObject(state, catalog, model!) };
    efficiency ||= knob.group === 'efficiency';
    modified = setAt(modified, knob.path, value);
  }
  // An efficiency override alone would switch the core's calibration off; the choice stays the user's, so both
  // estimates are priced the same way and the change is the factors' alone.
  if (efficiency) modified = { ...modified, calibration: s.calibration };
  return { base, modified, knobs };
}
