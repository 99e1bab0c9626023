// Accuracy of the two engines, both uncalibrated, on measured operator times: the roofline with the default
// efficiency factors (simulator/efficiency.ts) and the cycle-level engine (simulator/cycle/). Sources:
// - Vidur mlp.csv: Llama-2-7B layer ops (fp16) vs token count on A100-80GB and A40,
// - LLMCompass real-hardware matmul: fp16 GEMMs on A100-80GB (the MI210 rows run too: AMD CDNA 2 preset),
// - NeuSight linear and bmm (fp32, PyTorch 2.1, TF32 off): A100-PCIE-40GB, V100, T4 (the train devices with a preset).
// Rows are split as calibrate/fit.ts splits them (FNV-1a of the measurement key, 20% held out): generation defaults
// of the cycle engine were looked at on the training rows only; the held-out rows give the reported numbers.
// A torch.nn.Linear over B×M rows is one (B·M)×K·K×N GEMM with one weight; it is priced as that (both engines).
import type { ComputeDtype } from '../../common/dtype.ts';
import type { Op } from '../../models/ops.ts';
import type { CostBackend, CostContext } from '../../simulator/cost.ts';
import { DEFAULT_EFFICIENCY } from '../../simulator/efficiency.ts';
import { energyRates } from '../../simulator/energy.ts';
import { rooflineBackend } from '../../simulator/roofline/roofline-backend.ts';
import { findDevice } from '../../hardware/registry.ts';
import { createCycleBackend } from '../../simulator/cycle/cycle-backend.ts';
import { importLlmcompassMatmul } from '../importers/llmcompass.ts';
import { importNeusight } from '../importers/neusight.ts';
import { importVidurMlp } from '../importers/vidur.ts';
import type { Measurement } from '../measurement-schema.ts';
import { measurementKey, measurementOp, stableHash } from '../op-family.ts';
import { quantile, summarize, type ErrorSummary, type Sample } from './error-stats.ts';

export type Split = 'train' | 'held-out' | 'all';

export interface AccuracyFiles {
  vidurMlp: string;
  llmcompassMatmul: string;
  neusight: string;
}

export interface CycleAccuracyRow {
  group: string;
  rows: number;
  roofline: { median: number; p90: number };
  cycle: { median: number; p90: number };
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

/** calibrate/fit.ts's split: 20% of measurement keys (FNV-1a) are held out. */
export function isHeldOutMeasurement(m: Measurement, deviceId: string): boolean {
  return stableHash(measurementKey(m, deviceId)) % 100 < 20;
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

function contextFor(deviceId: string, baseDtype: ComputeDtype): CostContext {
  const key = `${deviceId}|${baseDtype}`;
  let ctx = contexts.get(key);
  if (ctx === undefined) {
    const device = findDevice(deviceId);
    if (!device) throw new Error(`no preset ${deviceId}`);
    const link = { name: 'none', bandwidthBytesPerS: 1e9, latencyS: 1e-6 };
    ctx = { device, efficiency: DEFAULT_EFFICIENCY, links: { tp: link, ep: link, pp: link, dp: link }, baseDtype, energy: energyRates(device) };
    contexts.set(key, ctx);
  }
  return ctx;
}

/** Predicted vs measured samples of one backend (roofline: DEFAULT_EFFICIENCY; the cycle engine ignores it). */
export function accuracySamples(measured: readonly PricedMeasurement[], backend: CostBackend): Sample[] {
  return measured.map((p) => ({ group: p.group, predictedS: backend.cost(p.op, contextFor(p.deviceId, p.baseDtype)).latencyS, measuredS: p.measuredS }));
}

/** Per-group median and p90 absolute % error of both engines, plus an "all" row (median over every row). */
export function cycleAccuracyTable(files: AccuracyFiles, split: Split, cycle: CostBackend = createCycleBackend()): CycleAccuracyRow[] {
  const measured = accuracyMeasurements(files, split);
  const roof = accuracySamples(measured, rooflineBackend);
  const cyc = accuracySamples(measured, cycle);
  const byGroup = (s: ErrorSummary[]): Map<string, ErrorSummary> => new Map(s.map((x) => [x.group, x]));
  const r = byGroup(summarize(roof));
  const c = byGroup(summarize(cyc));
  const rows: CycleAccuracyRow[] = [...r.keys()].map((group) => ({
    group, rows: r.get(group)!.rows,
    roofline: { median: r.get(group)!.medianAbsPctError, p90: r.get(group)!.p90AbsPctError },
    cycle: { median: c.get(group)!.medianAbsPctError, p90: c.get(group)!.p90AbsPctError },
  }));
  const all = (samples: Sample[]): { median: number; p90: number } => {
    const e = samples.map((s) => (Math.abs(s.predictedS - s.measuredS) / s.measuredS) * 100).sort((a, b) => a - b);
    return { median: quantile(e, 0.5), p90: quantile(e, 0.9) };
  };
  rows.push({ group: 'all', rows: measured.length, roofline: all(roof), cycle: all(cyc) });
  return rows;
}

export function cycleAccuracyMarkdown(rows: readonly CycleAccuracyRow[]): string {
  const lines = ['| group | rows | roofline median % | roofline p90 % | cycle median % | cycle p90 % |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.group} | ${r.rows} | ${r.roofline.median.toFixed(1)} | ${r.roofline.p90.toFixed(1)} | ${r.cycle.median.toFixed(1)} | ${r.cycle.p90.toFixed(1)} |`);
  }
  return lines.join('\n');
}
