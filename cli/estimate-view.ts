// Human-readable views of an estimate and of a phase's operators.
import type { EstimateReport, OpReport } from '../index.ts';
import { formatBytes, formatCount, formatPercent, formatSeconds, table } from './format.ts';

export function estimateText(r: EstimateReport): string {
  const { model, hardware, scenario: s } = r.inputs;
  const p = s.precision;
  const m = r.memory;
  const par = r.parallel;
  const parallel = par.devices > 1 ? ` · tp ${par.tp} pp ${par.pp}${par.ep > 1 ? ` ep ${par.ep}` : ''} dp ${par.dp}` : '';
  const lines = [
    `${model.name} on ${hardware.name}${parallel}`,
    `batch ${s.batch} · ${s.inputTokens} in / ${s.outputTokens} out · ${s.dtype} (W${p.weightBits} A${p.actBits} KV${p.kvBits}) · ${s.flash ? 'flash' : 'unfused'} attention`,
    '',
    table([
      ['metric', 'value', 'note'],
      ['TTFT', formatSeconds(r.ttftS), 'prefill of the whole batch'],
      ['TPOT', formatSeconds(r.tpotS), `mean over ${Math.max(0, s.outputTokens - 1)} decode steps`],
      ['end-to-end', formatSeconds(r.e2eS), 'TTFT + (output − 1) × TPOT'],
      ['output tokens/s', formatCount(r.outputTokensPerS), `${formatCount(r.outputTokensPerSPerDevice)} per device`],
      ['energy/token', `${r.energyJPerToken.toPrecision(3)} J`, 'all devices, prefill + decode'],
      ['memory/device', formatBytes(m.perDeviceBytes), `of ${formatBytes(m.capacityBytes)}: weights ${formatBytes(m.weightsBytes)}, KV ${formatBytes(m.kvCacheBytes)}, activations ${formatBytes(m.activationBytes)}, workspace ${formatBytes(m.workspaceBytes)}`],
      ['max batch', String(r.maxBatchThatFits), 'largest batch that fits at these lengths'],
    ]),
  ];
  if (!r.feasible) lines.push('', `DOES NOT FIT: ${r.reason}`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

export function opsText(ops: OpReport[], title: string): string {
  const rows = [['op', 'count', 'FLOPs', 'bytes', 'FLOP/B', 'bound', 'time', 'share']];
  for (const op of ops) {
    rows.push([op.name, formatCount(op.count), formatCount(op.flops), formatBytes(op.bytes), op.intensity.toFixed(1), op.bound,
      formatSeconds(op.latencyS), formatPercent(op.share)]);
  }
  const total = ops.reduce((sum, op) => sum + op.latencyS, 0);
  return `${title}\n\n${table(rows)}\n\nsum of op times on one device: ${formatSeconds(total)}`;
}
