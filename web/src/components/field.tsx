// Labelled inputs that show their problems in place (red text under the field, aria-invalid on the input).
import { useEffect, useId, useState, type ReactNode } from 'react';

export function FieldErrors({ messages, id }: { messages: string[]; id?: string }) {
  if (messages.length === 0) return null;
  return (
    <div className="field-error" role="alert" id={id}>
      {messages.map((m) => <div key={m}>{m}</div>)}
    </div>
  );
}

interface NumberFieldProps {
  label: string;
  /** SI value; shown divided by `factor`. */
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  factor?: number;
  unit?: string;
  placeholder?: string;
  errors?: string[];
  name: string;
  title?: string;
  /** An empty box means "default" (undefined) instead of an error. */
  optional?: boolean;
}

const shown = (value: number | undefined, factor: number): string =>
  value === undefined || Number.isNaN(value) ? '' : String(Number((value / factor).toPrecision(6)));

/** The SI value of `text` shown in units of `factor`; small factors divide by their whole inverse, so 35 % is 0.35, not 0.35000000000000003. */
const toSi = (text: string, factor: number): number => (factor >= 1 ? Number(text) * factor : Number(text) / Math.round(1 / factor));

export function NumberField({ label, value, onChange, factor = 1, unit, placeholder, errors = [], name, title, optional }: NumberFieldProps) {
  const id = useId();
  const [text, setText] = useState(() => shown(value, factor));
  useEffect(() => {
    setText((current) => (current.trim() !== '' && toSi(current, factor) === value ? current : shown(value, factor)));
  }, [value, factor]);
  return (
    <label className={`field${errors.length ? ' invalid' : ''}`} title={title}>
      <span className="field-label">{label}</span>
      <span className="field-input">
        <input
          name={name} inputMode="decimal" value={text} placeholder={placeholder} aria-invalid={errors.length > 0}
          aria-describedby={errors.length ? `${id}-err` : undefined}
          onChange={(e) => {
            setText(e.target.value);
            const t = e.target.value.trim();
            onChange(t === '' && optional ? undefined : toSi(t, factor));
          }}
        />
        {unit ? <span className="unit">{unit}</span> : null}
      </span>
      <FieldErrors messages={errors} id={`${id}-err`} />
    </label>
  );
}

interface SelectFieldProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  errors?: string[];
  children: ReactNode;
}

export function SelectField({ label, name, value, onChange, errors = [], children }: SelectFieldProps) {
  return (
    <label className={`field${errors.length ? ' invalid' : ''}`}>
      <span className="field-label">{label}</span>
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={errors.length > 0}>
        {children}
      </select>
      <FieldErrors messages={errors} />
    </label>
  );
}
