// The device roofline for the compute dtype, with every operator of prefill and decode as a point
// (x: arithmetic intensity, y: FLOP/s it achieves). Hover a point for its shape, FLOPs, bytes, bound and time.
import {
  CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, type TooltipContentProps,
} from 'recharts';
import type { EstimateReport, OpReport } from '../core/protocol.ts';
import { OKABE_ITO } from '../format/palette.ts';
import { formatByteRate, formatBytes, formatCount, formatFlopRate, formatSeconds, trim } from '../format/units.ts';
import { AXIS_STYLE, MARGIN, decadeDomain, decadeTicks } from './axis.ts';

interface Point { x: number; y: number; op?: OpReport; phase?: string }

function points(ops: OpReport[], phase: string): Point[] {
  return ops.filter((op) => op.flops > 0 && op.bytes > 0 && op.latencyS > 0)
    .map((op) => ({ x: op.flops / op.bytes, y: op.flops / op.latencyS, op, phase }));
}

function Tip({ active, payload }: TooltipContentProps) {
  const p = payload?.[0]?.payload as Point | undefined;
  if (!active || !p?.op) return null;
  const op = p.op;
  return (
    <div className="tip">
      <strong>{op.name}</strong> ({p.phase}, ×{op.count})
      <div>shape: {op.shape}</div>
      <div>FLOPs: {formatCount(op.flops)} · bytes: {formatBytes(op.bytes)}</div>
      <div>intensity: {trim(p.x)} FLOP/B · achieved {formatFlopRate(p.y)}</div>
      <div>bound: {op.bound} · time: {formatSeconds(op.latencyS)}{op.computeDtype ? ` · ${op.computeDtype}` : ''}</div>
    </div>
  );
}

export default function RooflineChart({ report, phases }: { report: EstimateReport; phases: ('prefill' | 'decode')[] }) {
  const device = report.inputs.hardware.device;
  const dtype = report.inputs.scenario.dtype;
  // FP32 GEMMs run on the matrix units where a part has them for FP32 (CDNA's MFMA): that is their roof.
  const peak = (dtype === 'fp32' ? device.matrixFp32FlopsPerS : undefined) ?? device.peakFlopsPerS[dtype] ?? device.peakFlopsPerS.fp32;
  const vector = device.peakFlopsPerS.fp32;
  const bandwidth = device.memory[0]!.bandwidthBytesPerS;
  const series = {
    prefill: phases.includes('prefill') ? points(report.prefill.ops, 'prefill') : [],
    decode: phases.includes('decode') ? points(report.decode.ops, 'decode') : [],
  };
  const all = [...series.prefill, ...series.decode];
  const ridge = peak / bandwidth;
  const [xLo, xHi] = decadeDomain([...all.map((p) => p.x), ridge / 10, ridge * 10]);
  const [yLo, yHi] = decadeDomain([...all.map((p) => p.y), peak * 1.5, bandwidth * xLo]);
  const roof: Point[] = [];
  for (let i = 0; i <= 48; i++) {
    const x = xLo * (xHi / xLo) ** (i / 48);
    roof.push({ x, y: Math.min(peak, bandwidth * x) });
  }
  roof.push({ x: ridge, y: peak });
  roof.sort((a, b) => a.x - b.x);
  return (
    <ResponsiveContainer width="100%" height={420}>
      <ScatterChart margin={{ ...MARGIN, left: 40 }}>
        <CartesianGrid stroke="#e4e4e4" />
        <XAxis type="number" dataKey="x" scale="log" domain={[xLo, xHi]} ticks={decadeTicks(xLo, xHi)} allowDataOverflow
          tickFormatter={(v: number) => trim(v)} tick={AXIS_STYLE}
          label={{ value: 'arithmetic intensity (FLOP per DRAM byte)', position: 'insideBottom', offset: -22, ...AXIS_STYLE }} />
        <YAxis type="number" dataKey="y" scale="log" domain={[yLo, yHi]} ticks={decadeTicks(yLo, yHi)} allowDataOverflow width={100}
          tickFormatter={(v: number) => formatFlopRate(v)} tick={AXIS_STYLE}
          label={{ value: 'achieved FLOP/s', angle: -90, position: 'insideLeft', offset: -28, ...AXIS_STYLE }} />
        <Tooltip content={(p) => <Tip {...p} />} cursor={{ strokeDasharray: '3 3' }} />
        <Legend verticalAlign="top" height={28} />
        <ReferenceLine y={vector} stroke={OKABE_ITO.purple} strokeDasharray="6 4" ifOverflow="hidden"
          label={{ value: `fp32 vector ${formatFlopRate(vector)}`, position: 'insideBottomRight', fontSize: 11 }} />
        <Scatter name={`roofline: ${dtype} ${formatFlopRate(peak)}, ${formatByteRate(bandwidth)}`} data={roof} legendType="line"
          line={{ stroke: OKABE_ITO.black, strokeWidth: 2 }} shape={() => <g />} fill={OKABE_ITO.black} isAnimationActive={false} />
        {series.prefill.length ? <Scatter name="prefill ops" data={series.prefill} fill={OKABE_ITO.blue} shape="circle" isAnimationActive={false} /> : null}
        {series.decode.length ? <Scatter name="decode ops" data={series.decode} fill={OKABE_ITO.vermillion} shape="triangle" isAnimationActive={false} /> : null}
      </ScatterChart>
    </ResponsiveContainer>
  );
}
