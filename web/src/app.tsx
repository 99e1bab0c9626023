// The explorer's frame: view tabs, the shared inputs, and the chosen view. All state comes from the URL.
import { InputsPanel } from './components/inputs-panel.tsx';
import { ProblemsBanner } from './components/problems.tsx';
import { UploadPanel } from './components/upload-panel.tsx';
import { useCatalog } from './hooks/use-catalog.ts';
import { useReports } from './hooks/use-estimates.ts';
import { VIEWS, VIEW_LABELS, type AppState } from './state/app-state.ts';
import { baseRequest } from './state/requests.ts';
import { useUrlState, type Update } from './state/use-url-state.ts';
import type { Catalog, EstimateReport } from './core/protocol.ts';
import { CompareView } from './views/compare-view.tsx';
import { EstimateView } from './views/estimate-view.tsx';
import { RooflineView } from './views/roofline-view.tsx';
import { SweepView } from './views/sweep-view.tsx';
import { WhatIfView } from './views/whatif-view.tsx';

function Body({ state, update, catalog, report }: { state: AppState; update: Update; catalog?: Catalog; report?: EstimateReport }) {
  switch (state.view) {
    case 'estimate':
      return report ? <EstimateView report={report} /> : null;
    case 'roofline':
      return report ? <RooflineView report={report} state={state} update={update} /> : null;
    case 'whatif':
      return catalog ? <WhatIfView state={state} update={update} catalog={catalog} /> : null;
    case 'compare':
      return catalog ? <CompareView state={state} update={update} catalog={catalog} /> : null;
    case 'sweep':
      return catalog ? <SweepView state={state} update={update} catalog={catalog} /> : null;
  }
}

export function App() {
  const [state, update] = useUrlState();
  const catalog = useCatalog();
  const { value, stale } = useReports([baseRequest(state)]);
  const outcome = value?.[0];
  const problems = outcome && !outcome.ok ? outcome.problems : undefined;
  return (
    <div className="app">
      <header>
        <h1>genz <span>what-if explorer</span></h1>
        <nav aria-label="views">
          {VIEWS.map((v) => (
            <button key={v} type="button" className={v === state.view ? 'active' : undefined} aria-current={v === state.view ? 'page' : undefined}
              data-tab={v} onClick={() => update((s) => ({ ...s, view: v }))}>
              {VIEW_LABELS[v]}
            </button>
          ))}
        </nav>
      </header>
      <aside>
        <InputsPanel state={state} update={update} catalog={catalog} problems={problems} />
        <UploadPanel update={update} />
      </aside>
      <main aria-busy={stale}>
        {problems ? <ProblemsBanner problems={problems} /> : null}
        {!value ? <p className="loading">Loading the genz core…</p> : null}
        <Body state={state} update={update} catalog={catalog} report={outcome?.ok ? outcome.value : undefined} />
      </main>
      <footer>
        genz runs in a Web Worker in this page: no server. Units: SI prefixes (1 GB = 10⁹ B). Colours: Okabe–Ito.
      </footer>
    </div>
  );
}
