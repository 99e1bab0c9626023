// End-to-end serving runs of argonne-lcf/LLM-Inference-Bench (BSD-3-Clause): latency of a batch whose
// input and output lengths are equal, on 1–4 devices with TP. A100 rows run on Polaris (A100-SXM4-40GB).
// An "MI250 GPU" is the OAM package, two GCDs that software sees as two devices: Mixtral-8x7B (93 GB of fp16
// weights) runs on one and Llama-2-70B (138 GB) on two, which one 64 GB GCD per device could not hold, and vLLM has
// no Qwen2-7B run on four (28 heads do not split 8 ways). So a row's TP is 2 × its devices, on genz's mi250-gcd.
// No fit uses the MI250 rows (FIT_HARDWARE): its error is out of sample for the host times and efficiencies.
import { GenzError, estimate, type EfficiencyProfile, type EstimateReport, type ServingFramework } from '../../index.ts';
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

/** The file's hardware → the genz device a row runs on, and how many of them one listed device is. */
const HARDWARE: Record<string, { id: string; perDevice: number }> = {
  'Nvidia A100 GPU': { id: 'a100-40gb-sxm', perDevice: 1 },
  'AMD MI250 GPU': { id: 'mi250-gcd', perDevice: 2 },
};

/** The A100 rows: what fit-defaults and fit-frameworks fit on (the MI250 rows stay out of every fit). */
export const FIT_HARDWARE = 'a100-40gb-sxm';

export interface BenchRow {
  /** Row number in the file (0-based, header excluded): the train/held-out split keys on it. */
  index: number;
  framework: string;
  hardware: string;
  model: string;
  /** Devices as the file counts them. */
  devices: number;
  /** Devices in genz's terms (an MI250 is two GCDs). */
  tp: number;
  /**
   * How the framework spreads the model over them: tensor parallel (vLLM, TensorRT-LLM, DeepSpeed-MII), or layers
   * (llama.cpp's default --split-mode layer: each device holds a slice of the layers and a token passes them in turn).
   */
  split: 'tp' | 'layers';
  batch: number;
  tokens: number;
  latencyS: number;
}

export function benchRows(csv: string): BenchRow[] {
  return parseCsv(csv).flatMap((row, index) => {
    const hardware = HARDWARE[row.hardware!];
    const model = MODEL[row.model!];
    if (!hardware || !model) return [];
    const devices = num(row, 'num_devices');
    return [{
      index, framework: row.framework!, hardware: hardware.id, model, devices, tp: devices * hardware.perDevice,
      split: row.framework === 'llama.cpp' ? 'layers' : 'tp', batch: num(row, 'batch_size'),
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
    model: row.model, hardware: row.hardware, ...(row.split === 'layers' ? { pp: row.tp } : { tp: row.tp }), batch: row.batch, inputTokens: row.tokens, outputTokens: row.tokens,
    dtype: 'fp16', calibration, ...(efficiency ? { efficiency } : {}),
    ...(withFramework ? { framework: BENCH_FRAMEWORK[row.framework] ?? 'none' } : {}),
  });
}

/**
 * One sample per row that fits in memory. Rows genz says do not fit are counted (`infeasible`), and so are rows
 * genz refuses to split that way (`unsplit`: a TP degree that does not divide the heads; none in this file since
 * llama.cpp's rows are split by layers, which genz's pipeline stages do unevenly as llama.cpp does).
 */
export function benchSamples(rows: readonly BenchRow[], efficiency?: Partial<EfficiencyProfile>, calibration: 'none' | 'default' = 'none',
  withFramework = false): { samples: Sample[]; infeasible: number; unsplit: number } {
  const samples: Sample[] = [];
  let infeasible = 0;
  let unsplit = 0;
  for (const row of rows) {
    let report: EstimateReport;
    try {
      report = benchEstimate(row, efficiency, calibration, withFramework);
    } catch (err) {
      if (err instanceof GenzError && err.problems.some((p) => p.path[0] === 'tp' || p.path[0] === 'pp')) { unsplit++; continue; }
      throw err;
    }
    if (!report.feasible) { infeasible++; continue; }
    samples.push({ group: `${row.framework} ${row.hardware}`, predictedS: report.e2eS, measuredS: row.latencyS });
  }
  return { samples, infeasible, unsplit };
}
