// End-to-end serving runs of argonne-lcf/LLM-Inference-Bench (BSD-3-Clause): latency of a batch whose
// input and output lengths are equal, on 1–8 devices with TP. A100 rows run on Polaris (A100-SXM4-40GB).
// An "MI250 GPU" is the OAM package, two GCDs that software sees as two devices: Mixtral-8x7B (93 GB of fp16
// weights) runs on one and Llama-2-70B (138 GB) on two, which one 64 GB GCD per device could not hold, and vLLM has
// no Qwen2-7B run on four (28 heads do not split 8 ways). So a row's TP is 2 × its devices, on genz's mi250-gcd.
// No fit uses rows other than the A100's (FIT_HARDWARE): the rest is out of sample for the host times and efficiencies.
// Reads the project's extract (data/llm_inference_bench_a100_mi250.csv, snake_case header) and the repository's own
// Plots/All_results.csv (Hardware, Num of Hardware, …), whose other hardware (H100, GH200, MI300X, Gaudi2, Intel GPUs,
// SN40L) the extract leaves out; rows genz cannot place are counted by reason, never dropped silently.
import { GenzError, estimate, type EfficiencyProfile, type EstimateReport, type ServingFramework } from '../../index.ts';
import { parseCsv, num } from './csv.ts';
import type { Sample } from './error-stats.ts';

/** The file's model names → genz presets. */
const MODEL: Record<string, string> = {
  'meta-llama/Llama-2-7b-hf': 'llama-2-7b',
  'meta-llama/Llama-2-70b-hf': 'llama-2-70b',
  'meta-llama/Meta-Llama-3-8B': 'llama-3-8b',
  'meta-llama/Meta-Llama-3-70B': 'llama-3-70b',
  'mistralai/Mistral-7B-v0.1': 'mistral-7b',
  'mistralai/Mixtral-8x7B-v0.1': 'mixtral-8x7b',
  'Qwen/Qwen2-7B': 'qwen2-7b',
  'Qwen/Qwen2-72B': 'qwen2-72b',
  'facebook/opt-6.7b': 'opt-6.7b',
  // LLaMA-1 7B has Llama-2-7B's shapes (d 4096, 32 layers and heads, FFN 11008, vocab 32000); only its context
  // (2048 vs 4096) differs, and no row is longer.
  'huggyllama/llama-7b': 'llama-2-7b',
};

/** The file's hardware → the genz device a row runs on, and how many of them one listed device is. */
const HARDWARE: Record<string, { id: string; perDevice: number }> = {
  'Nvidia A100 GPU': { id: 'a100-40gb-sxm', perDevice: 1 },
  'AMD MI250 GPU': { id: 'mi250-gcd', perDevice: 2 },
  // 80 GB HBM3 (the repository's H100 notes): the SXM5 part; 2 and 4 GPUs meet over NVLink.
  'Nvidia H100 GPU': { id: 'h100-sxm', perDevice: 1 },
  // The repository documents its GH200 as 96 GB HBM3 (not the later 144 GB HBM3e).
  'Nvidia GH200 GPU': { id: 'gh200-96gb', perDevice: 1 },
  'AMD MI300X GPU': { id: 'mi300x', perDevice: 1 },
  'Habana Gaudi2': { id: 'gaudi2', perDevice: 1 },
};

/** The repository's own column names → the extract's. */
const COLUMN_ALIASES: Record<string, string> = {
  Hardware: 'hardware', 'Num of Hardware': 'num_devices', Framework: 'framework', Model: 'model',
  'Input Output Length': 'input_output_len', 'Batch Size': 'batch_size', Latency: 'latency_s', Throughput: 'throughput_tok_s',
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

/** A row of a file genz cannot place: its index (as BenchRow's) and why. */
export interface SkippedRow { index: number; reason: string }

/** Every row genz can place on a preset model and device, and the others with the reason. */
export function readBench(csv: string): { rows: BenchRow[]; skipped: SkippedRow[] } {
  const skipped: SkippedRow[] = [];
  const parsed = parseCsv(csv).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [COLUMN_ALIASES[k.trim()] ?? k.trim(), v.trim()])));
  const missing = ['hardware', 'num_devices', 'framework', 'model', 'input_output_len', 'batch_size', 'latency_s'].filter((c) => parsed.length > 0 && !(c in parsed[0]!));
  if (missing.length > 0) throw new GenzError('invalid_input', `not an LLM-Inference-Bench CSV: no column ${missing.join(', ')}`, ['file']);
  const rows = parsed.flatMap((row, index): BenchRow[] => {
    const hardware = HARDWARE[row.hardware!];
    const model = MODEL[row.model!];
    if (!hardware || !model) {
      skipped.push({ index, reason: !hardware ? `no genz preset for hardware "${row.hardware}"` : `no genz preset for model "${row.model}"` });
      return [];
    }
    const devices = num(row, 'num_devices');
    return [{
      index, framework: row.framework!, hardware: hardware.id, model, devices, tp: devices * hardware.perDevice,
      split: row.framework === 'llama.cpp' ? 'layers' : 'tp', batch: num(row, 'batch_size'),
      tokens: num(row, 'input_output_len'), latencyS: num(row, 'latency_s'),
    }];
  });
  return { rows, skipped };
}

/** The rows of readBench (the fits and the accuracy tests use the project's extract, where every row is placed). */
export function benchRows(csv: string): BenchRow[] {
  return readBench(csv).rows;
}

/** genz's name of a framework in the file (its per-step host overhead: simulator/serving/frameworks.ts). */
export const BENCH_FRAMEWORK: Readonly<Record<string, ServingFramework>> = {
  vLLM: 'vllm', 'TensorRT-LLM': 'tensorrt-llm', 'Deepspeed-MII': 'deepspeed-mii', 'llama.cpp': 'llama.cpp',
};
// Gaudi2's "Deepspeed" (Habana's DeepSpeed inference, not MII) and SambaNova's sambaflow have no fitted host time:
// they run with none.

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
