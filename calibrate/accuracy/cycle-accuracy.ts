// Accuracy of three uncalibrated predictions on measured operator times: the pure roofline (IDEAL_EFFICIENCY: what
// GenZ and LLM-Viewer compute), genz's default roofline (DEFAULT_EFFICIENCY, whose factors calibrate/fit-defaults.ts
// fitted on Vidur A100/A40 rows under a different split, so the Vidur groups are partly in-sample for it) and the
// cycle-level engine (simulator/cycle/). Sources:
// - Vidur mlp.csv: Llama-2-7B layer ops (fp16) vs token count on A100-80GB and A40,
// - LLMCompass real-hardware matmul: fp16 GEMMs on A100-80GB (the MI210 rows run too: AMD CDNA 2 preset),
// - NeuSight linear and bmm (fp32, PyTorch 2.1, TF32 off): A100-PCIE-40GB, V100, T4 (the train devices with a preset).
// Rows are split as calibrate/fit.ts splits them (FNV-1a of the measurement key, 20% held out): generation defaults
// of the cycle engine were looked at on the training rows only; the held-out rows give the reported numbers.
// A torch.nn.Linear over B×M rows is one (B·M)×K·K×N GEMM with one weight; it is priced as that (both engines).
import type { ComputeDtype } from '../../common/dtype.ts';
import type { Op } from '../../models/ops.ts';
import type { CostBackend, CostContext } from '../../simulator/cost.ts';
import { DEFAULT_EFFICIENCY, IDEAL_EFFICIENCY, type EfficiencyProfile } from '../../simulator/efficiency.ts';
import { rooflineBackend } from '../../simulator/roofline/roofline-backend.ts';
import { findDevice } from '../../hardware/registry.ts';
import { createCycleBackend } from '../../simulator/cycle/cycle-backend.ts';
import { importLlmcompassMatmul } from '../importers/llmcompass.ts';
import { importNeusight } from '../importers/neusight.ts';
import { importVidurMlp } from '../importers/vidur.ts';
import type { Measurement } from '../measurement-schema.ts';
import { measurementOp, stableHash } from '../op-family.ts';
import { measurementContext, splitKeyOf } from '../fit.ts';
import { quantile, summarize, type ErrorSummary, type Sample } from './error-stats.ts';

export type Split = 'train' | 'held-out' | 'all';

export interface AccuracyFiles {
  vidurMlp: string;
  llmcompassMatmul: string;
  neusight: string;
}

export interface ErrorPair {
  median: number;
  p90: number;
}

export interface CycleAccuracyRow {
  group: string;
  rows: number;
  /** Pure roofline: peaks, no efficiency factors, no overheads. */
  ideal: ErrorPair;
  /** genz's roofline with DEFAULT_EFFICIENCY. */
  roofline: ErrorPair;
  cycle: ErrorPair;
}

interface PricedMeasurement {
  group: string;
  op: Op;
  baseDtype: ComputeDtype;
  deviceId: string;
  measuredS: number;
}

/**
 * NeuSight's train devices priced on the closest genz preset (the importer leaves them unmapped: the PCIe cards run
 * lower sustained clocks than the SXM presets, and NeuSight's times include PyTorch dispatch, ≈ 35–65 µs on tiny ops).
 */
const NEUSIGHT_PRESET: Readonly<Record<string, string>> = {
  'NVIDIA A100-PCIE-40GB': 'a100-40gb-sxm', 'Tesla V100-PCIE-32GB': 'v100', 'Tesla T4': 't4',
};

/** calibrate/fit.ts's split: 20% of split keys (FNV-1a of the measurement key, a GEMM's without kernel and variant) are held out. */
export function isHeldOutMeasurement(m: Measurement, deviceId: string): boolean {
  const priced = measurementOp(m);
  return 'problem' in priced ? false : stableHash(splitKeyOf(m, deviceId, priced.family)) % 100 < 20;
}

function vidurGroup(m: Measurement): string {
  switch (m.kernel) {
    case 'gemm': return 'gemm';
    case 'rmsnorm': return 'norm';
    case 'embedding': return 'embedding';
    default: return 'elementwise';
  }
}

