// Upload or paste a device/system JSON or a model config (Hugging Face config.json or genz's own). The worker
// checks it with the same zod schemas as the CLI; problems show at the field, with their path.
import { useState } from 'react';
import { checkSpec } from '../core/client.ts';
import { pathText } from '../core/problems.ts';
import type { GenzProblem, SpecKind } from '../core/protocol.ts';
import { CUSTOM } from '../state/app-state.ts';
import type { Update } from '../state/use-url-state.ts';
import { FieldErrors } from './field.tsx';
import { JsonAnnotated } from './json-annotated.tsx';

const HINT: Record<SpecKind, string> = {
  hardware: 'a device or system JSON (see `genz hardware schema`)',
  model: 'a Hugging Face config.json or a genz model config',
};

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function UploadPanel({ update }: { update: Update }) {
  const [kind, setKind] = useState<SpecKind>('hardware');
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<GenzProblem[]>([]);
  const [accepted, setAccepted] = useState('');

  const check = async (source: string): Promise<void> => {
    setAccepted('');
    const outcome = await checkSpec(kind, source);
    if (!outcome.ok) {
      setProblems(outcome.problems);
      return;
    }
    setProblems([]);
    setAccepted(`using ${outcome.value.summary}`);
    const spec = outcome.value.value;
    update((st) => (kind === 'hardware'
      ? { ...st, hardware: CUSTOM, customHardware: spec, overrides: {} }
      : { ...st, model: CUSTOM, customModel: spec, overrides: {}, scenario: spec.kind === 'vlm' ? st.scenario : { ...st.scenario, images: undefined } }));
  };

  const onFile = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    const content = await file.text();
    setText(content);
    await check(content);
  };

  const json = problems.length > 0 ? parsed(text) : undefined;
  return (
    <section className="panel upload" aria-label="upload">
      <h2>Your own spec</h2>
      <div className="segmented" role="radiogroup" aria-label="spec kind">
        {(['hardware', 'model'] as const).map((k) => (
          <label key={k}>
            <input type="radio" name="spec-kind" value={k} checked={kind === k}
              onChange={() => { setKind(k); setProblems([]); setAccepted(''); }} />
            {k}
          </label>
        ))}
      </div>
      <label className={`field${problems.length ? ' invalid' : ''}`}>
        <span className="field-label">upload {HINT[kind]}</span>
        <input type="file" name="spec-file" accept=".json,application/json" onChange={(e) => void onFile(e.target.files?.[0])} />
      </label>
      <label className={`field${problems.length ? ' invalid' : ''}`}>
        <span className="field-label">or paste it</span>
        <textarea name="spec-text" rows={5} value={text} spellCheck={false} aria-invalid={problems.length > 0}
          placeholder='{ "id": "my-npu", … }' onChange={(e) => setText(e.target.value)} />
        <FieldErrors messages={problems.map((p) => `${pathText(p.path)}: ${p.message}`)} />
      </label>
      <button type="button" onClick={() => void check(text)} disabled={text.trim() === ''}>Check and use</button>
      {accepted ? <p className="ok" role="status">✓ {accepted}</p> : null}
      {json !== undefined ? <JsonAnnotated value={json} problems={problems} /> : null}
    </section>
  );
}
