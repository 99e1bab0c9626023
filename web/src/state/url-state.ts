// AppState <-> URL query string. Only values that differ from the defaults are written, so links stay short.
// Numbers are kept as given (a bad one reaches the core, which reports it at its field); unknown enum values
// fall back to the default.
import {
  CALIBRATIONS, DEFAULT_SPECULATIVE, ENGINES, FRAMEWORKS, DEFAULT_STATE, LOW_BIT_KERNELS, PARETO_COSTS, PHASES, SWEEP_AXES, VIEWS, type AppState,
  type LowBitKernelChoice, type ScenarioState, type SpeculativeState,
} from './app-state.ts';

const SCENARIO_KEYS = {
  batch: 'batch', inputTokens: 'in', outputTokens: 'out', tp: 'tp', pp: 'pp', wbits: 'wbits', kvbits: 'kvbits', images: 'img', threads: 'th',
} as const;

function oneOf<T extends string>(values: readonly T[], value: string | null, fallback: T): T {
  return value !== null && (values as readonly string[]).includes(value) ? (value as T) : fallback;
}

function numberMap(text: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.lastIndexOf(':');
    if (at > 0) out[pair.slice(0, at)] = Number(pair.slice(at + 1));
  }
  return out;
}

const writeMap = (map: Record<string, number>): string => Object.entries(map).map(([k, v]) => `${k}:${v}`).join(',');

export function encodeJson(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeJson(text: string): Record<string, unknown> | undefined {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const value: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function parseState(search: string): AppState {
  const q = new URLSearchParams(search);
  const d = DEFAULT_STATE;
  const scenario: ScenarioState = { ...d.scenario };
  for (const [field, key] of Object.entries(SCENARIO_KEYS) as [keyof typeof SCENARIO_KEYS, string][]) {
    const v = q.get(key);
    if (v !== null && v !== '') scenario[field] = Number(v);
  }
  scenario.dtype = q.get('dtype') ?? d.scenario.dtype;
  scenario.flash = q.get('flash') !== '0';
  scenario.calibration = oneOf(CALIBRATIONS, q.get('cal'), d.scenario.calibration);
  scenario.engine = oneOf(ENGINES, q.get('eng'), d.scenario.engine);
  scenario.framework = oneOf(FRAMEWORKS, q.get('fw'), d.scenario.framework);
  if (q.get('same') === '1') scenario.identicalPrompts = true;
  const kernel = q.get('lbk');
  if (kernel !== null && (LOW_BIT_KERNELS as readonly string[]).includes(kernel)) scenario.lowBitKernel = kernel as LowBitKernelChoice;
  const draft = q.get('draft');
  if (draft) {
    const speculative: SpeculativeState = { draft, acceptance: q.has('alpha') ? Number(q.get('alpha')) : DEFAULT_SPECULATIVE.acceptance };
    if (q.get('gamma')) speculative.gamma = Number(q.get('gamma'));
    scenario.speculative = speculative;
  }
  const customModel = q.has('mspec') ? decodeJson(q.get('mspec')!) : undefined;
  const customHardware = q.has('hspec') ? decodeJson(q.get('hspec')!) : undefined;
  return {
    view: oneOf(VIEWS, q.get('v'), d.view),
    model: q.get('model') || d.model,
    hardware: q.get('hw') || d.hardware,
    ...(customModel ? { customModel } : {}),
    ...(customHardware ? { customHardware } : {}),
    scenario,
    overrides: numberMap(q.get('o')),
    compare: q.has('cmp') ? q.get('cmp')!.split(',').filter(Boolean) : d.compare,
    sweepAxis: oneOf(SWEEP_AXES, q.get('sx'), d.sweepAxis),
    paretoCost: oneOf(PARETO_COSTS, q.get('px'), d.paretoCost),
    prices: numberMap(q.get('price')),
    phase: oneOf(PHASES, q.get('phase'), d.phase),
  };
}

export function serializeState(s: AppState): string {
  const d = DEFAULT_STATE;
  const q = new URLSearchParams();
  const put = (key: string, value: string, fallback: string): void => { if (value !== fallback) q.set(key, value); };
  put('v', s.view, d.view);
  put('model', s.model, d.model);
  put('hw', s.hardware, d.hardware);
  for (const [field, key] of Object.entries(SCENARIO_KEYS) as [keyof typeof SCENARIO_KEYS, string][]) {
    const value = s.scenario[field];
    if (value !== undefined) put(key, String(value), String(d.scenario[field]));
  }
  put('dtype', s.scenario.dtype, d.scenario.dtype);
  put('flash', s.scenario.flash ? '1' : '0', '1');
  put('cal', s.scenario.calibration, d.scenario.calibration);
  put('eng', s.scenario.engine, d.scenario.engine);
  put('fw', s.scenario.framework, d.scenario.framework);
  if (s.scenario.lowBitKernel !== undefined) q.set('lbk', s.scenario.lowBitKernel);
  if (s.scenario.identicalPrompts) q.set('same', '1');
  const spec = s.scenario.speculative;
  if (spec) {
    q.set('draft', spec.draft);
    q.set('alpha', String(spec.acceptance));
    if (spec.gamma !== undefined) q.set('gamma', String(spec.gamma));
  }
  if (s.customModel) q.set('mspec', encodeJson(s.customModel));
  if (s.customHardware) q.set('hspec', encodeJson(s.customHardware));
  put('o', writeMap(s.overrides), '');
  put('cmp', s.compare.join(','), d.compare.join(','));
  put('sx', s.sweepAxis, d.sweepAxis);
  put('px', s.paretoCost, d.paretoCost);
  put('price', writeMap(s.prices), '');
  put('phase', s.phase, d.phase);
  const text = q.toString();
  return text ? `?${text}` : '';
}