/** Every priced measurement of the three sources, with its group name and split. */
export function accuracyMeasurements(files: AccuracyFiles, split: Split): PricedMeasurement[] {
  const out: PricedMeasurement[] = [];
  const add = (ms: readonly Measurement[], group: (m: Measurement) => string): void => {
    for (const m of ms) {
      const deviceId = m.device.id ?? NEUSIGHT_PRESET[m.device.name];
      if (deviceId === undefined) continue; // no genz preset (NeuSight P100, P4)
      const held = isHeldOutMeasurement(m, deviceId);
      if ((split === 'train' && held) || (split === 'held-out' && !held)) continue;
      const priced = measurementOp(m);
      if ('problem' in priced) continue;
      let op = priced.op;
      if (m.variant === 'torch.nn.Linear' && op.kind === 'gemm' && op.batch > 1) op = { ...op, m: op.m * op.batch, batch: 1 };
      out.push({ group: group(m), op, baseDtype: priced.baseDtype, deviceId, measuredS: m.medianS });
    }
  };
  add(importVidurMlp(files.vidurMlp), (m) => `vidur ${vidurGroup(m)} ${m.device.name}`);
  add(importLlmcompassMatmul(files.llmcompassMatmul), (m) => `llmcompass gemm ${m.device.name.toLowerCase()}`);
  add(importNeusight(files.neusight), (m) => `neusight ${m.kernel === 'gemm' ? 'linear' : 'bmm'} ${m.device.id ?? NEUSIGHT_PRESET[m.device.name] ?? m.device.name}`);
  return out;
}

const contexts = new Map<string, CostContext>();

function contextFor(deviceId: string, baseDtype: ComputeDtype, efficiency: Readonly<EfficiencyProfile>): CostContext {
  const key = `${deviceId}|${baseDtype}|${efficiency === DEFAULT_EFFICIENCY ? 'default' : JSON.stringify(efficiency)}`;
  let ctx = contexts.get(key);
  if (ctx === undefined) {
    const device = findDevice(deviceId);
    if (!device) throw new Error(`no preset ${deviceId}`);
    ctx = measurementContext(device, efficiency, baseDtype);
    contexts.set(key, ctx);
  }
  return ctx;
}

/** Predicted vs measured samples of one backend under `efficiency` (default DEFAULT_EFFICIENCY; the cycle engine ignores it). */
export function accuracySamples(measured: readonly PricedMeasurement[], backend: CostBackend,
  efficiency: Readonly<EfficiencyProfile> = DEFAULT_EFFICIENCY): Sample[] {
  return measured.map((p) => ({ group: p.group, predictedS: backend.cost(p.op, contextFor(p.deviceId, p.baseDtype, efficiency)).latencyS, measuredS: p.measuredS }));
}

/** Per-group median and p90 absolute % error of the three predictions, plus an "all" row (median over every row). */
export function cycleAccuracyTable(files: AccuracyFiles, split: Split, cycle: CostBackend = createCycleBackend()): CycleAccuracyRow[] {
  const measured = accuracyMeasurements(files, split);
  const ideal = accuracySamples(measured, rooflineBackend, IDEAL_EFFICIENCY);
  const roof = accuracySamples(measured, rooflineBackend);
  const cyc = accuracySamples(measured, cycle);
  const byGroup = (s: ErrorSummary[]): Map<string, ErrorSummary> => new Map(s.map((x) => [x.group, x]));
  const pair = (x: ErrorSummary): ErrorPair => ({ median: x.medianAbsPctError, p90: x.p90AbsPctError });
  const i = byGroup(summarize(ideal));
  const r = byGroup(summarize(roof));
  const c = byGroup(summarize(cyc));
  const rows: CycleAccuracyRow[] = [...r.keys()].map((group) => ({
    group, rows: r.get(group)!.rows, ideal: pair(i.get(group)!), roofline: pair(r.get(group)!), cycle: pair(c.get(group)!),
  }));
  const all = (samples: Sample[]): ErrorPair => {
    const e = samples.map((s) => (Math.abs(s.predictedS - s.measuredS) / s.measuredS) * 100).sort((a, b) => a - b);
    return { median: quantile(e, 0.5), p90: quantile(e, 0.9) };
  };
  rows.push({ group: 'all', rows: measured.length, ideal: all(ideal), roofline: all(roof), cycle: all(cyc) });
  return rows;
}

/** Whether the cycle engine's median error is at most half of a baseline's (the goal). */
export function goalMet(row: CycleAccuracyRow, baseline: 'ideal' | 'roofline'): boolean {
  return row.cycle.median <= row[baseline].median / 2;
}

export function cycleAccuracyMarkdown(rows: readonly CycleAccuracyRow[]): string {
  const lines = [
    '| group | rows | pure roofline median % | p90 % | default roofline median % | p90 % | cycle median % | p90 % | cycle ≤ ½ pure | cycle ≤ ½ default |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  for (const r of rows) {
    lines.push(`| ${r.group} | ${r.rows} | ${r.ideal.median.toFixed(1)} | ${r.ideal.p90.toFixed(1)} | ${r.roofline.median.toFixed(1)} | ${r.roofline.p90.toFixed(1)} | `
      + `${r.cycle.median.toFixed(1)} | ${r.cycle.p90.toFixed(1)} | ${yes(goalMet(r, 'ideal'))} | ${yes(goalMet(r, 'roofline'))} |`);
  }
  return lines.join('\n');
}
