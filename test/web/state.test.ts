// The explorer's pure parts, without a browser: URL state, what-if knobs, the Pareto frontier, JSON problem
// lines and display units.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EFFICIENCY, IDEAL_EFFICIENCY, estimate, findDevice, findSystem, listDevices, listModels, listSystems, listVlmConfigs, resolveVlm,
} from '../../index.ts';
import type { Catalog } from '../../web/src/core/protocol.ts';
import { toCsv } from '../../web/src/format/csv.ts';
import { baseRequest } from '../../web/src/state/base-request.ts';
import { forHardware } from '../../web/src/core/worker-api.ts';
import { overridesFor } from '../../web/src/state/efficiency-knobs.ts';
import { isCpuHardware, isMixtureOfExperts, isVisionLanguage, whatIf } from '../../web/src/state/requests.ts';
import { isNavigation } from '../../web/src/state/use-url-state.ts';
import { CUSTOM, DEFAULT_STATE, type AppState } from '../../web/src/state/app-state.ts';
import { parseState, serializeState } from '../../web/src/state/url-state.ts';
import { fromSlider, hardwareKnobs, toSlider } from '../../web/src/state/knobs.ts';
import { paretoFrontier } from '../../web/src/state/pareto.ts';
import { paretoGrid, sweepRequests } from '../../web/src/state/sweeps.ts';
import { jsonLines, lineOf } from '../../web/src/format/json-lines.ts';
import { UNITS, formatByteRate, formatDelta, formatFlopRate, formatSeconds } from '../../web/src/format/units.ts';

describe('URL state', () => {
  it('the defaults make an empty query, and every field survives a round trip', () => {
    expect(serializeState(DEFAULT_STATE)).toBe('');
    const state: AppState = {
      ...DEFAULT_STATE, view: 'whatif', model: 'custom', hardware: '8x-h100-hgx',
      customModel: { id: 'tiny', name: 'Tiny — ünïcode' },
      scenario: {
        ...DEFAULT_STATE.scenario, batch: 8, tp: 2, dtype: 'fp8', flash: false, kvbits: 8, images: 3, calibration: 'none', engine: 'cycle', framework: 'vllm',
        speculative: { draft: 'llama-3.2-1b', acceptance: 0.65, gamma: 6 },
      },
      overrides: { 'hw.memBw': 4.8e12, 'model.moe.topK': 1, 'eff.memory': 0.35, 'scenario.acceptance': 0.9 }, compare: ['h100-sxm', 'mi300x'],
      sweepAxis: 'context', paretoCost: 'cost', prices: { 'h100-sxm': 2.5 }, phase: 'decode',
    };
    expect(parseState(serializeState(state))).toEqual(state);
  });

  it('keeps a bad number for the core to report at its field, and drops unknown enum values', () => {
    const s = parseState('?batch=abc&v=nope&sx=zzz&cal=maybe&alpha=x&draft=tiny');
    expect(s.scenario.batch).toBeNaN();
    expect(s.view).toBe('estimate');
    expect(s.sweepAxis).toBe('batch');
    expect(s.scenario.calibration).toBe('default');
    expect(s.scenario.speculative!.acceptance).toBeNaN();
  });

  it('speculative decoding is on when the link names a draft; α defaults, γ is left to the core', () => {
    const s = parseState('?draft=llama-3.2-1b');
    expect(s.scenario.speculative).toEqual({ draft: 'llama-3.2-1b', acceptance: 0.7 });
    expect(serializeState(s)).toBe('?draft=llama-3.2-1b&alpha=0.7');
    expect(baseRequest(s).speculative).toEqual({ draft: 'llama-3.2-1b', acceptance: 0.7 });
    expect(parseState('?alpha=0.5').scenario.speculative).toBeUndefined();
  });

  it('a new view, model or hardware is a history entry; a slider move is not', () => {
    expect(isNavigation(DEFAULT_STATE, { ...DEFAULT_STATE, view: 'sweep' })).toBe(true);
    expect(isNavigation(DEFAULT_STATE, { ...DEFAULT_STATE, hardware: 'h200' })).toBe(true);
    expect(isNavigation(DEFAULT_STATE, { ...DEFAULT_STATE, overrides: { 'hw.memBw': 1e12 } })).toBe(false);
  });
});

