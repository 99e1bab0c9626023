// Roofline: the device's compute ceiling and memory slope, with every operator placed on it.
import { ChartFrame, RooflineChart } from '../components/lazy-charts.tsx';
import { ReportTitle } from '../components/report-title.tsx';
import type { EstimateReport } from '../core/protocol.ts';
import { PHASES, type AppState } from '../state/app-state.ts';
import type { Update } from '../state/use-url-state.ts';

export function RooflineView({ report, state, update }: { report: EstimateReport; state: AppState; update: Update }) {
  const device = report.inputs.hardware.device;
  return (
    <div className="view" data-view="roofline">
      <ReportTitle report={report} />
      <div className="segmented" role="radiogroup" aria-label="phase">
        {PHASES.map((phase) => (
          <label key={phase}>
            <input type="radio" name="phase" value={phase} checked={state.phase === phase}
              onChange={() => update((s) => ({ ...s, phase }))} />
            {phase === 'decode' ? 'decode step' : phase === 'both' ? 'both phases' : 'prefill'}
          </label>
        ))}
      </div>
      <ChartFrame title={`Roofline of ${device.name} (one device; hover a point for its shape, FLOPs, bytes, bound and time)`} height={420}>
        <RooflineChart report={report} phases={state.phase === 'both' ? ['prefill', 'decode'] : [state.phase]} />
      </ChartFrame>
      <p className="hint">
        A point under the sloped part is limited by memory bandwidth, under the flat part by compute. Its height is the FLOP/s it
        achieves after efficiency factors and kernel overheads; the gap to the roof is what those cost.
      </p>
    </div>
  );
}
