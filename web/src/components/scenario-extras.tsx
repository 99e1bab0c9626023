// The scenario inputs past the basics: how operators are priced (calibration), images for a vision-language
// model, and speculative decoding with a draft model. Problems the core reports land on their field.
import type { Catalog, GenzProblem } from '../core/protocol.ts';
import { problemsAt } from '../core/problems.ts';
import { formatCount } from '../format/units.ts';
import { CALIBRATIONS, DEFAULT_SPECULATIVE, ENGINES, FRAMEWORKS, LOW_BIT_KERNELS, type AppState, type Calibration, type Engine, type Framework, type LowBitKernelChoice, type ScenarioState } from '../state/app-state.ts';
import { isCpuHardware, isMixtureOfExperts, isVisionLanguage } from '../state/requests.ts';
import { NumberField, SelectField } from './field.tsx';

interface Props {
  state: AppState;
  setScenario: (change: Partial<ScenarioState>) => void;
  catalog: Catalog | undefined;
  problems: GenzProblem[] | undefined;
}

const CALIBRATION_LABELS: Record<Calibration, string> = {
  default: "the device's calibration profile",
  none: 'efficiency factors only',
};

const FRAMEWORK_LABELS: Record<Framework, string> = {
  none: 'none (kernels only)',
  vllm: 'vLLM',
  'tensorrt-llm': 'TensorRT-LLM',
  'deepspeed-mii': 'DeepSpeed-MII',
  'llama.cpp': 'llama.cpp',
};

const KERNEL_LABELS: Record<LowBitKernelChoice, string> = {
  dequant: 'dequantize + multiply-add (llama.cpp)',
  lut: 'table lookups, 1–4-bit weights (T-MAC)',
};

const ENGINE_LABELS: Record<Engine, string> = {
  roofline: 'roofline (analytical)',
  cycle: 'cycle-level simulator (slower)',
};

export function ScenarioExtras({ state, setScenario, catalog, problems }: Props) {
  const s = state.scenario;
  const spec = s.speculative;
  const showImages = isVisionLanguage(state, catalog) || s.images !== undefined;
  const cpu = isCpuHardware(state, catalog);
  const showIdentical = isMixtureOfExperts(state, catalog) || s.identicalPrompts === true;
  // Drafts are decoder models (a VLM cannot draft); an unknown id from a link stays listed so its error shows.
  const drafts = (catalog?.models ?? []).filter((m) => !m.vlm);
  const listed = !spec || drafts.some((m) => m.id === spec.draft);
  return (
    <>
      <SelectField label="cost engine" name="engine" value={s.engine} errors={problemsAt(problems, ['engine'])}
        onChange={(v) => setScenario({ engine: v as Engine })}>
        {ENGINES.map((e) => <option key={e} value={e}>{ENGINE_LABELS[e]}</option>)}
      </SelectField>
      <SelectField label="serving framework (host time, all-reduce, KV re-reads)" name="framework" value={s.framework} errors={problemsAt(problems, ['framework'])}
        onChange={(v) => setScenario({ framework: v as Framework })}>
        {FRAMEWORKS.map((f) => <option key={f} value={f}>{FRAMEWORK_LABELS[f]}</option>)}
      </SelectField>
      {s.engine === 'roofline' ? (
        <SelectField label="operator pricing" name="calibration" value={s.calibration} errors={problemsAt(problems, ['calibration'])}
          onChange={(v) => setScenario({ calibration: v as Calibration })}>
          {CALIBRATIONS.map((c) => <option key={c} value={c}>{CALIBRATION_LABELS[c]}</option>)}
        </SelectField>
      ) : null}
      {cpu ? (
        <div className="grid-2">
          <NumberField name="threads" label="CPU threads" value={s.threads} optional placeholder="all cores"
            errors={problemsAt(problems, ['threads'])} onChange={(threads) => setScenario({ threads })} />
          <SelectField label="low-bit kernel (sub-8-bit weights)" name="lowBitKernel" value={s.lowBitKernel ?? 'dequant'} errors={problemsAt(problems, ['lowBitKernel'])}
            onChange={(v) => setScenario({ lowBitKernel: v === 'dequant' ? undefined : v as LowBitKernelChoice })}>
            {LOW_BIT_KERNELS.map((k) => <option key={k} value={k}>{KERNEL_LABELS[k]}</option>)}
          </SelectField>
        </div>
      ) : null}
      {showIdentical ? (
        <label className="check">
          <input type="checkbox" name="identicalPrompts" checked={s.identicalPrompts === true}
            onChange={(e) => setScenario({ identicalPrompts: e.target.checked ? true : undefined })} />
          identical prompts (a benchmark repeating one: the experts route them alike)
        </label>
      ) : null}
      {showImages ? (
        <NumberField name="images" label="images per sequence (vision-language model)" value={s.images} optional placeholder="1"
          errors={problemsAt(problems, ['images'])} onChange={(images) => setScenario({ images })} />
      ) : null}
      <label className="check">
        <input type="checkbox" name="speculative" checked={spec !== undefined}
          onChange={(e) => setScenario({ speculative: e.target.checked ? { ...DEFAULT_SPECULATIVE } : undefined })} />
        speculative decoding (draft model)
      </label>
      {spec ? (
        <fieldset className="speculative">
          <SelectField label="draft model" name="draft" value={spec.draft} errors={problemsAt(problems, ['speculative', 'draft'])}
            onChange={(draft) => setScenario({ speculative: { ...spec, draft } })}>
            {listed ? null : <option value={spec.draft}>{spec.draft}</option>}
            {drafts.map((m) => <option key={m.id} value={m.id}>{m.name} ({formatCount(m.params)})</option>)}
          </SelectField>
          <div className="grid-2">
            <NumberField name="acceptance" label="acceptance α (0–1)" value={spec.acceptance}
              errors={problemsAt(problems, ['speculative', 'acceptance'])}
              onChange={(acceptance) => setScenario({ speculative: { ...spec, acceptance: acceptance ?? Number.NaN } })} />
            <NumberField name="gamma" label="drafts per step γ" value={spec.gamma} optional placeholder="4"
              errors={problemsAt(problems, ['speculative', 'gamma'])}
              onChange={(gamma) => setScenario({ speculative: gamma === undefined ? { draft: spec.draft, acceptance: spec.acceptance } : { ...spec, gamma } })} />
          </div>
        </fieldset>
      ) : null}
    </>
  );
}
