// One what-if knob: a slider (a factor on the preset, or the value on a log scale), the value in display
// units, the preset value, and a reset. Problems the core reports for this value show under it.
import { UNITS } from '../format/units.ts';
import { fromSlider, toSlider, type Knob } from '../state/knobs.ts';
import { NumberField } from './field.tsx';

interface Props {
  knob: Knob;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  errors: string[];
}

export function KnobRow({ knob, value, onChange, errors }: Props) {
  const unit = UNITS[knob.unit];
  const current = value ?? knob.base;
  const changed = value !== undefined && value !== knob.base;
  return (
    <div className={`knob${changed ? ' changed' : ''}`} data-knob={knob.key} title={knob.source ? `preset source: ${knob.source}` : undefined}>
      <NumberField name={knob.key} label={knob.label} value={current} factor={unit.factor} unit={unit.label} errors={errors}
        onChange={(v) => onChange(v)} />
      <input type="range" min={0} max={1000} step={1} value={toSlider(knob, current)} aria-label={`${knob.label} slider`}
        onChange={(e) => onChange(fromSlider(knob, Number(e.target.value)))} />
      <div className="knob-base">
        preset {unit.format(knob.base)}
        {knob.source ? <span className="source" title={`source: ${knob.source}`} aria-label="source">i</span> : null}
        {changed ? <button type="button" className="link" onClick={() => onChange(undefined)}>reset</button> : null}
      </div>
    </div>
  );
}
