// Latency and throughput against one swept parameter (batch, context or TP), on log axes.
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { OKABE_ITO } from '../format/palette.ts';
import { formatCount, formatSeconds, formatTokensPerS } from '../format/units.ts';
import { AXIS_STYLE, MARGIN, binaryTicks, decadeDomain, decadeTicks } from './axis.ts';

export interface SweepPoint {
  x: number;
  ttftS: number;
  tpotS: number;
  outputTokensPerS: number;
  outputTokensPerSPerDevice: number;
  devices: number;
}

interface Props { points: SweepPoint[]; xLabel: string }

function xAxis(points: SweepPoint[], xLabel: string) {
  const xs = points.map((p) => p.x);
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return (
    <XAxis type="number" dataKey="x" scale="log" domain={[lo, hi]} ticks={binaryTicks(lo, hi)} tick={AXIS_STYLE}
      tickFormatter={(v: number) => formatCount(v)}
      label={{ value: xLabel, position: 'insideBottom', offset: -22, ...AXIS_STYLE }} />
  );
}

export function LatencyChart({ points, xLabel }: Props) {
  const [lo, hi] = decadeDomain(points.flatMap((p) => [p.ttftS, p.tpotS]));
  return (
    <ResponsiveContainer width="100%" height={280}>
      <LineChart data={points} margin={{ ...MARGIN, left: 30 }}>
        <CartesianGrid stroke="#e4e4e4" />
        {xAxis(points, xLabel)}
        <YAxis scale="log" domain={[lo, hi]} ticks={decadeTicks(lo, hi)} allowDataOverflow tickFormatter={formatSeconds} tick={AXIS_STYLE} width={70}
          label={{ value: 'time (log scale)', angle: -90, position: 'insideLeft', offset: -18, ...AXIS_STYLE }} />
        <Tooltip formatter={(v) => formatSeconds(Number(v))} labelFormatter={(x) => `${xLabel.split(' (')[0]} ${String(x)}`} />
        <Legend verticalAlign="top" height={26} />
        <Line dataKey="ttftS" name="TTFT" stroke={OKABE_ITO.blue} strokeWidth={2} isAnimationActive={false} />
        <Line dataKey="tpotS" name="TPOT" stroke={OKABE_ITO.vermillion} strokeWidth={2} strokeDasharray="6 3"
          dot={{ r: 3 }} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}

export function ThroughputChart({ points, xLabel }: Props) {
  const several = points.some((p) => p.devices > 1);
  return (
    <ResponsiveContainer width="100%" height={280}>
      <LineChart data={points} margin={{ ...MARGIN, left: 30 }}>
        <CartesianGrid stroke="#e4e4e4" />
        {xAxis(points, xLabel)}
        <YAxis tickFormatter={(v: number) => formatCount(v)} tick={AXIS_STYLE} width={60}
          label={{ value: 'output tokens/s', angle: -90, position: 'insideLeft', offset: -18, ...AXIS_STYLE }} />
        <Tooltip formatter={(v) => formatTokensPerS(Number(v))} labelFormatter={(x) => `${xLabel.split(' (')[0]} ${String(x)}`} />
        <Legend verticalAlign="top" height={26} />
        <Line dataKey="outputTokensPerS" name="whole system" stroke={OKABE_ITO.green} strokeWidth={2} isAnimationActive={false} />
        {several ? (
          <Line dataKey="outputTokensPerSPerDevice" name="per device" stroke={OKABE_ITO.orange} strokeWidth={2}
            strokeDasharray="6 3" isAnimationActive={false} />
        ) : null}
      </LineChart>
    </ResponsiveContainer>
  );
}