describe('what-if knobs', () => {
  it('a device exposes its dtype peaks, memory, link and power, with paths into the request and sources', () => {
    const knobs = hardwareKnobs(findDevice('h100-sxm')!);
    const bw = knobs.find((k) => k.key === 'hw.memBw')!;
    expect(bw.path).toEqual(['hardware', 'memory', 0, 'bandwidthBytesPerS']);
    expect(bw.base).toBe(3.35e12);
    expect(bw.source).toBeTruthy();
    expect(knobs.map((k) => k.key)).toEqual(expect.arrayContaining(['hw.flops.bf16', 'hw.memCap', 'hw.linkBw', 'hw.linkLat', 'hw.tdp', 'hw.idle']));
  });

  it('a system moves its scale-up network', () => {
    const system = findSystem('8x-h100-hgx')!;
    const knobs = hardwareKnobs({ ...system, device: findDevice(system.device as string)! });
    expect(knobs.find((k) => k.key === 'hw.linkBw')!.path).toEqual(['hardware', 'scaleUp', 'network', 'bandwidthBytesPerS']);
    expect(knobs.find((k) => k.key === 'hw.memBw')!.path).toEqual(['hardware', 'device', 'memory', 0, 'bandwidthBytesPerS']);
  });

  it('slider positions map to values and back; the ends are 1/8× and 8× the preset', () => {
    const bw = hardwareKnobs(findDevice('h100-sxm')!).find((k) => k.key === 'hw.memBw')!;
    expect(toSlider(bw, bw.base)).toBe(500);
    expect(fromSlider(bw, 1000) / (8 * bw.base)).toBeCloseTo(1, 3);
    expect(fromSlider(bw, 0) / (bw.base / 8)).toBeCloseTo(1, 3);
    expect(toSlider(bw, fromSlider(bw, 730))).toBe(730);
  });
});

