// One line saying what was estimated: model, hardware, parallelism, scenario, precision, images, speculative
// decoding, and how operators were priced (calibration profile or efficiency factors).
import type { EstimateReport } from '../core/protocol.ts';
import { trim } from '../format/units.ts';

function speculation(report: EstimateReport): string {
  const spec = report.inputs.scenario.speculative;
  const r = report.speculative;
  if (!spec || !r) return '';
  const shape = spec.treeSize !== undefined || spec.treeBranching !== undefined ? `tree of ${r.verifyTokens}` : `γ ${spec.gamma ?? r.draftPasses}`;
  const alpha = typeof spec.acceptance === 'number' ? trim(spec.acceptance) : spec.acceptance.map((a) => trim(a)).join('/');
  return ` · draft ${spec.draft.name} (α ${alpha}, ${shape}: ${trim(r.expectedTokensPerStep)} tokens/step)`;
}

export function ReportTitle({ report }: { report: EstimateReport }) {
  const { model, hardware, scenario: s, calibration, backend } = report.inputs;
  const p = s.precision;
  const par = report.parallel;
  const parallel = par.devices > 1 ? ` · TP ${par.tp} PP ${par.pp}${par.ep > 1 ? ` EP ${par.ep}` : ''} DP ${par.dp}` : '';
  const images = report.vision ? ` · ${s.images} image${s.images === 1 ? '' : 's'} (+${report.vision.imageTokens} tokens)` : '';
  return (
    <p className="report-title">
      <strong>{model.name}</strong> on <strong>{hardware.name}</strong>{parallel} · batch {s.batch} · {s.inputTokens} in / {s.outputTokens} out
      {images} · {s.dtype} (W{trim(p.weightBits)} A{p.actBits} KV{p.kvBits}) · {s.flash ? 'flash' : 'unfused'} attention{speculation(report)}
      {s.framework === 'none' ? '' : ` · ${s.framework} costs (host time, kernels)`}
      {' · '}<span data-pricing={backend === 'cycle' ? 'cycle' : calibration ? 'calibrated' : 'factors'}>
        {backend === 'cycle' ? 'cycle-level simulator (uncalibrated)'
          : calibration ? `calibrated (${calibration.profile} profile: ${calibration.families.join(', ')})` : 'efficiency factors, no calibration'}
      </span>
    </p>
  );
}
