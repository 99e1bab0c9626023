// End-to-end serving runs of argonne-lcf/LLM-Inference-Bench (BSD-3-Clause): latency of a batch whose
// input and output lengths are equal, on 1–4 devices with TP. A100 rows run on Polaris (A100-SXM4-40GB).
import { estimate, type EfficiencyProfile, type EstimateReport, type ServingFramework } from '../../index.ts';
import { parseCsv, num } from './csv.ts';
import type { Sample } from './error-stats.ts';

const MODEL: Record<string, string> = {
  'meta-llama/Llama-2-7b-hf': 'llama-2-7b',
  'meta-llama/Llama-2-70b-hf': 'llama-2-70b',
  'meta-llama/Meta-Llama-3-8B': 'llama-3-8b',
  'meta-llama/Meta-Llama-3-70B': 'llama-3-70b',
  'mistralai/Mistral-7B-v0.1': 'mistral-7b',
  'mistralai/Mixtral-8x7B-v0.1': 'mixtral-8x7b',
  'Qwen/Qwen2-7B': 'qwen2-7b',
  'Qwen/Qwen2-72B': 'qwen2-72b',
};

const HARDWARE: Record<string, string> = { 'Nvidia A100 GPU': 'a100-40gb-sxm' };

export interface BenchRow {
  /** Row number in the file (0-based, header excluded): the train/held-out split keys on it. */
  index: number;
  framework: string;
  hardware: string;
  model: string;
  devices: number;
  batch: number;
  tokens: number;
  latencyS: number;
}

export function benchRows(csv: string): BenchRow[] {
  return parseCsv(csv).flatMap((row, index) => {
    const hardware = HARDWARE[row.hardware!];
    const model = MODEL[row.model!];
    if (!hardware || !model) return [];
    return [{
      index, framework: row.framework!, hardware, model, devices: num(row, 'num_devices'), batch: num(row, 'batch_size'),
      tokens: num(row, 'input_output_len'), latencyS: num(row, 'latency_s'),
    }];
  });
}

/** genz's name of a framework in the file (its per-step host overhead: simulator/serving/frameworks.ts). */
export const BENCH_FRAMEWORK: Readonly<Record<string, ServingFramework>> = {
  vLLM: 'vllm', 'TensorRT-LLM': 'tensorrt-llm', 'Deepspeed-MII': 'deepspeed-mii', 'llama.cpp': 'llama.cpp',
};

/**
 * `calibration` 'none' (the default here) prices ops with the efficiency factors alone; 'default' uses shipped
 * profiles. `withFramework` adds the row's framework overhead per step (the request's `framework`).
 */
export function benchEstimate(row: BenchRow, efficiency?: Partial<EfficiencyProfile>, calibration: 'none' | 'default' = 'none', withFramework = false): EstimateReport {
  return estimate({
    model: row.model, hardware: row.hardware, tp: row.devices, batch: row.batch, inputTokens: row.tokens, outputTokens: row.tokens,
    dtype: 'fp16', calibration, ...(efficiency ? { efficiency } : {}),
    ...(withFramework ? { framework: BENCH_FRAMEWORK[row.framework] ?? 'none' } : {}),
  });
}

/** One sample per row that fits in memory (rows that genz says do not fit are counted separately). */
export function benchSamples(rows: readonly BenchRow[], efficiency?: Partial<EfficiencyProfile>, calibration: 'none' | 'default' = 'none',
  withFramework = false): { samples: Sample[]; infeasible: number } {
  const samples: Sample[] = [];
  let infeasible = 0;
  for (const row of rows) {
    const report = benchEstimate(row, efficiency, calibration, withFramework);
    if (!report.feasible) { infeasible++; continue; }
    samples.push({ group: `${row.framework} ${row.hardware}`, predictedS: report.e2eS, measuredS: row.latencyS });
  }
  return { samples, infeasible };
}