describe('requests', () => {
  const catalog = (): Catalog => ({
    devices: listDevices(), systems: listSystems(),
    models: [...listModels().map((config) => ({ id: config.id, name: config.name, family: config.family, params: 0, config })),
      { id: 'smolvlm-256m', name: 'SmolVLM', family: 'vlm', params: 0, config: resolveVlm('smolvlm-256m').languageModel, vlm: listVlmConfigs()[0]! }],
    efficiency: { defaults: { ...DEFAULT_EFFICIENCY }, ideal: { ...IDEAL_EFFICIENCY } },
  });

  it('CPU threads and the low-bit kernel are sent when set, and dropped by the worker for hardware without a cpu block', () => {
    const cpu: AppState = { ...DEFAULT_STATE, hardware: 'snapdragon-x-elite', scenario: { ...DEFAULT_STATE.scenario, threads: 4, lowBitKernel: 'lut' } };
    expect(parseState(serializeState(cpu))).toEqual(cpu);
    expect(serializeState(cpu)).toMatch(/th=4.*lbk=lut/);
    const request = baseRequest(cpu);
    expect(request).toMatchObject({ threads: 4, lowBitKernel: 'lut' });
    expect(forHardware(request)).toBe(request);
    const gpu = forHardware(baseRequest(cpu, 'h100-sxm'));
    expect(gpu).not.toHaveProperty('threads');
    expect(gpu).not.toHaveProperty('lowBitKernel');
    expect(baseRequest(DEFAULT_STATE)).not.toHaveProperty('threads');
    // A CPU on its own, as a system's device, or uploaded; unknown until the catalog loads.
    expect(isCpuHardware(cpu, catalog())).toBe(true);
    expect(isCpuHardware(cpu, undefined)).toBe(false);
    expect(isCpuHardware(DEFAULT_STATE, catalog())).toBe(false);
    const system = { id: 'two-x', name: '2 × X Elite', device: 'snapdragon-x-elite', deviceCount: 2 };
    expect(isCpuHardware({ ...DEFAULT_STATE, hardware: CUSTOM, customHardware: system }, catalog())).toBe(true);
    expect(isCpuHardware({ ...DEFAULT_STATE, hardware: CUSTOM, customHardware: { ...system, device: 'h100-sxm' } }, catalog())).toBe(false);
    expect(isCpuHardware({ ...DEFAULT_STATE, hardware: CUSTOM, customHardware: findDevice('apple-m2-ultra')! }, catalog())).toBe(true);
    // Hardware that does not resolve is left to the core, which names the problem.
    const unknown = { ...request, hardware: 'no-such-device' };
    expect(forHardware(unknown)).toBe(unknown);
  });

  it('identical prompts go in the link and the request when set, and the checkbox is offered for MoE models', () => {
    const same: AppState = { ...DEFAULT_STATE, model: 'mixtral-8x7b', scenario: { ...DEFAULT_STATE.scenario, batch: 16, identicalPrompts: true } };
    expect(parseState(serializeState(same))).toEqual(same);
    expect(serializeState(same)).toMatch(/same=1/);
    expect(baseRequest(same).identicalPrompts).toBe(true);
    expect(baseRequest(DEFAULT_STATE)).not.toHaveProperty('identicalPrompts');
    expect(parseState('?same=0').scenario).not.toHaveProperty('identicalPrompts');
    expect(isMixtureOfExperts(same, catalog())).toBe(true);
    expect(isMixtureOfExperts(DEFAULT_STATE, catalog())).toBe(false);
    // An uploaded spec may have experts: offered.
    expect(isMixtureOfExperts({ ...DEFAULT_STATE, model: CUSTOM, customModel: { id: 'x' } }, catalog())).toBe(true);
  });

  it('a serving framework is sent as such; none is left to the core', () => {
    expect(baseRequest(DEFAULT_STATE)).not.toHaveProperty('framework');
    expect(baseRequest({ ...DEFAULT_STATE, scenario: { ...DEFAULT_STATE.scenario, framework: 'vllm' } }).framework).toBe('vllm');
  });

  it('the cycle engine is sent as such; the roofline default is left to the core', () => {
    expect(baseRequest(DEFAULT_STATE)).not.toHaveProperty('engine');
    expect(baseRequest({ ...DEFAULT_STATE, scenario: { ...DEFAULT_STATE.scenario, engine: 'cycle' } }).engine).toBe('cycle');
  });

  it('with the cycle engine, the sweep curves use it and the Pareto grid (100+ points) stays on the roofline', () => {
    const cycle: AppState = { ...DEFAULT_STATE, scenario: { ...DEFAULT_STATE.scenario, engine: 'cycle' } };
    expect(sweepRequests(cycle).every((r) => r.engine === 'cycle')).toBe(true);
    const grid = paretoGrid(cycle);
    expect(grid.requests.length).toBeGreaterThan(20);
    expect(grid.requests.some((r) => r.engine === 'cycle')).toBe(false);
  });

  it('calibration off is sent as such; the default is left to the core', () => {
    expect(baseRequest(DEFAULT_STATE)).not.toHaveProperty('calibration');
    expect(baseRequest({ ...DEFAULT_STATE, scenario: { ...DEFAULT_STATE.scenario, calibration: 'none' } }).calibration).toBe('none');
  });

  it('an efficiency override keeps the calibration choice explicit, so base and what-if are priced the same way', () => {
    // The embedding gather: the default device's (H100) profile has no embedding curve, so this factor prices it.
    const plan = whatIf({ ...DEFAULT_STATE, overrides: { 'eff.elementwiseMemory': 0.25 } }, catalog());
    expect(plan.base).not.toHaveProperty('efficiency');
    expect(plan.modified).toMatchObject({ efficiency: { elementwiseMemory: 0.25 }, calibration: 'default' });
    const knob = plan.knobs.find((k) => k.key === 'eff.elementwiseMemory')!;
    expect([knob.base, knob.unit, knob.path]).toEqual([DEFAULT_EFFICIENCY.elementwiseMemory, 'fraction', ['efficiency', 'elementwiseMemory']]);
    expect(overridesFor(IDEAL_EFFICIENCY, DEFAULT_EFFICIENCY)).toMatchObject({ 'eff.memory': 1, 'eff.kernelOverheadS': 0 });
    expect(estimate(plan.modified).ttftS).toBeGreaterThan(estimate(plan.base).ttftS);
  });

  it("a VLM offers images and its decoder's knobs, which land in its language model", () => {
    const state: AppState = { ...DEFAULT_STATE, model: 'smolvlm-256m', overrides: { 'model.numLayers': 15, 'scenario.images': 2 } };
    const plan = whatIf(state, catalog());
    expect(isVisionLanguage(state, catalog())).toBe(true);
    expect(plan.knobs.find((k) => k.key === 'model.numLayers')!.path).toEqual(['model', 'languageModel', 'numLayers']);
    expect(plan.modified.images).toBe(2);
    const report = estimate(plan.modified);
    expect(report.inputs.model.numLayers).toBe(15);
    expect(report.vision!.imageTokens).toBe(2 * estimate({ model: 'smolvlm-256m' }).vision!.imageTokens);
  });

  it('speculative α and γ are what-if knobs when a draft is on', () => {
    const state: AppState = { ...DEFAULT_STATE, scenario: { ...DEFAULT_STATE.scenario, speculative: { draft: 'llama-3.2-1b', acceptance: 0.7 } },
      overrides: { 'scenario.gamma': 2 } };
    const plan = whatIf(state, catalog());
    expect(plan.knobs.find((k) => k.key === 'scenario.gamma')!.base).toBe(4);
    expect(plan.modified.speculative).toEqual({ draft: 'llama-3.2-1b', acceptance: 0.7, gamma: 2 });
  });
});

