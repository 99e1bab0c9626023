// Sweep: latency and throughput against batch, context or TP; and a Pareto scatter of tokens/s against energy
// or money per token over batch × TP on every compared hardware. All points go to the worker in batched calls.
import { DownloadCsv } from '../components/download-csv.tsx';
import { NumberField } from '../components/field.tsx';
import { ChartFrame, LatencyChart, ParetoChart, ThroughputChart } from '../components/lazy-charts.tsx';
import type { Catalog } from '../core/protocol.ts';
import { useMetrics } from '../hooks/use-estimates.ts';
import { PARETO_COSTS, SWEEP_AXES, type AppState } from '../state/app-state.ts';
import { SWEEP_LABELS, SWEEP_VALUES, dollarsPerMillionTokens, feasible, firstLeftOut, paretoGrid, sweepRequests } from '../state/sweeps.ts';
import type { Update } from '../state/use-url-state.ts';
import { hardwareName } from './compare-view.tsx';

const FIELD_NAMES = { batch: 'batch', context: 'input_tokens', tp: 'tp' } as const;

export function SweepView({ state, update, catalog }: { state: AppState; update: Update; catalog: Catalog }) {
  const axis = state.sweepAxis;
  const xs = SWEEP_VALUES[axis];
  const line = useMetrics(sweepRequests(state));
  const grid = paretoGrid(state);
  const pareto = useMetrics(grid.requests);
  const fits = feasible(xs, line.value);
  const points = fits.map(({ cell: x, m }) => ({ x, ...m }));
  const dropped = xs.filter((x) => !points.some((p) => p.x === x));
  const first = firstLeftOut(xs, line.value);
  const price = (id: string): number => state.prices[id] ?? 1;
  const costLabel = state.paretoCost === 'energy' ? 'energy per output token (J)' : '$ per million output tokens';
  const design = feasible(grid.cells, pareto.value).map(({ cell, m }) => ({
    hardware: hardwareName(cell.hardware, catalog, state), batch: cell.batch, tp: cell.tp, value: m.outputTokensPerS,
    cost: state.paretoCost === 'energy' ? m.energyJPerToken : dollarsPerMillionTokens(m, price(cell.hardware)),
  }));
  const hardware = [...new Set(grid.cells.map((c) => c.hardware))];
  return (
    <div className="view" data-view="sweep">
      <div className="segmented" role="radiogroup" aria-label="sweep axis">
        {SWEEP_AXES.map((a) => (
          <label key={a}>
            <input type="radio" name="sweep-axis" value={a} checked={axis === a} onChange={() => update((s) => ({ ...s, sweepAxis: a }))} />
            {a === 'tp' ? 'TP' : a}
          </label>
        ))}
      </div>
      {first ? (
        <p className="hint" data-left-out>
          Left out: {SWEEP_LABELS[axis].split(' (')[0]} {dropped.join(', ')} (at {first.cell}: {first.reason}).
        </p>
      ) : null}
      <div className="two-up" aria-busy={line.stale}>
        <ChartFrame title="Latency" height={280}>{points.length ? <LatencyChart points={points} xLabel={SWEEP_LABELS[axis]} /> : null}</ChartFrame>
        <ChartFrame title="Throughput" height={280}>{points.length ? <ThroughputChart points={points} xLabel={SWEEP_LABELS[axis]} /> : null}</ChartFrame>
      </div>
      <DownloadCsv name={`genz-sweep-${axis}.csv`} header={[FIELD_NAMES[axis], 'ttft_s', 'tpot_s', 'output_tokens_per_s', 'output_tokens_per_s_per_device', 'energy_j_per_token', 'devices']}
        rows={points.map((p) => [p.x, p.ttftS, p.tpotS, p.outputTokensPerS, p.outputTokensPerSPerDevice, p.energyJPerToken, p.devices])} />
      <h3>Pareto: whole-system tokens/s against {state.paretoCost === 'energy' ? 'energy' : 'money'} per token</h3>
      <p className="hint">Every batch from 1 to 256 and TP 1, 2, 4, 8 that fits, on the chosen hardware and those in Compare; circled: the frontier.
        {state.scenario.engine === 'cycle' ? ' Priced by the roofline engine (the cycle engine takes about a second per point); the curves above use the cycle engine.' : ''}</p>
      <div className="segmented" role="radiogroup" aria-label="cost axis">
        {PARETO_COSTS.map((c) => (
          <label key={c}>
            <input type="radio" name="pareto-cost" value={c} checked={state.paretoCost === c} onChange={() => update((s) => ({ ...s, paretoCost: c }))} />
            {c === 'energy' ? 'energy per token' : 'money per token'}
          </label>
        ))}
      </div>
      {state.paretoCost === 'cost' ? (
        <div className="prices">
          {hardware.map((id) => (
            <NumberField key={id} name={`price-${id}`} label={`${hardwareName(id, catalog, state)} $/device-hour`} value={price(id)}
              onChange={(v) => update((s) => ({ ...s, prices: { ...s.prices, [id]: v ?? 1 } }))} />
          ))}
        </div>
      ) : null}
      <ChartFrame title="Design points" height={380}>
        {design.length ? <ParetoChart points={design} costLabel={costLabel} /> : null}
      </ChartFrame>
      <DownloadCsv name="genz-pareto.csv" header={['hardware', 'batch', 'tp', 'output_tokens_per_s', state.paretoCost === 'energy' ? 'energy_j_per_token' : 'dollars_per_million_tokens']}
        rows={design.map((d) => [d.hardware, d.batch, d.tp, d.value, d.cost])} />
    </div>
  );
}
