// calibrate/twin-noise.ts: the measurements' own scatter, from pairs of near-twin shapes.
import { describe, expect, it } from 'vitest';
import { twinNoise } from '../../calibrate/twin-noise.ts';

/** A deterministic generator of uniform numbers in [0, 1) (mulberry32). */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('twinNoise', () => {
  it('pairs only rows whose every dimension is within the tolerance, and reads their residual gap per row', () => {
    const rows = [
      { dims: [100, 200, 300], residualLn: 0 },
      { dims: [104, 196, 310], residualLn: Math.log(1.5) * Math.SQRT2 }, // twin of the first
      { dims: [100, 200, 330], residualLn: 5 }, // k 10 % away from the first, 6.5 % from the second: no twin
    ];
    const noise = twinNoise(rows, 0.06)!;
    expect(noise.pairs).toBe(1);
    expect(noise.medianPct).toBeCloseTo(50, 1);
    expect(noise.p90Pct).toBeCloseTo(50, 1);
    expect(twinNoise(rows.slice(0, 1))).toBeNull();
    expect(twinNoise([rows[0]!, rows[2]!])).toBeNull();
  });

  it('recovers a known per-row scatter beneath a smooth trend that no pair sees', () => {
    const next = uniform(7);
    const sigma = 0.2;
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    // A dense random sweep; the residual has a smooth part (which twins share) and independent noise.
    const rows = Array.from({ length: 4000 }, () => {
      const dims = [0, 1, 2].map(() => Math.round(10 ** (1 + 1.5 * next())));
      return { dims, residualLn: 0.3 * Math.log(dims[0]!) - 0.2 * Math.log(dims[2]!) + sigma * gauss() };
    });
    const noise = twinNoise(rows)!;
    expect(noise.pairs).toBeGreaterThan(200);
    // |N(0, σ)|: median 0.674 σ, p90 1.645 σ.
    expect(noise.medianPct).toBeGreaterThan(100 * Math.expm1(0.674 * sigma) * 0.85);
    expect(noise.medianPct).toBeLessThan(100 * Math.expm1(0.674 * sigma) * 1.15);
    expect(noise.p90Pct).toBeGreaterThan(100 * Math.expm1(1.645 * sigma) * 0.85);
    expect(noise.p90Pct).toBeLessThan(100 * Math.expm1(1.645 * sigma) * 1.15);
  });
});
