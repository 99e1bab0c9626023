// Fits each serving framework's host time per step (simulator/serving/frameworks.ts) end to end: LLM-Inference-Bench
// A100 runs, the training split (4 of every 5 rows), the shipped calibration profiles pricing the kernels; a grid
// search of the step overhead (0–20 ms by 0.25 ms) on the mean |log(predicted/measured)|. Prints the fitted values
// and the held-out error without and with them. Run: npx tsx calibrate/fit-frameworks.ts
import { readFileSync } from 'node:fs';
import { FRAMEWORK_STEP_OVERHEAD_S } from '../index.ts';
import { BENCH_FRAMEWORK, FIT_HARDWARE, benchRows, benchSamples } from './accuracy/llm-inference-bench.ts';
import { isHeldOut, summarize, summaryTable, type Sample } from './accuracy/error-stats.ts';

const rows = benchRows(readFileSync(new URL('../data/llm_inference_bench_a100_mi250.csv', import.meta.url), 'utf8'))
  .filter((r) => r.hardware === FIT_HARDWARE);
const meanAbsLog = (samples: readonly Sample[]): number => samples.reduce((sum, s) => sum + Math.abs(Math.log(s.predictedS / s.measuredS)), 0) / samples.length;

for (const [name, id] of Object.entries(BENCH_FRAMEWORK)) {
  const train = rows.filter((r) => r.framework === name && !isHeldOut(r.index));
  let bestS = 0;
  let bestLoss = Infinity;
  for (let quarterMs = 0; quarterMs <= 80; quarterMs++) {
    const loss = meanAbsLog(benchSamples(train, { stepOverheadS: quarterMs * 0.25e-3 }, 'default').samples);
    if (loss < bestLoss - 1e-12) { bestLoss = loss; bestS = quarterMs * 0.25e-3; }
  }
  console.log(`${id}: ${(bestS * 1e3).toFixed(2)} ms per step (shipped: ${(FRAMEWORK_STEP_OVERHEAD_S[id] * 1e3).toFixed(2)} ms), ${train.length} training rows`);
}
const held = rows.filter((r) => isHeldOut(r.index));
console.log(`\nheld-out, calibrated kernels alone:\n${summaryTable(summarize(benchSamples(held, undefined, 'default').samples))}`);
console.log(`\nheld-out, calibrated kernels + the framework's step overhead:\n${summaryTable(summarize(benchSamples(held, undefined, 'default', true).samples))}`);
