// Human-readable views of an estimate and of a phase's operators.
import { FRAMEWORK_COSTS, curveErrorsText, defaultCalibration, type EstimateReport, type FrameworkCosts, type ServingFramework, type OpReport, type VisionReport } from '../index.ts';
import { formatBytes, formatCount, formatPercent, formatSeconds, table } from './format.ts';

export function estimateText(r: EstimateReport): string {
  const { model, hardware, scenario: s } = r.inputs;
  const p = s.precision;
  const m = r.memory;
  const par = r.parallel;
  const parallel = par.devices > 1 ? ` · tp ${par.tp} pp ${par.pp}${par.ep > 1 ? ` ep ${par.ep}` : ''} dp ${par.dp}` : '';
  const lines = [
    `${model.name} on ${hardware.name}${parallel}`,
    `batch ${s.batch} · ${s.inputTokens} in / ${s.outputTokens} out · ${s.dtype} (W${+p.weightBits.toFixed(2)} A${p.actBits} KV${p.kvBits}) · ${s.flash ? 'flash' : 'unfused'} attention${s.promptLogits ? ' · logits at every prompt token' : ''}${s.identicalPrompts ? ' · identical prompts' : ''}${s.framework === 'none' && s.frameworkCosts === FRAMEWORK_COSTS.none ? '' : ` · ${frameworkLine(s.framework, s.frameworkCosts)}`}`,
    '',
    table([
      ['metric', 'value', 'note'],
      ['TTFT', formatSeconds(r.ttftS), 'prefill of the whole batch'],
      ['TPOT', formatSeconds(r.tpotS), `mean over ${Math.max(0, s.outputTokens - 1)} decode steps`],
      ['end-to-end', formatSeconds(r.e2eS), 'TTFT + (output − 1) × TPOT'],
      ['output tokens/s', formatCount(r.outputTokensPerS), `${formatCount(r.outputTokensPerSPerDevice)} per device`],
      ['energy/token', `${r.energyJPerToken.toPrecision(3)} J`, 'all devices, prefill + decode'],
      ['memory/device', formatBytes(m.perDeviceBytes), `of ${formatBytes(m.capacityBytes)}: weights ${formatBytes(m.weightsBytes)}, KV ${formatBytes(m.kvCacheBytes)}, activations ${formatBytes(m.activationBytes)}, workspace ${formatBytes(m.workspaceBytes)}${m.draftBytes > 0 ? `, draft ${formatBytes(m.draftBytes)}` : ''}`],
      ['max batch', String(r.maxBatchThatFits), 'largest batch that fits at these lengths'],
      ...(r.maxContextTokens === undefined ? [] : [['max context', String(r.maxContextTokens), 'longest prompt that fits at this batch and output']]),
      ...(r.vision === undefined ? [] : [['vision tower', formatSeconds(r.vision.latencyS), `of TTFT; ${r.vision.imageTokens} image tokens join each prompt`]]),
      ...(r.speculative === undefined ? [] : [['speculative', `${r.speculative.speedup.toFixed(2)}× speedup`,
        `draft ${r.speculative.draftModel}: ${r.speculative.expectedTokensPerStep.toFixed(2)} tokens per step, ${r.speculative.verifyTokens} verified, TPOT without: ${formatSeconds(r.tpotS > 0 ? r.tpotS * r.speculative.speedup : r.speculative.baselineTpotS)}`]]),
    ]),
  ];
  lines.push('', calibrationLine(r));
  if (!r.feasible) lines.push('', `DOES NOT FIT: ${r.reason}`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** What prices the ops: the engine, the calibration profile, or the efficiency factors alone. */
function calibrationLine(r: EstimateReport): string {
  const c = r.inputs.calibration;
  if (r.inputs.backend === 'cycle') return 'engine: cycle-level simulator (uncalibrated: efficiency factors and calibration profiles do not apply)';
  // GEMMs that widen narrower operands first (W4A16, fp8 on an A100) are no curve's: simulator/calibration.ts curveFor.
  const widened = c && c.widenedGemms && c.families.includes('gemm') ? ' (GEMMs that widen their operands first: efficiency factors)' : '';
  return c ? `calibration: ${c.profile} profile for ${c.families.join(', ')} ops${widened}; the rest use efficiency factors (--calibration none: all)${curveErrorText(c)}`
    : defaultCalibration(r.inputs.hardware.device.id) === undefined ? 'efficiency factors (no calibration profile for this device)'
      : 'efficiency factors (the shipped calibration profile is off: --calibration none or --ideal)';
}

/** The held-out kernel-time error of the curves that priced the estimate; empty where none with held-out rows did. */
function curveErrorText(c: NonNullable<EstimateReport['inputs']['calibration']>): string {
  return c.heldOutError.length === 0 ? '' : `\nheld-out error of these curves (kernel time on rows of their sweeps the fit never saw, median / p90 %): ${curveErrorsText(c.heldOutError)}.`
    + ' New weight shapes and end to end: docs/calibration.md, docs/accuracy.md';
}

export function opsText(ops: OpReport[], title: string): string {
  const rows = [['op', 'count', 'FLOPs', 'bytes', 'FLOP/B', 'bound', 'time', 'share']];
  for (const op of ops) {
    // A collective moves its bytes over links, not through DRAM: show those ("link" after them).
    const bytes = op.kind === 'collective' ? `${formatBytes(op.linkBytes)} link` : formatBytes(op.bytes);
    rows.push([op.name, formatCount(op.count), formatCount(op.flops), bytes, op.intensity.toFixed(1), op.bound,
      formatSeconds(op.latencyS), formatPercent(op.share)]);
  }
  const total = ops.reduce((sum, op) => sum + op.latencyS, 0);
  return `${title}\n\n${table(rows)}\n\nsum of op times on one device: ${formatSeconds(total)}`;
}

/** One row per prompt length (`--input 1k,8k,32k`). */
export function sweepText(reports: EstimateReport[]): string {
  const first = reports[0]!;
  const { model, hardware, scenario: s } = first.inputs;
  const rows = [['input', 'TTFT', 'TPOT', 'end-to-end', 'tokens/s', 'memory/device', 'fits']];
  for (const r of reports) {
    rows.push([String(r.inputs.scenario.inputTokens), formatSeconds(r.ttftS), formatSeconds(r.tpotS), formatSeconds(r.e2eS),
      formatCount(r.outputTokensPerS), formatBytes(r.memory.perDeviceBytes), r.feasible ? 'yes' : 'no']);
  }
  const extra = first.maxContextTokens === undefined ? '' : `\nlongest prompt that fits: ${first.maxContextTokens} tokens`;
  // Each length's warnings once, with the lengths they hold for (a context past the model's positions: the long ones).
  const warned = new Map<string, number[]>();
  for (const r of reports) for (const w of r.warnings) warned.set(w, [...(warned.get(w) ?? []), r.inputs.scenario.inputTokens]);
  const warnings = [...warned].map(([w, inputs]) => `warning: ${inputs.length === reports.length ? '' : `input ${inputs.join(', ')}: `}${w}`);
  return [`${model.name} on ${hardware.name} · batch ${s.batch} · ${s.outputTokens} out · ${s.dtype}`, '', table(rows) + extra, '', calibrationLine(first), ...warnings].join('\n');
}

export function visionText(r: VisionReport): string {
  const m = r.memory;
  const lines = [
    `${r.inputs.model.name} on ${r.inputs.hardware.name}${r.parallel.tp > 1 ? ` · tp ${r.parallel.tp}` : ''} · batch ${r.inputs.batch} images`,
    '',
    table([
      ['metric', 'value', 'note'],
      ['latency', formatSeconds(r.latencyS), 'one forward pass over the batch'],
      ['images/s', formatCount(r.imagesPerS), 'whole system'],
      ['energy/image', `${r.energyJPerImage.toPrecision(3)} J`, 'all devices'],
      ['memory/device', formatBytes(m.perDeviceBytes), `of ${formatBytes(m.capacityBytes)}: weights ${formatBytes(m.weightsBytes)}, activations ${formatBytes(m.activationBytes)}, workspace ${formatBytes(m.workspaceBytes)}`],
    ]),
  ];
  if (!r.feasible) lines.push('', `DOES NOT FIT: ${r.reason}`);
  return lines.join('\n');
}

/** "vllm host time 750 µs/step + 70 µs/sequence, all-reduce 8 µs, GQA KV re-reads 20%": the framework's costs (simulator/serving/frameworks.ts). */
function frameworkLine(framework: ServingFramework, costs: FrameworkCosts): string {
  const perSequence = costs.sequenceS > 0 ? ` + ${formatSeconds(costs.sequenceS)}/sequence` : '';
  const allReduce = costs.allReduce === null ? '' : `, all-reduce ${formatSeconds(costs.allReduce.callS)}`;
  const rereads = costs.kvRereadShare > 0 ? `, GQA KV re-reads ${formatPercent(costs.kvRereadShare)}` : '';
  const stages = (costs.stageS ?? 0) > 0 ? ` + ${formatSeconds(costs.stageS!)}/pipeline boundary` : '';
  return `${framework === 'none' ? 'own framework' : framework} host time ${formatSeconds(costs.stepS)}/step${perSequence}${stages}${allReduce}${rereads}`;
}
