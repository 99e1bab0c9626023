// What-if: move any hardware, model or scenario parameter and see the result and its change against the
// unmodified preset, live (both estimates go to the worker in one call; slider drags coalesce).
import { KnobRow } from '../components/knob-row.tsx';
import { MetricCards } from '../components/metric-cards.tsx';
import { ProblemsBanner, ReportNotes } from '../components/problems.tsx';
import { ReportTitle } from '../components/report-title.tsx';
import { problemsAt } from '../core/problems.ts';
import type { Catalog } from '../core/protocol.ts';
import { useReports } from '../hooks/use-estimates.ts';
import type { AppState } from '../state/app-state.ts';
import type { KnobGroup } from '../state/knobs.ts';
import { whatIf } from '../state/requests.ts';
import type { Update } from '../state/use-url-state.ts';

const GROUPS: [KnobGroup, string][] = [['hardware', 'Hardware'], ['model', 'Model'], ['scenario', 'Scenario']];

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
        {problems ? <ProblemsBanner problems={problems} /> : null}
        {base && !base.ok ? <ProblemsBanner problems={base.problems} /> : null}
      </div>
      <div className="whatif-toolbar">
        <span>{count === 0 ? 'No overrides: move a slider.' : `${count} override${count > 1 ? 's' : ''} against the preset.`}</span>
        <button type="button" disabled={count === 0} onClick={() => update((s) => ({ ...s, overrides: {} }))}>Reset all</button>
      </div>
      <div className="knob-groups">
        {GROUPS.map(([group, title]) => (
          <fieldset key={group}>
            <legend>{title}</legend>
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
