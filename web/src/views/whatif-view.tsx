// What-if: move any hardware, model or scenario parameter and see the result and its change against the
// unmodified preset, live (both estimates go to the worker in one call; slider drags coalesce).
import { KnobRow } from '../components/knob-row.tsx';
import { MetricCards } from '../components/metric-cards.tsx';
import { ProblemsBanner, ReportNotes } from '../components/problems.tsx';
import { ReportTitle } from '../components/report-title.tsx';
import { problemsAt } from '../core/problems.ts';
import type { Catalog, EstimateReport } from '../core/protocol.ts';
import { useReports } from '../hooks/use-estimates.ts';
import type { AppState } from '../state/app-state.ts';
import { overridesFor } from '../state/efficiency-knobs.ts';
import type { KnobGroup } from '../state/knobs.ts';
import { whatIf } from '../state/requests.ts';
import type { Update } from '../state/use-url-state.ts';

const GROUPS: [KnobGroup, string][] = [['hardware', 'Hardware'], ['model', 'Model'], ['scenario', 'Scenario'], ['efficiency', 'Efficiency factors']];

type CurveError = NonNullable<EstimateReport['inputs']['calibration']>['heldOutError'][number];

/** The curves' kernel-time error on the measurements their profiles held out, as the CLI's estimate gives it. */
function CurveErrors({ errors }: { errors: readonly CurveError[] }) {
  if (errors.length === 0) return null;
  const text = errors.map((e) => `${e.deviceId === errors[0]!.deviceId ? '' : `${e.deviceId} `}${e.family}${e.dtype ? ` ${e.dtype}` : ''}${e.alignment ? ` ${e.alignment}` : ''}`
    + `${e.pricing ? ` (pricing ${e.pricing}: no ${e.pricing} curve)` : ''} ${e.medianAbsPctError.toFixed(1)} / ${e.p90AbsPctError.toFixed(1)} % (${e.heldOutRows} rows)`);
  return <span className="curve-errors">Their kernel-time error on {errors[0]!.deviceId} measurements the fit held out, median / p90: {text.join(', ')}.{' '}</span>;
}

/** What the efficiency factors price: everything, or what the device's calibration profile leaves to them. */
function EfficiencyNote({ report, state, update, catalog }: { report?: EstimateReport; state: AppState; update: Update; catalog: Catalog }) {
  const calibration = report?.inputs.calibration;
  const ideal = (): void => update((s) => ({
    ...s, scenario: { ...s.scenario, calibration: 'none' },
    overrides: { ...s.overrides, ...overridesFor(catalog.efficiency.ideal, catalog.efficiency.defaults) },
  }));
  return (
    <div className="hint efficiency-note">
      {calibration ? (
        <>
          The {calibration.profile} calibration profile prices the {calibration.families.join(', ')} operators; these factors price the rest.{' '}
          <CurveErrors errors={calibration.heldOutError} />
          <button type="button" className="link" onClick={() => update((s) => ({ ...s, scenario: { ...s.scenario, calibration: 'none' } }))}>
            Price everything with the factors
          </button>
        </>
      ) : state.scenario.calibration === 'none' ? 'Calibration is off: these factors price every operator.' : 'No calibration profile for this device: these factors price every operator.'}
      {' '}<button type="button" className="link" onClick={ideal}>Ideal roofline (efficiency 1, no overheads)</button>
    </div>
  );
}

export function WhatIfView({ state, update, catalog }: { state: AppState; update: Update; catalog: Catalog }) {
  const plan = whatIf(state, catalog);
  const { value, stale } = useReports([plan.base, plan.modified]);
  const [base, modified] = value ?? [];
  const problems = modified && !modified.ok ? modified.problems : undefined;
  const setOverride = (key: string, v: number | undefined): void => update((s) => {
    const overrides = { ...s.overrides };
    if (v === undefined) delete overrides[key];
    else overrides[key] = v;
    return { ...s, overrides };
  });
  const count = Object.keys(state.overrides).length;
  return (
    <div className="view whatif" data-view="whatif">
      <div className="whatif-results" aria-busy={stale}>
        {base?.ok && modified?.ok ? (
          <>
            <ReportTitle report={modified.value} />
            <ReportNotes report={modified.value} />
            <MetricCards report={modified.value} base={base.value} />
          </>
        ) : null}
        {/* A base that fails is reported by the app's banner (its problems are the what-if's too); only the what-if's own are added. */}
        {problems && base?.ok ? <ProblemsBanner problems={problems} /> : null}
      </div>
      <div className="whatif-toolbar">
        <span>{count === 0 ? 'No overrides: move a slider.' : `${count} override${count > 1 ? 's' : ''} against the preset.`}</span>
        <button type="button" disabled={count === 0} onClick={() => update((s) => ({ ...s, overrides: {} }))}>Reset all</button>
      </div>
      <div className="knob-groups">
        {GROUPS.map(([group, title]) => (
          <fieldset key={group}>
            <legend>{title}</legend>
            {group === 'efficiency' ? <EfficiencyNote report={modified?.ok ? modified.value : undefined} state={state} update={update} catalog={catalog} /> : null}
            {plan.knobs.filter((k) => k.group === group).map((knob) => (
              <KnobRow key={knob.key} knob={knob} value={state.overrides[knob.key]} errors={problemsAt(problems, knob.path)}
                onChange={(v) => setOverride(knob.key, v)} />
            ))}
          </fieldset>
        ))}
      </div>
    </div>
  );
}
