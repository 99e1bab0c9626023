// Several devices or systems side by side: one small bar chart per metric, each with its own unit.
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { seriesColor } from '../format/palette.ts';
import { formatEnergy, formatSeconds, formatTokensPerS } from '../format/units.ts';
import { AXIS_STYLE } from './axis.ts';

export interface CompareRow {
  /** Short label under a bar (the preset id). */
  id: string;
  name: string;
  ttftS: number;
  tpotS: number;
  outputTokensPerS: number;
  energyJPerToken: number;
}

const PANELS: { key: keyof Omit<CompareRow, 'name'>; title: string; format: (x: number) => string }[] = [
  { key: 'ttftS', title: 'TTFT (lower is better)', format: formatSeconds },
  { key: 'tpotS', title: 'TPOT (lower is better)', format: formatSeconds },
  { key: 'outputTokensPerS', title: 'output tokens/s (higher is better)', format: formatTokensPerS },
  { key: 'energyJPerToken', title: 'energy per token (lower is better)', format: formatEnergy },
];

export default function CompareChart({ rows }: { rows: CompareRow[] }) {
  return (
    <div className="small-multiples">
      {PANELS.map((panel) => (
        <figure key={panel.key}>
          <figcaption>{panel.title}</figcaption>
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={rows} margin={{ top: 4, right: 12, bottom: 4, left: 12 }}>
              <CartesianGrid vertical={false} stroke="#e4e4e4" />
              <XAxis dataKey="id" tick={{ ...AXIS_STYLE, fontSize: 11 }} interval={0} />
              <YAxis tickFormatter={panel.format} tick={AXIS_STYLE} width={80} />
              <Tooltip formatter={(v) => panel.format(Number(v))}
                labelFormatter={(id) => rows.find((r) => r.id === id)?.name ?? String(id)} />
              <Bar dataKey={panel.key} name={panel.title.split(' (')[0]} isAnimationActive={false}>
                {rows.map((r, i) => <Cell key={r.name} fill={seriesColor(i)} />)}
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        </figure>
      ))}
    </div>
  );
}
