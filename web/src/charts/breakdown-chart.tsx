// Stacked per-operator breakdown of prefill and one decode step, by operator block (attention, MLP, …).
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import type { EstimateReport, OpReport } from '../core/protocol.ts';
import { BLOCK_COLORS } from '../format/palette.ts';
import { formatPercent, formatSeconds } from '../format/units.ts';
import { AXIS_STYLE } from './axis.ts';

const BLOCKS = Object.keys(BLOCK_COLORS);

type Row = { phase: string; totalS: number } & Record<string, number | string>;

function row(phase: string, ops: OpReport[]): Row {
  const out: Row = { phase, totalS: 0 };
  for (const op of ops) {
    out[op.block] = ((out[op.block] as number | undefined) ?? 0) + op.latencyS;
    out.totalS += op.latencyS;
  }
  return out;
}

function Tip({ active, payload }: TooltipContentProps) {
  const r = payload?.[0]?.payload as Row | undefined;
  if (!active || !r) return null;
  return (
    <div className="tip">
      <strong>{r.phase}</strong> · {formatSeconds(r.totalS)} of operator time
      {BLOCKS.filter((b) => typeof r[b] === 'number').map((b) => (
        <div key={b}><span className="swatch" style={{ background: BLOCK_COLORS[b] }} />{b}: {formatSeconds(r[b] as number)} ({formatPercent((r[b] as number) / r.totalS)})</div>
      ))}
    </div>
  );
}

export default function BreakdownChart({ report }: { report: EstimateReport }) {
  const data = [row('prefill', report.prefill.ops), row('decode step', report.decode.ops)];
  const used = BLOCKS.filter((b) => data.some((r) => typeof r[b] === 'number' && (r[b] as number) > 0));
  return (
    <ResponsiveContainer width="100%" height={190}>
      <BarChart data={data} layout="vertical" stackOffset="expand" margin={{ top: 4, right: 24, bottom: 24, left: 8 }}>
        <CartesianGrid horizontal={false} stroke="#ddd" />
        <XAxis type="number" tickFormatter={(v: number) => `${Math.round(v * 100)} %`} tick={AXIS_STYLE}
          label={{ value: 'share of operator time in the phase', position: 'insideBottom', offset: -12, ...AXIS_STYLE }} />
        <YAxis type="category" dataKey="phase" width={96} tick={AXIS_STYLE} />
        <Tooltip content={(p) => <Tip {...p} />} />
        <Legend verticalAlign="top" height={24} />
        {used.map((b) => <Bar key={b} dataKey={b} name={b} stackId="ops" fill={BLOCK_COLORS[b]} isAnimationActive={false} />)}
      </BarChart>
    </ResponsiveContainer>
  );
}
