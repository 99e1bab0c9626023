// Streaming kernels as dependent rounds: achieved bandwidth follows from latency and occupancy (Little's law) for
// kernels with few bytes in flight, and from the DRAM channel for vectorized ones; MAMF tensor efficiencies match
// the data file they were transcribed from.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ElementwiseOp, GatherOp } from '../../../models/ops.ts';
import { cycleCost } from '../../../simulator/cycle/cycle-backend.ts';
import { GENERATION_DEFAULTS, MAMF_EFFICIENCY } from '../../../simulator/cycle/gpu/generations.ts';
import { gpuParams } from '../../../simulator/cycle/gpu/gpu-params.ts';
import { copy, ctxFor, preset, withMicroarch } from './cycle-helpers.ts';

const base = { scope: 'layer' as const, block: 'norm' as const, count: 1 };
const rmsnorm = (elements: number): ElementwiseOp => ({
  ...base, name: 'rmsnorm', kind: 'elementwise', fn: 'rmsnorm', elements, readsPerElement: 1, writesPerElement: 1, flopsPerElement: 4, bits: 16,
});
const gather = (rows: number): GatherOp => ({ ...base, block: 'embedding', name: 'embedding', kind: 'gather', rows, width: 4096, bits: 16 });

/** DRAM bytes per second the op achieved over its latency. */
const achievedBandwidth = (op: ElementwiseOp | GatherOp, id: string, microarch = {}): number => {
  const c = cycleCost(op, ctxFor(withMicroarch(preset(id), microarch)));
  return c.dramBytes / c.latencyS;
};

describe('memory-level parallelism of streaming kernels', () => {
  it('a one-element-per-thread row norm stays under Little\'s law bound: SMs × resident threads × 2 B / DRAM latency', () => {
    for (const id of ['a100-80gb-sxm', 'a40', 'h100-sxm']) {
      const p = gpuParams(preset(id));
      const residentThreads = Math.min(p.maxCtasPerSm, Math.floor(p.maxThreadsPerSm / 1024)) * 1024;
      const readBound = (p.smCount * residentThreads * 2) / p.dramLatencyS;
      const op = rmsnorm(4096 * 4096);
      const c = cycleCost(op, ctxFor(preset(id)));
      const readS = c.latencyS;
      // Reads are 1/2 of the DRAM bytes (the other half are the output's posted writes).
      expect(c.dramBytes / 2 / readS).toBeLessThanOrEqual(readBound);
      expect(c.dramBytes / c.latencyS).toBeLessThan(p.dramBandwidthBytesPerS);
    }
  });

  it('a row norm runs one CTA per row of the op\'s own row length (4096 when the op gives none)', () => {
    const ctx = ctxFor(preset('h100-sxm'));
    const time = (rowLength?: number): number => cycleCost({ ...rmsnorm(64 * 8192), ...(rowLength === undefined ? {} : { rowLength }) }, ctx).latencyS;
    expect(time(4096)).toBe(time());
    // 64 rows of 8192 (64 CTAs on 132 SMs: half the machine idle) take longer than 128 rows of 4096 or 512 of 1024.
    expect(time(8192)).toBeGreaterThan(time(4096));
    expect(time(4096)).toBeGreaterThan(time(1024));
  });

  it('longer DRAM latency slows the latency-bound norm and gather much more than the vectorized copy', () => {
    const id = 'a100-80gb-sxm';
    const slow = { dramLatencyS: 1e-6 };
    for (const op of [rmsnorm(4096 * 4096), gather(4096)]) {
      expect(achievedBandwidth(op, id) / achievedBandwidth(op, id, slow)).toBeGreaterThan(1.3);
    }
    const c = copy(2 ** 26);
    expect(achievedBandwidth(c, id) / achievedBandwidth(c, id, slow)).toBeLessThan(1.1);
  });

  it('the A40 (1 CTA of 1024 threads per SM, less bandwidth per SM) reaches a larger share of its DRAM peak than the A100 on a row norm', () => {
    const share = (id: string): number => achievedBandwidth(rmsnorm(4096 * 4096), id) / gpuParams(preset(id)).dramBandwidthBytesPerS;
    expect(share('a40')).toBeGreaterThan(share('a100-80gb-sxm'));
  });

  it('a grid-stride gather longer than the step budget is extrapolated smoothly (time linear in rows)', () => {
    const t = (rows: number): number => cycleCost(gather(rows), ctxFor(preset('a100-80gb-sxm'))).latencyS;
    const a = t(16384);
    const b = t(32768);
    expect(b / a).toBeGreaterThan(1.9);
    expect(b / a).toBeLessThan(2.1);
  });
});

describe('tensor efficiency from measured MAMF', () => {
  it('matches data/mamf_bf16_matmul_measured.csv for the mapped parts', () => {
    const csv = readFileSync(new URL('../../../data/mamf_bf16_matmul_measured.csv', import.meta.url), 'utf8').trim().split('\n').slice(1);
    const eff = new Map(csv.map((line) => {
      const [name, , , efficiency] = line.split(',');
      return [name!, Number(efficiency)];
    }));
    const mapping: [string, number][] = [
      ['NVIDIA A100 SXM', MAMF_EFFICIENCY.a100Sxm], ['NVIDIA H100 SXM', MAMF_EFFICIENCY.h100Sxm],
      ['AMD MI250X (1 GCD)', MAMF_EFFICIENCY.mi250xGcd], ['AMD MI300X', MAMF_EFFICIENCY.mi300x],
    ];
    for (const [name, value] of mapping) expect(value).toBe(eff.get(name));
    expect(GENERATION_DEFAULTS['ampere-ga100'].tensorEfficiency).toBe(MAMF_EFFICIENCY.a100Sxm);
    expect(GENERATION_DEFAULTS.hopper.tensorEfficiency).toBe(MAMF_EFFICIENCY.h100Sxm);
    expect(GENERATION_DEFAULTS.cdna2.tensorEfficiency).toBe(MAMF_EFFICIENCY.mi250xGcd);
    expect(GENERATION_DEFAULTS.cdna3.tensorEfficiency).toBe(MAMF_EFFICIENCY.mi300x);
  });
});
