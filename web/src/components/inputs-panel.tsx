// The shared inputs: model, hardware and serving scenario. Problems the core reports land on their field.
import type { Catalog, GenzProblem } from '../core/protocol.ts';
import { problemsAt } from '../core/problems.ts';
import { formatCount } from '../format/units.ts';
import { CUSTOM, DTYPES, type AppState, type ScenarioState } from '../state/app-state.ts';
import type { Update } from '../state/use-url-state.ts';
import { isCpuHardware, isMixtureOfExperts, isVisionLanguage } from '../state/requests.ts';
import { NumberField, SelectField } from './field.tsx';
import { ScenarioExtras } from './scenario-extras.tsx';

interface Props {
  state: AppState;
  update: Update;
  catalog: Catalog | undefined;
  problems: GenzProblem[] | undefined;
}

const customName = (spec: Record<string, unknown> | undefined): string =>
  typeof spec?.name === 'string' ? spec.name : typeof spec?.id === 'string' ? spec.id : 'uploaded';

export function ModelOptions({ catalog, state }: { catalog: Catalog | undefined; state: AppState }) {
  const models = catalog?.models ?? [];
  // An id the presets do not have (from a link) stays selected, so the core's "unknown model" shows at the field.
  const listed = models.some((m) => m.id === state.model) || (state.model === CUSTOM && state.customModel);
  return (
    <>
      {listed ? null : <option value={state.model}>{state.model}</option>}
      {state.customModel ? <option value={CUSTOM}>uploaded: {customName(state.customModel)}</option> : null}
      {models.map((m) => <option key={m.id} value={m.id}>{m.name} ({formatCount(m.params)} params)</option>)}
    </>
  );
}

export function HardwareOptions({ catalog, state }: { catalog: Catalog | undefined; state: AppState }) {
  const id = state.hardware;
  const listed = id === '' || (id === CUSTOM && state.customHardware)
    || catalog?.devices.some((d) => d.id === id) || catalog?.systems.some((s) => s.id === id);
  return (
    <>
      {listed ? null : <option value={id}>{id}</option>}
      {state.customHardware ? <option value={CUSTOM}>uploaded: {customName(state.customHardware)}</option> : null}
      <optgroup label="Devices">
        {catalog?.devices.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
      </optgroup>
      <optgroup label="Systems">
        {catalog?.systems.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
      </optgroup>
    </>
  );
}

export function InputsPanel({ state, update, catalog, problems }: Props) {
  const s = state.scenario;
  const setScenario = (change: Partial<ScenarioState>): void => update((st) => ({ ...st, scenario: { ...st.scenario, ...change } }));
  const num = (field: 'batch' | 'inputTokens' | 'outputTokens' | 'tp' | 'pp', label: string, unit?: string) => (
    <NumberField
      name={field} label={label} value={s[field]} unit={unit} errors={problemsAt(problems, [field])}
      onChange={(v) => setScenario({ [field]: v ?? Number.NaN })}
    />
  );
  return (
    <section className="panel inputs" aria-label="inputs">
      <h2>Model and hardware</h2>
      <SelectField label="model" name="model" value={state.model} errors={problemsAt(problems, ['model'])}
        onChange={(model) => update((st) => {
          // Images apply to vision-language models only, identical prompts to mixtures of experts: a model without
          // them drops them.
          const next = { ...st, model };
          if (!catalog) return next;
          const scenario = { ...st.scenario };
          if (!isVisionLanguage(next, catalog)) scenario.images = undefined;
          if (!isMixtureOfExperts(next, catalog)) scenario.identicalPrompts = undefined;
          return { ...next, scenario };
        })}>
        <ModelOptions catalog={catalog} state={state} />
      </SelectField>
      <SelectField label="device or system" name="hardware" value={state.hardware} errors={problemsAt(problems, ['hardware'])}
        onChange={(hardware) => update((st) => {
          // Threads and the low-bit kernel apply to CPUs only: hardware that is not one drops them (and its link too).
          const next = { ...st, hardware };
          return catalog && !isCpuHardware(next, catalog) ? { ...next, scenario: { ...st.scenario, threads: undefined, lowBitKernel: undefined } } : next;
        })}>
        <HardwareOptions catalog={catalog} state={state} />
      </SelectField>
      <h2>Scenario</h2>
      <div className="grid-2">
        {num('batch', 'batch')}
        {num('tp', 'TP')}
        {num('inputTokens', 'input', 'tok')}
        {num('outputTokens', 'output', 'tok')}
        {num('pp', 'PP')}
        <SelectField label="dtype" name="dtype" value={s.dtype} errors={problemsAt(problems, ['dtype'])} onChange={(dtype) => setScenario({ dtype })}>
          {DTYPES.map((d) => <option key={d} value={d}>{d}</option>)}
        </SelectField>
        <NumberField name="wbits" label="weight bits" value={s.wbits} optional placeholder="auto" errors={problemsAt(problems, ['wbits'])}
          onChange={(wbits) => setScenario({ wbits })} />
        <NumberField name="kvbits" label="KV bits" value={s.kvbits} optional placeholder="auto" errors={problemsAt(problems, ['kvbits'])}
          onChange={(kvbits) => setScenario({ kvbits })} />
      </div>
      <label className="check">
        <input type="checkbox" name="flash" checked={s.flash} onChange={(e) => setScenario({ flash: e.target.checked })} />
        fused (flash) attention
      </label>
      <ScenarioExtras state={state} setScenario={setScenario} catalog={catalog} problems={problems} />
    </section>
  );
}
