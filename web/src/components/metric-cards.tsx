// The headline numbers of an estimate as cards; with `base`, each card also shows its change against it.
import { useLayoutEffect } from 'react';
import type { EstimateReport } from '../core/protocol.ts';
import { markFirstEstimate } from '../core/timing.ts';
import { BETTER, WORSE } from '../format/palette.ts';
import { formatBytes, formatDelta, formatEnergy, formatSeconds, formatTokensPerS, trim } from '../format/units.ts';
import { CapacityBar } from './capacity-bar.tsx';

interface Metric {
  id: string;
  label: string;
  value: (r: EstimateReport) => number;
  format: (x: number) => string;
  lowerIsBetter: boolean;
  note: (r: EstimateReport) => string;
}

export const METRICS: Metric[] = [
  { id: 'ttft', label: 'TTFT', value: (r) => r.ttftS, format: formatSeconds, lowerIsBetter: true, note: (r) => `prefill of the whole batch${r.vision && r.vision.latencyS > 0 ? `, vision tower ${formatSeconds(r.vision.latencyS)}` : ''}` },
  { id: 'tpot', label: 'TPOT', value: (r) => r.tpotS, format: formatSeconds, lowerIsBetter: true,
    note: (r) => (r.speculative
      ? `speculative ×${trim(r.speculative.speedup)} (${formatSeconds(r.tpotS > 0 ? r.tpotS * r.speculative.speedup : r.speculative.baselineTpotS)} without)`
      : `mean over ${Math.max(0, r.inputs.scenario.outputTokens - 1)} decode steps`) },
  { id: 'throughput', label: 'output tokens/s', value: (r) => r.outputTokensPerS, format: formatTokensPerS, lowerIsBetter: false,
    note: (r) => `${formatTokensPerS(r.outputTokensPerSPerDevice)} per device` },
  { id: 'energy', label: 'energy / token', value: (r) => r.energyJPerToken, format: formatEnergy, lowerIsBetter: true,
    note: () => 'all devices, prefill + decode' },
  { id: 'e2e', label: 'end-to-end', value: (r) => r.e2eS, format: formatSeconds, lowerIsBetter: true, note: () => 'TTFT + (output − 1) × TPOT' },
];

function Delta({ base, value, lowerIsBetter }: { base: number; value: number; lowerIsBetter: boolean }) {
  const text = formatDelta(base, value);
  if (text === '±0 %') return <div className="delta same">±0 % vs preset</div>;
  const better = lowerIsBetter ? value < base : value > base;
  return (
    <div className="delta" style={{ color: better ? BETTER : WORSE }}>
      {value > base ? '▲' : '▼'} {text} {better ? 'better' : 'worse'}
    </div>
  );
}

export function MetricCards({ report, base }: { report: EstimateReport; base?: EstimateReport }) {
  useLayoutEffect(markFirstEstimate, []);
  const m = report.memory;
  return (
    <div className="cards">
      {METRICS.map((metric) => (
        <div key={metric.id} className="card" data-metric={metric.id}>
          <div className="label">{metric.label}</div>
          <div className="value">{metric.format(metric.value(report))}</div>
          <div className="note">{metric.note(report)}</div>
          {base ? <div className="was">preset {metric.format(metric.value(base))}</div> : null}
          {base ? <Delta base={metric.value(base)} value={metric.value(report)} lowerIsBetter={metric.lowerIsBetter} /> : null}
        </div>
      ))}
      <div className={`card wide${m.fits ? '' : ' over'}`} data-metric="memory">
        <div className="label">memory / device</div>
        <div className="value">{formatBytes(m.perDeviceBytes)} <small>of {formatBytes(m.capacityBytes)}</small></div>
        <CapacityBar memory={m} />
        <div className="note">largest batch that fits: {report.maxBatchThatFits}</div>
        {base ? <Delta base={base.memory.perDeviceBytes} value={m.perDeviceBytes} lowerIsBetter /> : null}
      </div>
    </div>
  );
}
