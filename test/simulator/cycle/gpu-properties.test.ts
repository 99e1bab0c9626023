// Properties of the GPU model: convergence to the roofline where nothing limits but peaks, never faster than the
// roofline floor, wave quantization steps, skinny and small-K shapes below the roofline.
import { describe, expect, it } from 'vitest';
import type { Op } from '../../../models/ops.ts';
import { cycleCost } from '../../../simulator/cycle/cycle-backend.ts';
import { rooflineBackend } from '../../../simulator/roofline/roofline-backend.ts';
import { attention, copy, ctxFor, gemm, preset, seeded, withMicroarch } from './cycle-helpers.ts';

const floorS = (op: Op, device = preset('h100-sxm')): number => rooflineBackend.cost(op, ctxFor(device, true)).latencyS;
/** A part whose pipes and DRAM sustain their datasheet peaks: only the machine structure (tiles, waves, latency) is left. */
const lossless = (id: string) => withMicroarch(preset(id), { tensorEfficiency: 1, dramEfficiency: 1, vectorEfficiency: 1 });

describe('convergence to the roofline (loss-free microarchitecture)', () => {
  for (const id of ['h100-sxm', 'a100-80gb-sxm', 'l4']) {
    it(`${id}: a large compute-bound GEMM and a large copy are within 5% of the roofline`, () => {
      const device = lossless(id);
      for (const op of [gemm(16384, 16384, 8192), copy(2 ** 28)]) {
        const ratio = cycleCost(op, ctxFor(device)).latencyS / floorS(op, device);
        expect(ratio).toBeGreaterThanOrEqual(1);
        expect(ratio).toBeLessThanOrEqual(1.05);
      }
    });
  }

  it('with the default microarchitecture the same ops stay within the sustained fractions of the peaks', () => {
    const device = preset('h100-sxm');
    const g = gemm(16384, 16384, 8192);
    expect(cycleCost(g, ctxFor(device)).latencyS / floorS(g)).toBeLessThanOrEqual(1.05 / 0.8);
    const c = copy(2 ** 28);
    expect(cycleCost(c, ctxFor(device)).latencyS / floorS(c)).toBeLessThanOrEqual(1.05 / 0.9);
  });
});

describe('never faster than the roofline floor', () => {
  it('random GEMM, attention and elementwise shapes on several presets (seeded)', () => {
    const rnd = seeded(20240605);
    const pick = (lo: number, hi: number): number => Math.round(Math.exp(Math.log(lo) + rnd() * (Math.log(hi) - Math.log(lo))));
    const devices = ['h100-sxm', 'a100-80gb-sxm', 'a40', 'l4', 'mi300x', 't4', 'rtx-4090'].map(preset);
    for (let i = 0; i < 60; i++) {
      const device = devices[i % devices.length]!;
      const kind = i % 3;
      const op: Op = kind === 0 ? gemm(pick(1, 8192), pick(16, 16384), pick(16, 16384), pick(1, 4))
        : kind === 1 ? attention(pick(1, 8), pick(1, 2048), 0, 32, 8)
          : copy(pick(1e3, 1e8));
      if (op.kind === 'attention') op.kvLen = op.queryLen + pick(1, 4096);
      const cycle = cycleCost(op, ctxFor(device)).latencyS;
      expect(Number.isFinite(cycle)).toBe(true);
      expect(cycle).toBeGreaterThanOrEqual(floorS(op, device) * (1 - 1e-9));
    }
  });
});

describe('wave quantization', () => {
  it('latency is flat within a wave and jumps as the tile count passes multiples of SMs × CTAs per SM', () => {
    // One 128×128 CTA per SM on the A100's 108 SMs; 12 tile columns, so the grid passes 108 tiles at 9 tile rows.
    const device = withMicroarch(preset('a100-80gb-sxm'), { maxCtasPerSm: 1, gemmTile: { m: 128, n: 128, k: 32, stages: 3 } });
    const at = (rows: number): number => cycleCost(gemm(128 * rows, 128 * 12, 4096), ctxFor(device)).latencyS;
    const t = Array.from({ length: 28 }, (_, i) => at(i + 1));
    // Flat inside each wave (1–9, 10–18, 19–27 tile rows), a step of about one wave's time between them.
    for (const [lo, hi] of [[1, 9], [10, 18], [19, 27]] as const) expect(t[hi - 1]! / t[lo - 1]!).toBeLessThan(1.05);
    for (const edge of [9, 18, 27]) expect(t[edge]! / t[edge - 1]!).toBeGreaterThan(1.25);
  });
});

describe('shapes the roofline overrates', () => {
  it('skinny (GEMV-like) and small-K GEMMs are clearly slower than the floor', () => {
    for (const id of ['h100-sxm', 'a100-80gb-sxm']) {
      const device = preset(id);
      for (const op of [gemm(8, 4096, 4096), gemm(1, 8192, 8192), gemm(8192, 8192, 64), gemm(4096, 4096, 32)]) {
        expect(cycleCost(op, ctxFor(device)).latencyS / floorS(op, device)).toBeGreaterThan(1.1);
      }
    }
  });
});
