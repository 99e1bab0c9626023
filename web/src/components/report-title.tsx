// One line saying what was estimated: model, hardware, parallelism, scenario and precision.
import type { EstimateReport } from '../core/protocol.ts';
import { trim } from '../format/units.ts';

export function ReportTitle({ report }: { report: EstimateReport }) {
  const { model, hardware, scenario: s } = report.inputs;
  const p = s.precision;
  const par = report.parallel;
  const parallel = par.devices > 1 ? ` · TP ${par.tp} PP ${par.pp}${par.ep > 1 ? ` EP ${par.ep}` : ''} DP ${par.dp}` : '';
  return (
    <p className="report-title">
      <strong>{model.name}</strong> on <strong>{hardware.name}</strong>{parallel} · batch {s.batch} · {s.inputTokens} in / {s.outputTokens} out
      · {s.dtype} (W{trim(p.weightBits)} A{p.actBits} KV{p.kvBits}) · {s.flash ? 'flash' : 'unfused'} attention
      {report.inputs.calibration ? ` · calibrated (${report.inputs.calibration.profile})` : ''}
    </p>
  );
}
