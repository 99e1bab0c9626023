// Compare: the chosen model and scenario on several devices or systems side by side.
import { DownloadCsv } from '../components/download-csv.tsx';
import { ChartFrame, CompareChart } from '../components/lazy-charts.tsx';
import { HardwareOptions } from '../components/inputs-panel.tsx';
import { pathText } from '../core/problems.ts';
import type { Catalog } from '../core/protocol.ts';
import { formatBytes, formatEnergy, formatSeconds, formatTokensPerS } from '../format/units.ts';
import { seriesColor } from '../format/palette.ts';
import { useMetrics } from '../hooks/use-estimates.ts';
import { CUSTOM, type AppState } from '../state/app-state.ts';
import { baseRequest } from '../state/requests.ts';
import type { Update } from '../state/use-url-state.ts';

export function hardwareName(id: string, catalog: Catalog, state: AppState): string {
  if (id === CUSTOM) return typeof state.customHardware?.name === 'string' ? state.customHardware.name : 'uploaded';
  return catalog.devices.find((d) => d.id === id)?.name ?? catalog.systems.find((s) => s.id === id)?.name ?? id;
}

const COMPARE_CSV_HEADER = ['hardware', 'name', 'devices', 'ttft_s', 'tpot_s', 'output_tokens_per_s', 'output_tokens_per_s_per_device',
  'energy_j_per_token', 'memory_bytes_per_device', 'capacity_bytes_per_device', 'fits'];

export function CompareView({ state, update, catalog }: { state: AppState; update: Update; catalog: Catalog }) {
  const ids = state.compare;
  const { value, stale } = useMetrics(ids.map((id) => baseRequest(state, id)));
  const setIds = (compare: string[]): void => update((s) => ({ ...s, compare }));
  const rows = ids.map((id, i) => ({ id, name: hardwareName(id, catalog, state), outcome: value?.[i] }));
  const chartRows = rows.flatMap((r) => (r.outcome?.ok ? [{ id: r.id, name: r.name, ...r.outcome.value }] : []));
  return (
    <div className="view" data-view="compare">
      <div className="chips">
        {rows.map((r, i) => (
          <span key={r.id} className="chip" style={{ borderColor: seriesColor(i) }}>
            <span className="swatch" style={{ background: seriesColor(i) }} />{r.name}
            <button type="button" aria-label={`remove ${r.name}`} onClick={() => setIds(ids.filter((x) => x !== r.id))}>×</button>
          </span>
        ))}
        <select name="compare-add" value="" aria-label="add hardware" onChange={(e) => { if (e.target.value && !ids.includes(e.target.value)) setIds([...ids, e.target.value]); }}>
          <option value="">+ add device or system</option>
          <HardwareOptions catalog={catalog} state={{ ...state, hardware: '' }} />
        </select>
      </div>
      <table className="compare" aria-busy={stale}>
        <thead>
          <tr><th>hardware</th><th>devices</th><th>TTFT</th><th>TPOT</th><th>tokens/s</th><th>per device</th><th>energy/token</th><th>memory/device</th><th>fits</th></tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const o = r.outcome;
            if (!o) return <tr key={r.id}><td>{r.name}</td><td colSpan={8}>…</td></tr>;
            if (!o.ok) return <tr key={r.id}><td>{r.name}</td><td colSpan={8} className="field-error">{o.problems.map((p) => `${pathText(p.path)}: ${p.message}`).join('; ')}</td></tr>;
            const m = o.value;
            return (
              <tr key={r.id} className={m.feasible ? undefined : 'over'}>
                <td>{r.name}</td><td>{m.devices}</td><td>{formatSeconds(m.ttftS)}</td><td>{formatSeconds(m.tpotS)}</td>
                <td>{formatTokensPerS(m.outputTokensPerS)}</td><td>{formatTokensPerS(m.outputTokensPerSPerDevice)}</td>
                <td>{formatEnergy(m.energyJPerToken)}</td><td>{formatBytes(m.perDeviceBytes)} of {formatBytes(m.capacityBytes)}</td>
                <td>{m.feasible ? 'yes' : 'no'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <DownloadCsv name="genz-compare.csv" header={COMPARE_CSV_HEADER}
        rows={chartRows.map((r) => [r.id, r.name, r.devices, r.ttftS, r.tpotS, r.outputTokensPerS, r.outputTokensPerSPerDevice,
          r.energyJPerToken, r.perDeviceBytes, r.capacityBytes, r.feasible])} />
      {chartRows.length > 0 ? (
        <ChartFrame title="Side by side (same model and scenario)" height={440}>
          <CompareChart rows={chartRows} />
        </ChartFrame>
      ) : null}
    </div>
  );
}
