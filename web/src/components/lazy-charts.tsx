// Charts load in their own chunk (recharts is most of the page's weight), so the first numbers do not wait
// for them; each keeps its height while loading.
import { lazy, Suspense, type ReactNode } from 'react';

export const BreakdownChart = lazy(() => import('../charts/breakdown-chart.tsx'));
export const RooflineChart = lazy(() => import('../charts/roofline-chart.tsx'));
export const CompareChart = lazy(() => import('../charts/compare-chart.tsx'));
export const ParetoChart = lazy(() => import('../charts/pareto-chart.tsx'));
export const LatencyChart = lazy(() => import('../charts/sweep-chart.tsx').then((m) => ({ default: m.LatencyChart })));
export const ThroughputChart = lazy(() => import('../charts/sweep-chart.tsx').then((m) => ({ default: m.ThroughputChart })));

export function ChartFrame({ title, height, children }: { title: string; height: number; children: ReactNode }) {
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <Suspense fallback={<div className="chart-loading" style={{ height }}>loading chart…</div>}>{children}</Suspense>
    </figure>
  );
}
