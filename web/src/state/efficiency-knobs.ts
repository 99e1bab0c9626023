// The what-if knobs of the core's efficiency factors (the request's `efficiency` override): the fraction of a peak
// that real kernels reach, and the fixed overheads. Their preset is the core's default profile.
import type { EfficiencyProfile } from '../core/protocol.ts';
import type { UnitName } from '../format/units.ts';
import type { Knob, SliderScale } from './knobs.ts';

const FITTED = 'genz default, fitted on Vidur A100/A40 operator times and LLM-Inference-Bench runs (docs/accuracy.md)';
const FRACTION: SliderScale = { kind: 'linear', min: 0.05, max: 1, step: 0.01 };

const FIELDS: [keyof EfficiencyProfile, string, UnitName, SliderScale][] = [
  ['gemmCompute', 'GEMM: share of the tensor peak', 'fraction', FRACTION],
  ['gemmHalfDim', 'GEMM: dimension at half efficiency', 'count', { kind: 'linear', min: 0, max: 512, step: 1 }],
  ['attentionCompute', 'attention: share of the tensor peak', 'fraction', FRACTION],
  ['attentionHalfRows', 'attention: query rows at half efficiency', 'count', { kind: 'linear', min: 0, max: 16384, step: 64 }],
  ['vector', 'elementwise: share of the fp32 vector peak', 'fraction', FRACTION],
  ['memory', 'GEMM and attention: share of DRAM bandwidth', 'fraction', FRACTION],
  ['elementwiseMemory', 'elementwise and gather: share of DRAM bandwidth', 'fraction', FRACTION],
  ['network', 'collectives: share of link bandwidth', 'fraction', FRACTION],
  ['kernelOverheadS', 'overhead per kernel launch', 'latency', { kind: 'linear', min: 0, max: 50e-6, step: 0.5e-6 }],
  ['collectiveOverheadS', 'overhead per collective call', 'latency', { kind: 'linear', min: 0, max: 200e-6, step: 1e-6 }],
  ['stepOverheadS', 'serving-engine overhead per forward pass', 'latencyMs', { kind: 'linear', min: 0, max: 20e-3, step: 0.1e-3 }],
  ['sequenceOverheadS', 'serving-engine overhead per sequence per pass', 'latency', { kind: 'linear', min: 0, max: 500e-6, step: 5e-6 }],
];

export function efficiencyKnobs(defaults: EfficiencyProfile): Knob[] {
  return FIELDS.map(([field, label, unit, slider]) => ({
    key: `eff.${field}`, group: 'efficiency', label, unit, integer: false, slider, path: ['efficiency', field], base: defaults[field] ?? 0,
    source: field === 'vector' ? 'genz default: an engineering guess (the fitting data does not constrain it)' : FITTED,
  }));
}

/** Overrides that set every factor to `profile`'s value (the ideal roofline, say): only those that differ from the default. */
export function overridesFor(profile: EfficiencyProfile, defaults: EfficiencyProfile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [field] of FIELDS) if ((profile[field] ?? 0) !== (defaults[field] ?? 0)) out[`eff.${field}`] = profile[field] ?? 0;
  return out;
}
