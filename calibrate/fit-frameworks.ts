// Fits each serving framework's costs (simulator/serving/frameworks.ts) end to end: LLM-Inference-Bench A100 runs,
// the training split (4 of every 5 runs: heldOutRun), the shipped calibration profiles pricing the kernels. Up to five
// numbers per framework: host time per step (0–20 ms by 0.25 ms), per sequence in a step (0–400 µs by 5 µs), per
// pipeline boundary (0–5 ms by 0.25 ms; only llama.cpp's runs are split by layers), one call of its own all-reduce
// kernel (0–25 µs by 1 µs: it is used where it is cheaper than NCCL's ≈25 µs call; frameworks without one keep NCCL's
// pricing) and its decode attention's KV re-read share (0–1 by 0.05), on the whole grid, minimizing the mean
// |log(predicted/measured)| (for a given share a row's latency is linear in the others: linearRows).
// llama.cpp's runs are one sequence each (its batch column is n_batch), so its time per sequence is not fitted.
// Prints the fitted values and the held-out error with the shipped and the fitted ones (~100 s).
// Run: npx tsx calibrate/fit-frameworks.ts
import { readFileSync } from 'node:fs';
import { DEFAULT_EFFICIENCY, FRAMEWORK_COSTS, type FrameworkCosts } from '../index.ts';
import { BENCH_FRAMEWORK, FIT_HARDWARE, benchLatency, benchRows, benchSamples, type BenchRow } from './accuracy/llm-inference-bench.ts';
import { summarize, summaryTable, type Sample } from './accuracy/error-stats.ts';

const rows = benchRows(readFileSync(new URL('../data/llm_inference_bench_a100_mi250.csv', import.meta.url), 'utf8'));
const grid = (step: number, last: number): number[] => Array.from({ length: Math.round(last / step) + 1 }, (_, i) => i * step);

/** Samples of `rows` with `costs` as the framework's (kernels priced by the shipped profiles). */
function samplesWith(rows: readonly BenchRow[], costs: FrameworkCosts): Sample[] {
  return benchSamples(rows, undefined, 'default', costs).samples;
}

/**
 * For a fixed kvRereadShare a row's latency is linear in the other three numbers (each step pays stepS + sequenceS ×
 * its sequences, each all-reduce the own kernel takes pays callS once): latency = base + steps × stepS +
 * sequenceSteps × sequenceS + calls × callS. Four estimates per row give the coefficients, so the whole grid is
 * searched exactly; a fifth checks the line. The share (which moves attention's bytes under max(compute, memory) and
 * the curves) is an outer grid.
 */
interface Linear { measuredS: number; base: number; perStepS: number; perSequenceS: number; perCallS: number; perStageS: number }

function linearRows(rows: readonly BenchRow[], shipped: FrameworkCosts, kvRereadShare: number): Linear[] {
  const own = shipped.allReduce;
  const at = (stepS: number, sequenceS: number, callS: number, stageS = 0): FrameworkCosts =>
    ({ stepS, sequenceS, allReduce: own === null ? null : { ...own, callS }, stageS, kvRereadShare });
  return rows.flatMap((row) => {
    const latency = (costs: FrameworkCosts): number | null => { const r = benchLatency(row, undefined, 'default', costs); return r.feasible ? r.e2eS : null; };
    const base = latency(at(0, 0, 0));
    if (base === null) return [];
    const line: Linear = {
      measuredS: row.latencyS, base, perStepS: (latency(at(1e-3, 0, 0))! - base) / 1e-3, perSequenceS: (latency(at(0, 1e-4, 0))! - base) / 1e-4,
      perCallS: (latency(at(0, 0, 1e-5))! - base) / 1e-5, perStageS: (latency(at(0, 0, 0, 1e-3))! - base) / 1e-3,
    };
    const check = latency(at(2e-3, 50e-6, 7e-6, 0.5e-3))!;
    const predicted = line.base + 2e-3 * line.perStepS + 50e-6 * line.perSequenceS + 7e-6 * line.perCallS + 0.5e-3 * line.perStageS;
    if (Math.abs(check - predicted) > 1e-8 * check) throw new Error(`row ${row.index}: latency is not linear in the host time (${check} s vs ${predicted} s)`);
    return [line];
  });
}

