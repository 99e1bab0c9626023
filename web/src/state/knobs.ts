// The what-if knobs: every hardware, model and scenario parameter a slider can move, with the path of the
// value inside the request (so a problem the core reports lands on its knob).
import type { UnitName } from '../format/units.ts';
import type { Device, SystemSpec, TransformerConfig } from '../core/protocol.ts';
import { DTYPES } from './app-state.ts';
import { getAt, type Path } from './paths.ts';

export type KnobGroup = 'hardware' | 'model' | 'scenario' | 'efficiency';

export type SliderScale =
  | { kind: 'factor'; span: number } // log2 of a factor on the preset value, ±span
  | { kind: 'log2'; min: number; max: number } // log2 of the value itself
  | { kind: 'linear'; min: number; max: number; step: number };

export interface Knob {
  /** Key in AppState.overrides, e.g. 'hw.memBw'. */
  key: string;
  group: KnobGroup;
  label: string;
  unit: UnitName;
  integer: boolean;
  slider: SliderScale;
  /** Path of the value inside the request (['hardware', …], ['model', …] or a scenario field). */
  path: Path;
  /** The preset's value. */
  base: number;
  /** Where the preset's number comes from (the spec's `sources` entry for this field), if it says. */
  source?: string;
}

/** The `sources` entry of the longest key that is `field` or a prefix of it ("memory" covers "memory.0.capacityBytes"). */
export function sourceOf(sources: Record<string, string> | undefined, field: Path): string | undefined {
  const name = field.join('.');
  let best: string | undefined;
  for (const key of Object.keys(sources ?? {})) {
    if ((name === key || name.startsWith(`${key}.`)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : sources![best];
}

/** Links without a latency in their spec are priced at the core's assumed one-hop latency. */
const DEFAULT_LINK_LATENCY_S = 2e-6;

const HW_FACTOR: SliderScale = { kind: 'factor', span: 3 };

export function hardwareKnobs(spec: Device | SystemSpec): Knob[] {
  const isSystem = 'deviceCount' in spec;
  const devicePath: Path = isSystem ? ['hardware', 'device'] : ['hardware'];
  const device = (isSystem ? spec.device : spec) as Device;
  if (typeof device !== 'object') return [];
  const knobs: Knob[] = [];
  const add = (key: string, label: string, unit: UnitName, path: Path, fallback?: number): void => {
    const value = getAt({ hardware: spec }, path);
    const base = typeof value === 'number' ? value : fallback;
    const onDevice = path.slice(0, devicePath.length).join('.') === devicePath.join('.');
    const source = onDevice ? sourceOf(device.sources, path.slice(devicePath.length)) : sourceOf(spec.sources, path.slice(1));
    if (base !== undefined) {
      knobs.push({ key: `hw.${key}`, group: 'hardware', label, unit, integer: false, slider: HW_FACTOR, path, base, ...(source ? { source } : {}) });
    }
  };
  for (const dtype of DTYPES) add(`flops.${dtype}`, `${dtype} FLOP/s`, 'flopRate', [...devicePath, 'peakFlopsPerS', dtype]);
  add('memBw', `memory bandwidth (${device.memory[0]?.name ?? 'main'})`, 'byteRate', [...devicePath, 'memory', 0, 'bandwidthBytesPerS']);
  add('memCap', 'memory capacity', 'bytesGB', [...devicePath, 'memory', 0, 'capacityBytes']);
  add('l2', 'on-chip cache (L2/SRAM)', 'bytesMB', [...devicePath, 'onChip', 'l2Bytes']);
  if (isSystem) {
    const network = ['hardware', 'scaleUp', 'network'];
    add('linkBw', `scale-up link bandwidth (${spec.scaleUp.network.name})`, 'byteRate', [...network, 'bandwidthBytesPerS']);
    add('linkLat', 'scale-up link latency', 'latency', [...network, 'latencyS']);
    if (spec.scaleOut) {
      add('outBw', `scale-out bandwidth (${spec.scaleOut.name})`, 'byteRate', ['hardware', 'scaleOut', 'bandwidthBytesPerS']);
      add('outLat', 'scale-out latency', 'latency', ['hardware', 'scaleOut', 'latencyS']);
    }
  } else {
    // A bare device scaled by TP talks over its scale-up link, or its host link where it has none.
    const link = device.scaleUp ? 'scaleUp' : 'hostLink';
    const name = (device.scaleUp ?? device.hostLink).name;
    add('linkBw', `device link bandwidth (${name})`, 'byteRate', [...devicePath, link, 'bandwidthBytesPerS']);
    add('linkLat', 'device link latency', 'latency', [...devicePath, link, 'latencyS'], DEFAULT_LINK_LATENCY_S);
  }
  add('tdp', 'board power (TDP)', 'power', [...devicePath, 'power', 'tdpW']);
  add('idle', 'idle power', 'power', [...devicePath, 'power', 'idleW']);
  return knobs;
}

const MODEL_FIELDS: [Path, string][] = [
  [['numLayers'], 'layers'], [['hiddenSize'], 'hidden size'], [['numHeads'], 'attention heads'], [['numKvHeads'], 'KV heads'],
  [['headDim'], 'head dim'], [['intermediateSize'], 'FFN width'], [['vocabSize'], 'vocabulary'],
  [['moe', 'numExperts'], 'experts'], [['moe', 'topK'], 'experts per token'], [['moe', 'expertIntermediateSize'], 'expert FFN width'],
];

/** `prefix`: where the decoder's config sits in the request (a VLM's is ['model', 'languageModel']). */
export function modelKnobs(config: TransformerConfig, prefix: Path = ['model']): Knob[] {
  const knobs: Knob[] = [];
  for (const [path, label] of MODEL_FIELDS) {
    const base = getAt(config, path);
    if (typeof base !== 'number') continue;
    knobs.push({
      key: `model.${path.join('.')}`, group: 'model', label, unit: 'count', integer: true,
      slider: { kind: 'factor', span: 2 }, path: [...prefix, ...path], base,
    });
  }
  return knobs;
}

export interface ScenarioBase {
  batch: number; inputTokens: number; outputTokens: number; tp: number; pp: number; wbits: number; kvbits: number;
  /** Only for a vision-language model. */
  images?: number;
  /** Only with speculative decoding. */
  speculative?: { acceptance: number; gamma: number };
}

export function scenarioKnobs(s: ScenarioBase): Knob[] {
  const knob = (key: Exclude<keyof ScenarioBase, 'speculative'>, label: string, unit: UnitName, slider: SliderScale): Knob => ({
    key: `scenario.${key}`, group: 'scenario', label, unit, integer: true, slider, path: [key], base: s[key] ?? 0,
  });
  const optional: Knob[] = [];
  if (s.images !== undefined) optional.push(knob('images', 'images per sequence', 'count', { kind: 'linear', min: 0, max: 16, step: 1 }));
  if (s.speculative) {
    const spec = (key: 'acceptance' | 'gamma', label: string, unit: UnitName, slider: SliderScale): Knob => ({
      key: `scenario.${key}`, group: 'scenario', label, unit, integer: key === 'gamma', slider, path: ['speculative', key], base: s.speculative![key],
    });
    optional.push(spec('acceptance', 'draft acceptance α', 'fraction', { kind: 'linear', min: 0, max: 1, step: 0.01 }),
      spec('gamma', 'draft tokens per step γ', 'count', { kind: 'linear', min: 1, max: 16, step: 1 }));
  }
  return [
    knob('batch', 'batch (concurrent sequences)', 'count', { kind: 'log2', min: 0, max: 10 }),
    knob('inputTokens', 'input tokens', 'tokens', { kind: 'log2', min: 4, max: 17 }),
    knob('outputTokens', 'output tokens', 'tokens', { kind: 'log2', min: 0, max: 14 }),
    knob('tp', 'tensor parallel (TP)', 'count', { kind: 'log2', min: 0, max: 6 }),
    knob('pp', 'pipeline parallel (PP)', 'count', { kind: 'log2', min: 0, max: 5 }),
    { ...knob('wbits', 'weight bits', 'bits', { kind: 'linear', min: 1, max: 16, step: 0.5 }), integer: false },
    knob('kvbits', 'KV-cache bits', 'bits', { kind: 'linear', min: 2, max: 16, step: 1 }),
    ...optional,
  ];
}

/** Slider position (0…1000) of `value`, and back. */
export function toSlider(k: Knob, value: number): number {
  const s = k.slider;
  const t = s.kind === 'factor' ? (Math.log2(value / k.base) + s.span) / (2 * s.span)
    : s.kind === 'log2' ? (Math.log2(value) - s.min) / (s.max - s.min)
      : (value - s.min) / (s.max - s.min);
  return Math.round(1000 * Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)));
}

export function fromSlider(k: Knob, position: number): number {
  const t = position / 1000;
  const s = k.slider;
  let value: number;
  if (s.kind === 'factor') value = k.base * 2 ** ((2 * t - 1) * s.span);
  else if (s.kind === 'log2') value = 2 ** Math.round(s.min + t * (s.max - s.min));
  else value = s.min + Math.round((t * (s.max - s.min)) / s.step) * s.step;
  if (k.integer) return Math.max(s.kind === 'linear' ? s.min : 1, Math.round(value));
  return Number(value.toPrecision(4));
}
