// Error summaries: absolute percentage error of predictions against measurements.

export interface Sample {
  group: string;
  predictedS: number;
  measuredS: number;
}

export interface ErrorSummary {
  group: string;
  rows: number;
  medianAbsPctError: number;
  p90AbsPctError: number;
  /** Median of predicted/measured: below 1 means genz is optimistic. */
  medianRatio: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo);
}

/** The median and the 90th percentile of `values` (any order; NaN when empty). */
export function medianP90(values: readonly number[]): { median: number; p90: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
}

export function absPctError(predicted: number, measured: number): number {
  return (Math.abs(predicted - measured) / measured) * 100;
}

export function summarize(samples: readonly Sample[]): ErrorSummary[] {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const list = groups.get(s.group) ?? [];
    list.push(s);
    groups.set(s.group, list);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, list]) => {
    const errors = list.map((s) => absPctError(s.predictedS, s.measuredS)).sort((a, b) => a - b);
    const ratios = list.map((s) => s.predictedS / s.measuredS).sort((a, b) => a - b);
    return {
      group, rows: list.length, medianAbsPctError: quantile(errors, 0.5), p90AbsPctError: quantile(errors, 0.9),
      medianRatio: quantile(ratios, 0.5),
    };
  });
}

/** Deterministic split: every `every`-th row (by index) is held out. */
export function isHeldOut(index: number, every = 5): boolean {
  return index % every === every - 1;
}

export function summaryTable(summaries: readonly ErrorSummary[]): string {
  const lines = ['| group | rows | median abs % error | p90 abs % error | median predicted/measured |', '|---|---|---|---|---|'];
  for (const s of summaries) {
    lines.push(`| ${s.group} | ${s.rows} | ${s.medianAbsPctError.toFixed(1)} | ${s.p90AbsPctError.toFixed(1)} | ${s.medianRatio.toFixed(2)} |`);
  }
  return lines.join('\n');
}
