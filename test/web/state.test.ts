// The explorer's pure parts, without a browser: URL state, what-if knobs, the Pareto frontier, JSON problem
// lines and display units.
import { describe, expect, it } from 'vitest';
import { findDevice, findSystem } from '../../index.ts';
import { DEFAULT_STATE, type AppState } from '../../web/src/state/app-state.ts';
import { parseState, serializeState } from '../../web/src/state/url-state.ts';
import { fromSlider, hardwareKnobs, toSlider } from '../../web/src/state/knobs.ts';
import { paretoFrontier } from '../../web/src/state/pareto.ts';
import { jsonLines, lineOf } from '../../web/src/format/json-lines.ts';
import { formatByteRate, formatDelta, formatFlopRate, formatSeconds } from '../../web/src/format/units.ts';

describe('URL state', () => {
  it('the defaults make an empty query, and every field survives a round trip', () => {
    expect(serializeState(DEFAULT_STATE)).toBe('');
    const state: AppState = {
      ...DEFAULT_STATE, view: 'whatif', model: 'custom', hardware: '8x-h100-hgx',
      customModel: { id: 'tiny', name: 'Tiny — ünïcode' },
      scenario: { ...DEFAULT_STATE.scenario, batch: 8, tp: 2, dtype: 'fp8', flash: false, kvbits: 8 },
      overrides: { 'hw.memBw': 4.8e12, 'model.moe.topK': 1 }, compare: ['h100-sxm', 'mi300x'],
      sweepAxis: 'context', paretoCost: 'cost', prices: { 'h100-sxm': 2.5 }, phase: 'decode',
    };
    expect(parseState(serializeState(state))).toEqual(state);
  });

  it('keeps a bad number for the core to report at its field, and drops unknown enum values', () => {
    const s = parseState('?batch=abc&v=nope&sx=zzz');
    expect(s.scenario.batch).toBeNaN();
    expect(s.view).toBe('estimate');
    expect(s.sweepAxis).toBe('batch');
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
  });
});