interface Fitted { stepS: number; sequenceS: number; callS: number; stageS: number; kvRereadShare: number; loss: number }

function fitLinear(lines: readonly Linear[], oneSequence: boolean, ownAllReduce: boolean, pipelined: boolean, kvRereadShare: number): Fitted {
  let best: Fitted = { stepS: 0, sequenceS: 0, callS: 0, stageS: 0, kvRereadShare, loss: Infinity };
  for (const stepS of grid(0.25e-3, 20e-3)) {
    for (const sequenceS of oneSequence ? [0] : grid(5e-6, 400e-6)) {
      for (const callS of ownAllReduce ? grid(1e-6, DEFAULT_EFFICIENCY.collectiveOverheadS) : [0]) {
        for (const stageS of pipelined ? grid(0.25e-3, 5e-3) : [0]) {
          let sum = 0;
          for (const l of lines) sum += Math.abs(Math.log((l.base + stepS * l.perStepS + sequenceS * l.perSequenceS + callS * l.perCallS + stageS * l.perStageS) / l.measuredS));
          const loss = sum / lines.length;
          if (loss < best.loss - 1e-12) best = { stepS, sequenceS, callS, stageS, kvRereadShare, loss };
        }
      }
    }
  }
  return best;
}

const fitted: Partial<Record<string, FrameworkCosts>> = {};
for (const [name, id] of Object.entries(BENCH_FRAMEWORK)) {
  const train = rows.filter((r) => r.hardware === FIT_HARDWARE && r.framework === name && !r.heldOut);
  const shipped = FRAMEWORK_COSTS[id];
  let best: Fitted | null = null;
  for (const share of grid(0.05, 1)) {
    // Only llama.cpp's runs are split by layers: the others have no pipeline boundary to price.
    const trial = fitLinear(linearRows(train, shipped, share), name === 'llama.cpp', shipped.allReduce !== null, train.some((r) => r.split === 'layers'), share);
    if (best === null || trial.loss < best.loss - 1e-12) best = trial;
  }
  const costs: FrameworkCosts = {
    stepS: best!.stepS, sequenceS: best!.sequenceS, allReduce: shipped.allReduce === null ? null : { ...shipped.allReduce, callS: best!.callS },
    ...(shipped.stageS === undefined ? {} : { stageS: best!.stageS }), kvRereadShare: best!.kvRereadShare,
  };
  fitted[name] = costs;
  const us = (s: number): string => `${+(s * 1e6).toFixed(1)} µs`;
  const describe = (h: FrameworkCosts): string => `${+(h.stepS * 1e3).toFixed(2)} ms per step, ${us(h.sequenceS)} per sequence, `
    + `${h.stageS === undefined ? '' : `${+(h.stageS * 1e3).toFixed(2)} ms per pipeline boundary, `}all-reduce `
    + `${h.allReduce === null ? 'NCCL\'s (the device\'s)' : us(h.allReduce.callS)}, KV re-read share ${+h.kvRereadShare.toFixed(2)}`;
  console.log(`${id} (${train.length} training rows, mean |ln| ${best!.loss.toFixed(4)}): ${describe(costs)} (shipped: ${describe(shipped)})`);
}
for (const [label, pick] of [['A100 held-out', (r: BenchRow) => r.hardware === FIT_HARDWARE && r.heldOut], ['MI250, every row (never fitted on)', (r: BenchRow) => r.hardware !== FIT_HARDWARE]] as const) {
  const mine = rows.filter(pick);
  console.log(`\n${label}, calibrated kernels + the shipped framework costs:\n${summaryTable(summarize(benchSamples(mine, undefined, 'default', true).samples))}`);
  const refit = Object.entries(fitted).flatMap(([name, costs]) => samplesWith(mine.filter((r) => r.framework === name), costs!));
  console.log(`\n${label}, calibrated kernels + the framework costs fitted now:\n${summaryTable(summarize(refit))}`);
}