describe('CSV', () => {
  it('quotes what needs it', () => {
    expect(toCsv(['a', 'b'], [['x,y', 1.5], ['say "hi"', undefined]])).toBe('a,b\n"x,y",1.5\n"say ""hi""",\n');
  });
});

describe('Pareto frontier', () => {
  it('keeps the points nothing beats on both cost and value', () => {
    const pts = [{ cost: 1, value: 10 }, { cost: 2, value: 5 }, { cost: 2, value: 20 }, { cost: 3, value: 30 }, { cost: 4, value: 25 }];
    expect(paretoFrontier(pts)).toEqual([{ cost: 1, value: 10 }, { cost: 2, value: 20 }, { cost: 3, value: 30 }]);
  });
});

describe('JSON problem lines', () => {
  it('points a problem at its field, or at the object that misses it', () => {
    const lines = jsonLines({ id: 'x', memory: [{ bandwidthBytesPerS: 'fast' }] });
    expect(lines[lineOf(lines, ['memory', 0, 'bandwidthBytesPerS'])]!.text.trim()).toBe('"bandwidthBytesPerS": "fast"');
    expect(lines[lineOf(lines, ['power', 'tdpW'])]!.text).toBe('{');
  });
});

describe('display units', () => {
  it('reads as people write them', () => {
    expect(formatSeconds(0.0284)).toBe('28.4 ms');
    expect(formatByteRate(3.35e12)).toBe('3.35 TB/s');
    expect(formatFlopRate(989.5e12)).toBe('990 TFLOP/s');
    expect(formatDelta(8.02, 2.36)).toBe('−70.6 %');
    expect(UNITS.fraction.format(0.7)).toBe('70 %');
  });
});
