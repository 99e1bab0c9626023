// An estimate of how much of a curve's error is scatter in the measurements. Two rows whose shapes are near twins
// (every dimension within `tolerance` of the other's) look nearly the same to any model of the shape, so the
// difference of their residuals, ln(measured / predicted), is the measurements' own scatter (a power-throttled
// board's, a library's kernel choice that flips between neighbouring sizes) plus the real change across the gap (at
// n or k in the tens of thousands, 6 % spans several tiles). If each row's scatter were independent, of one spread,
// and symmetric, the difference would spread √2 × one row's: |Δ| / √2 then estimates a row's scatter. Without those
// assumptions the pairs only say that one row of each is at least |Δ| / 2 from any shape model. An estimate, not a
// bound: where near twins are few (a random sweep of 6,000 shapes holds ~170 pairs) its p90 rests on a few pairs. Pure.
import { medianP90 } from './accuracy/error-stats.ts';

export interface TwinRow {
  /** The shape's dimensions (positive), in one order for every row: m, n, k (and batch) for a GEMM. */
  dims: readonly number[];
  /** ln(measured / predicted). */
  residualLn: number;
}

export interface TwinNoise {
  /** Pairs of near-twin rows found. */
  pairs: number;
  /** Median and p90 of the implied per-row scatter, as absolute % error (100 × (e^(|Δ|/√2) − 1)). */
  medianPct: number;
  p90Pct: number;
}

/** Default gap: 6 % per dimension (wide enough for pairs in a random sweep; narrow beside a 128-wide tile only below n, k ≈ 2,000). */
export const TWIN_TOLERANCE = 0.06;

/** Scatter implied by the near-twin pairs of `rows`; null with no pair. Rows bin into a grid of cells one tolerance wide. */
export function twinNoise(rows: readonly TwinRow[], tolerance = TWIN_TOLERANCE): TwinNoise | null {
  const width = Math.log(1 + tolerance);
  const cellOf = (dims: readonly number[]): number[] => dims.map((d) => Math.floor(Math.log(d) / width));
  const cells = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const key = cellOf(row.dims).join(',');
    (cells.get(key) ?? cells.set(key, []).get(key)!).push(i);
  });
  const gaps: number[] = [];
  const dimensions = rows[0]?.dims.length ?? 0;
  rows.forEach((a, i) => {
    const home = cellOf(a.dims);
    // The 3^d cells around a row's own hold every twin of it.
    for (let offset = 0; offset < 3 ** dimensions; offset++) {
      const key = home.map((c, d) => c + (Math.floor(offset / 3 ** d) % 3) - 1).join(',');
      for (const j of cells.get(key) ?? []) {
        if (j <= i) continue;
        const b = rows[j]!;
        if (a.dims.some((d, t) => Math.abs(Math.log(d / b.dims[t]!)) > width)) continue;
        gaps.push(Math.abs(a.residualLn - b.residualLn) / Math.SQRT2);
      }
    }
  });
  if (gaps.length === 0) return null;
  const { median, p90 } = medianP90(gaps);
  const pct = (x: number): number => Math.round(100 * Math.expm1(x) * 10) / 10;
  return { pairs: gaps.length, medianPct: pct(median), p90Pct: pct(p90) };
}
