// The user's JSON, pretty-printed, with each problem written next to the line of the field it is about; the
// first such line is scrolled into view.
import { useEffect, useRef } from 'react';
import { pathText } from '../core/problems.ts';
import type { GenzProblem } from '../core/protocol.ts';
import { jsonLines, lineOf } from '../format/json-lines.ts';

export function JsonAnnotated({ value, problems }: { value: unknown; problems: GenzProblem[] }) {
  const box = useRef<HTMLPreElement>(null);
  const lines = jsonLines(value);
  const notes = new Map<number, string[]>();
  for (const p of problems) {
    const at = lineOf(lines, p.path);
    notes.set(at, [...(notes.get(at) ?? []), `${pathText(p.path)}: ${p.message}`]);
  }
  useEffect(() => {
    const pre = box.current;
    const bad = pre?.querySelector<HTMLElement>('.bad');
    if (pre && bad) pre.scrollTop = Math.max(0, bad.offsetTop - pre.offsetTop - 48);
  }, [value, problems]);
  return (
    <pre ref={box} className="json-annotated" aria-label="uploaded JSON with problems marked">
      {lines.map((line, i) => {
        const note = notes.get(i);
        return (
          <div key={i} className={note ? 'bad' : undefined}>
            <span>{line.text}</span>
            {note ? <span className="note">▲ {note.join('; ')}</span> : null}
          </div>
        );
      })}
    </pre>
  );
}
