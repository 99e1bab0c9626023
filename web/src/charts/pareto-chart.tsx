// Pareto scatter: output tokens/s against energy or money per token, one marker shape and colour per hardware,
// the frontier drawn through the points nothing beats.
import {
  CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, type TooltipContentProps,
} from 'recharts';
import { OKABE_ITO, seriesColor } from '../format/palette.ts';
import { formatCount, formatTokensPerS, trim } from '../format/units.ts';
import { paretoFrontier } from '../state/pareto.ts';
import { AXIS_STYLE, MARGIN, decadeDomain, decadeTicks } from './axis.ts';

export interface DesignPoint {
  hardware: string;
  batch: number;
  tp: number;
  cost: number;
  value: number;
}

const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'cross', 'star', 'wye'] as const;

function Tip({ active, payload, costLabel }: TooltipContentProps & { costLabel: string }) {
  const p = payload?.[0]?.payload as DesignPoint | undefined;
  if (!active || !p) return null;
  return (
    <div className="tip">
      <strong>{p.hardware}</strong> · batch {p.batch} · TP {p.tp}
      <div>{formatTokensPerS(p.value)} · {costLabel}: {trim(p.cost)}</div>
    </div>
  );
}

export default function ParetoChart({ points, costLabel }: { points: DesignPoint[]; costLabel: string }) {
  const groups = [...new Set(points.map((p) => p.hardware))];
  const frontier = paretoFrontier(points);
  const [xLo, xHi] = decadeDomain(points.map((p) => p.cost));
  const [yLo, yHi] = decadeDomain(points.map((p) => p.value));
  return (
    <ResponsiveContainer width="100%" height={380}>
      <ScatterChart margin={{ ...MARGIN, left: 30 }}>
        <CartesianGrid stroke="#e4e4e4" />
        <XAxis type="number" dataKey="cost" scale="log" domain={[xLo, xHi]} ticks={decadeTicks(xLo, xHi)} allowDataOverflow
          tickFormatter={(v: number) => trim(v)} tick={AXIS_STYLE}
          label={{ value: costLabel, position: 'insideBottom', offset: -22, ...AXIS_STYLE }} />
        <YAxis type="number" dataKey="value" scale="log" domain={[yLo, yHi]} ticks={decadeTicks(yLo, yHi)} allowDataOverflow
          tickFormatter={(v: number) => formatCount(v)} tick={AXIS_STYLE} width={64}
          label={{ value: 'output tokens/s', angle: -90, position: 'insideLeft', offset: -18, ...AXIS_STYLE }} />
        <Tooltip content={(p) => <Tip {...p} costLabel={costLabel} />} />
        <Legend verticalAlign="top" height={28} />
        {groups.map((g, i) => (
          <Scatter key={g} name={g} data={points.filter((p) => p.hardware === g)} fill={seriesColor(i)}
            shape={SHAPES[i % SHAPES.length]} isAnimationActive={false} />
        ))}
        <Scatter name="Pareto frontier" data={frontier} legendType="line" line={{ stroke: OKABE_ITO.black, strokeWidth: 1.5 }}
          lineType="joint" fill={OKABE_ITO.black} isAnimationActive={false}
          shape={(props: { cx?: number; cy?: number }) => <circle cx={props.cx} cy={props.cy} r={8} fill="none" stroke={OKABE_ITO.black} strokeWidth={1.5} />} />
      </ScatterChart>
    </ResponsiveContainer>
  );
}
