// A banner for an estimate that could not run (each problem also shows at its field) or does not fit.
import { pathText } from '../core/problems.ts';
import type { EstimateReport, GenzProblem } from '../core/protocol.ts';

export function ProblemsBanner({ problems }: { problems: GenzProblem[] }) {
  return (
    <div className="banner error" role="alert">
      <strong>The estimate could not run.</strong>
      <ul>{problems.map((p, i) => <li key={i}><code>{pathText(p.path)}</code>: {p.message}</li>)}</ul>
    </div>
  );
}

export function ReportNotes({ report }: { report: EstimateReport }) {
  if (report.feasible && report.warnings.length === 0) return null;
  return (
    <div className={`banner ${report.feasible ? 'warn' : 'error'}`} role="status">
      {report.feasible ? null : <div><strong>Does not fit:</strong> {report.reason}</div>}
      {report.warnings.map((w) => <div key={w}>warning: {w}</div>)}
    </div>
  );
}
