// Estimate: the headline cards, memory against capacity, and where the time goes in prefill and decode.
import { BreakdownChart, ChartFrame } from '../components/lazy-charts.tsx';
import { MetricCards } from '../components/metric-cards.tsx';
import { OpTable } from '../components/op-table.tsx';
import { ReportNotes } from '../components/problems.tsx';
import { ReportTitle } from '../components/report-title.tsx';
import type { EstimateReport } from '../core/protocol.ts';

export function EstimateView({ report }: { report: EstimateReport }) {
  return (
    <div className="view" data-view="estimate">
      <ReportTitle report={report} />
      <ReportNotes report={report} />
      <MetricCards report={report} />
      <ChartFrame title="Per-operator breakdown (time on one device, by block)" height={190}>
        <BreakdownChart report={report} />
      </ChartFrame>
      <details>
        <summary>Operator tables</summary>
        <OpTable ops={report.prefill.ops} caption="prefill (whole prompt)" />
        <OpTable ops={report.decode.ops} caption={`one decode step at context ${report.decode.contextTokens}`} />
      </details>
    </div>
  );
}
