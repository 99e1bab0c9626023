// Shared chart settings: fonts, margins, log-scale ticks.
export const AXIS_STYLE = { fontSize: 12, fill: '#333' } as const;
export const MARGIN = { top: 10, right: 24, bottom: 36, left: 24 } as const;

/** Powers of ten covering [lo, hi], for log axes. */
export function decadeTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) ticks.push(10 ** e);
  return ticks;
}

/** Powers of two covering [lo, hi]. */
export function binaryTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log2(lo)); e <= Math.ceil(Math.log2(hi)); e++) ticks.push(2 ** e);
  return ticks;
}

/** [lo, hi] of the positive values, widened to whole decades. */
export function decadeDomain(values: number[]): [number, number] {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return [1, 10];
  return [10 ** Math.floor(Math.log10(Math.min(...positive))), 10 ** Math.ceil(Math.log10(Math.max(...positive)))];
}
