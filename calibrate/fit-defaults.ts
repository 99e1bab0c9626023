// Fits the default efficiency factors (simulator/efficiency.ts) to the measured data shipped in data/:
// Vidur operator times (A100, A40) for the op-level factors, then LLM-Inference-Bench (A100, vLLM and
// TensorRT-LLM) for the per-step serving overhead. Fits on the training split (4 of every 5 rows) by
// coordinate descent on the mean |log(predicted/measured)|, and prints the held-out error.
// Run: npx tsx calibrate/fit-defaults.ts
import { readFileSync } from 'node:fs';
import { DEFAULT_EFFICIENCY, type EfficiencyProfile } from '../index.ts';
import { vidurAttentionSamples, vidurMlpSamples } from './accuracy/vidur.ts';
import { FIT_HARDWARE, benchRows, benchSamples } from './accuracy/llm-inference-bench.ts';
import { isHeldOut, summarize, summaryTable, type Sample } from './accuracy/error-stats.ts';
import { vidurCollectiveSamples } from './accuracy/collectives.ts';

const dataDir = new URL('../data/', import.meta.url);
const mlpCsv = readFileSync(new URL('vidur_mlp_llama2-7b_tp1_a100_a40.csv', dataDir), 'utf8');
const attentionCsv = readFileSync(new URL('vidur_attention_a100_llama2-70b_tp2_subsample.csv', dataDir), 'utf8');
const bench = benchRows(readFileSync(new URL('llm_inference_bench_a100_mi250.csv', dataDir), 'utf8'))
  .filter((row) => row.hardware === FIT_HARDWARE && (row.framework === 'vLLM' || row.framework === 'TensorRT-LLM'));

const train = (i: number): boolean => !isHeldOut(i);
const test = (i: number): boolean => isHeldOut(i);

/** Mean |log(predicted/measured)| per group, averaged over groups so that no family outweighs another. */
function meanAbsLog(samples: Sample[]): number {
  const groups = new Map<string, { sum: number; n: number }>();
  for (const s of samples) {
    const g = groups.get(s.group) ?? { sum: 0, n: 0 };
    g.sum += Math.abs(Math.log(s.predictedS / s.measuredS));
    g.n++;
    groups.set(s.group, g);
  }
  let total = 0;
  for (const g of groups.values()) total += g.sum / g.n;
  return total / groups.size;
}

const GRID: Partial<Record<keyof EfficiencyProfile, number[]>> = {
  gemmCompute: [0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9],
  gemmHalfDim: [0, 4, 8, 16, 32, 64, 128],
  memory: [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95],
  elementwiseMemory: [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9],
  kernelOverheadS: [0, 1e-6, 2e-6, 3e-6, 4e-6, 5e-6],
  attentionCompute: [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8],
  attentionHalfRows: [0, 1024, 2048, 4096, 8192, 16384, 32768, 65536],
};

function opSamples(eff: EfficiencyProfile, keep: (i: number) => boolean): Sample[] {
  return [...vidurMlpSamples(mlpCsv, eff, keep), ...vidurAttentionSamples(attentionCsv, eff, keep)];
}

let best: EfficiencyProfile = { ...DEFAULT_EFFICIENCY };
let bestLoss = meanAbsLog(opSamples(best, train));
for (let round = 0; round < 3; round++) {
  for (const [key, values] of Object.entries(GRID) as [keyof EfficiencyProfile, number[]][]) {
    for (const value of values) {
      const candidate = { ...best, [key]: value };
      const loss = meanAbsLog(opSamples(candidate, train));
      if (loss < bestLoss) { bestLoss = loss; best = candidate; }
    }
  }
}

const collectiveCsv = readFileSync(new URL('vidur_collectives_h100_dgx.csv', dataDir), 'utf8');
let bestNet = { network: best.network, collectiveOverheadS: best.collectiveOverheadS };
let bestNetLoss = Infinity;
for (const network of [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1]) {
  for (const collectiveOverheadS of [0, 5e-6, 10e-6, 15e-6, 20e-6, 25e-6, 30e-6]) {
    const loss = meanAbsLog(vidurCollectiveSamples(collectiveCsv, { network, collectiveOverheadS }, train));
    if (loss < bestNetLoss) { bestNetLoss = loss; bestNet = { network, collectiveOverheadS }; }
  }
}
best = { ...best, ...bestNet };

const trainBench = bench.filter((row) => !row.heldOut);
let bestStep = 0;
let bestStepLoss = Infinity;
for (const stepOverheadS of [0, 0.5e-3, 1e-3, 1.5e-3, 2e-3, 2.5e-3, 3e-3, 4e-3, 5e-3, 6e-3, 8e-3]) {
  const loss = meanAbsLog(benchSamples(trainBench, { ...best, stepOverheadS }).samples);
  if (loss < bestStepLoss) { bestStepLoss = loss; bestStep = stepOverheadS; }
}
best = { ...best, stepOverheadS: bestStep };

console.log('fitted efficiency profile (training split):');
console.log(JSON.stringify(best, null, 2));
console.log(`\nheld-out operator error (every 5th row), fitted defaults:\n${summaryTable(summarize(opSamples(best, test)))}`);
console.log(`\nheld-out collective error (Vidur H100 DGX):\n${summaryTable(summarize(vidurCollectiveSamples(collectiveCsv, best, test)))}`);
const heldBench = bench.filter((row) => row.heldOut);
console.log(`\nheld-out end-to-end error (LLM-Inference-Bench A100):\n${summaryTable(summarize(benchSamples(heldBench, best).samples))}`);
