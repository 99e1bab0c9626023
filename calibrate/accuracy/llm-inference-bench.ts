// End-to-end serving runs of argonne-lcf/LLM-Inference-Bench (BSD-3-Clause): latency of a batch whose
// input and output lengths are equal, on 1–8 devices with TP. A100 rows run on Polaris (A100-SXM4-40GB).
// An "MI250 GPU" is the OAM package, two GCDs that software sees as two devices: Mixtral-8x7B (93 GB of fp16
// weights) runs on one and Llama-2-70B (138 GB) on two, which one 64 GB GCD per device could not hold, and vLLM has
// no Qwen2-7B run on four (28 heads do not split 8 ways). So a row's TP is 2 × its devices, on genz's mi250-gcd.
// No fit uses rows other than the A100's (FIT_HARDWARE): the rest is out of sample for the host times and efficiencies.
// llama.cpp's "Batch Size" is its n_batch, the prompt tokens one llama_decode call takes, for one sequence: its
// throughput column is (input + output) / latency, and its latency halves from batch 1 to 16 (A100, Llama-2-7B:
// 4.34 s → 2.33 s at 128 + 128 tokens) as the prompt goes in 8 calls instead of 128. The other frameworks' is the
// number of sequences.
// Reads the project's extract (data/llm_inference_bench_a100_mi250.csv, snake_case header) and the repository's own
// Plots/All_results.csv (Hardware, Num of Hardware, …), whose other hardware (H100, GH200, MI300X, Gaudi2, Intel GPUs,
// SN40L) the extract leaves out; rows genz cannot place are counted by reason, never dropped silently.
import { GenzError, estimate, findModel, type EfficiencyProfile, type EstimateReport, type FrameworkCosts, type ServingFramework } from '../../index.ts';
import { parseCsvTable } from '../importers/table.ts';
import { positive } from './csv.ts';
import { isHeldOut, type Sample } from './error-stats.ts';
import { stableHash } from '../op-family.ts';

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
  // differs (SOURCE_CONTEXT).
  'huggyllama/llama-7b': 'llama-2-7b',
};

/** Context of a file model whose genz preset has a longer one (the run cannot be longer than the model's). */
const SOURCE_CONTEXT: Record<string, number> = { 'huggyllama/llama-7b': 2048 };

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
  /** Row number in the file (0-based, header excluded). */
  index: number;
  /** In the held-out split (heldOutRun): no fit reads it. */
  heldOut: boolean;
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
  /** The file's Batch Size: sequences, but llama.cpp's prompt tokens per call (n_batch) for one sequence. */
  batch: number;
  /** Concurrent sequences genz runs: 1 for llama.cpp, else batch. */
  sequences: number;
  /** llama.cpp: prompt tokens per forward pass (n_batch); the prompt takes ⌈tokens / n⌉ passes. */
  promptChunk?: number;
  tokens: number;
  latencyS: number;
  /** Every sequence of the batch is one prompt repeated (REPEATED_PROMPT): an MoE routes them alike. */
  identicalPrompts: boolean;
}

/**
 * Frameworks whose runs in the file repeat one prompt over the batch: LLM-Inference-Bench's DeepSpeed-MII script
 * sends one prompt string for every sequence, and its TensorRT-LLM runs time gptSessionBenchmark on one prompt file.
 * Its vLLM runs draw random token ids per sequence. Only a mixture of experts tells them apart, and the file's
 * Mixtral-8x7B rows do: on 4 A100s at 1,024 tokens, batch 16 takes 1.37× the time of batch 1 under TensorRT-LLM and
 * 2.37× under vLLM, where the dense Mistral-7B (1 A100) takes 1.38× and 1.41×. Priced as independent prompts, genz
 * put TensorRT-LLM's and DeepSpeed-MII's Mixtral runs at a median 1.56× and 1.32× their time (vLLM's 0.96×).
 */
export const REPEATED_PROMPT = new Set(['TensorRT-LLM', 'Deepspeed-MII']);

/**
 * A row of a file genz cannot place: its index and split (as BenchRow's), whether it is of the hardware the fits read
 * (FIT_HARDWARE; false where its hardware is unknown or another), and why.
 */
/** A row left out: its index among the data rows, its line in the file, and why. */
export interface SkippedRow { index: number; line: number; heldOut: boolean; fitHardware: boolean; reason: string }

/**
 * The held-out split: one run in five by the FNV-1a hash of its configuration (framework, hardware, model, devices,
 * batch, length as the file writes them). Not every 5th row: the file sweeps five lengths in blocks, so every 5th
 * row held out mostly one or two lengths per group (37 of vLLM's 46 held-out A100 rows were 256 tokens, and no
 * TensorRT-LLM row of 2,048: a review, 2026-11-27), and a run the file repeats (54 configurations) fell on both sides.
 */
export function heldOutRun(configuration: readonly string[]): boolean {
  return stableHash(configuration.join('|')) % 5 === 4;
}

/** The file's columns genz reads (the extract's names; All_results.csv's are mapped by COLUMN_ALIASES). */
const COLUMNS = ['hardware', 'num_devices', 'framework', 'model', 'input_output_len', 'batch_size', 'latency_s'] as const;

/**
 * Every row genz can place on a preset model and device, and the others with the reason: no preset, a cell that is
 * not a positive number, a run longer than the model's context (the file holds such rows, timed at ~0.05 s: failed
 * runs).
 */
export function readBench(csv: string): { rows: BenchRow[]; skipped: SkippedRow[] } {
  const skipped: SkippedRow[] = [];
  const table = parseCsvTable(csv);
  const names = table.header.map((k) => COLUMN_ALIASES[k] ?? k);
  const missing = COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new GenzError('invalid_input', `not an LLM-Inference-Bench CSV: no column ${missing.join(', ')}`, ['file']);
  const rows = table.records.flatMap((record, index): BenchRow[] => {
    let heldOut = isHeldOut(index);
    let fitHardware = false;
    const skip = (reason: string): [] => { skipped.push({ index, line: record.line, heldOut, fitHardware, reason }); return []; };
    if (record.width !== names.length) return skip(`${record.width} cells where the header has ${names.length}`);
    const row = Object.fromEntries(table.header.map((name, i) => [names[i]!, record.cells[name]!.trim()])) as Record<(typeof COLUMNS)[number], string>;
    heldOut = heldOutRun([row.framework, row.hardware, row.model, row.num_devices, row.batch_size, row.input_output_len]);
    const hardware = Object.hasOwn(HARDWARE, row.hardware) ? HARDWARE[row.hardware] : undefined;
    fitHardware = hardware?.id === FIT_HARDWARE;
    const model = Object.hasOwn(MODEL, row.model) ? MODEL[row.model] : undefined;
    if (!hardware) return skip(`no genz preset for hardware "${row.hardware}"`);
    if (!model) return skip(`no genz preset for model "${row.model}"`);
    const [devices, batch, tokens] = (['num_devices', 'batch_size', 'input_output_len'] as const).map((c) => positive(row[c], true));
    const latencyS = positive(row.latency_s, false);
    if (devices === undefined || batch === undefined || tokens === undefined || latencyS === undefined) {
      return skip('a device count, batch or length that is not a positive whole number, or a latency that is not a positive number');
    }
    const context = SOURCE_CONTEXT[row.model] ?? findModel(model)!.maxPositionEmbeddings;
    if (2 * tokens > context) return skip(`input + output longer than the model's context (${context} tokens): a failed run`);
    const llamaCpp = row.framework === 'llama.cpp';
    return [{
      index, heldOut, framework: row.framework, hardware: hardware.id, model, devices, tp: devices * hardware.perDevice,
      split: llamaCpp ? 'layers' : 'tp', batch, sequences: llamaCpp ? 1 : batch, ...(llamaCpp ? { promptChunk: batch } : {}),
      tokens, latencyS, identicalPrompts: REPEATED_PROMPT.has(row.framework),
    }];
  });
  return { rows, skipped };
}

/** The rows of readBench (the fits and the accuracy tests read the project's extract; its 4 DeciLM rows are left out). */
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
 * genz's latency of a row: `calibration` 'none' (the default here) prices ops with the efficiency factors alone;
 * 'default' uses shipped profiles. `withFramework` adds the row's framework costs, the fitted ones or those given (the request's
 * `framework`). A llama.cpp row is one sequence whose prompt goes in ⌈tokens / n_batch⌉ forward passes of n_batch
 * tokens (each priced as a prefill of that many tokens: the context a later pass attends over is left out, a small
 * share for these models at ≤ 2,048 tokens), then its decode steps.
 */
export function benchLatency(row: BenchRow, efficiency?: Partial<EfficiencyProfile>, calibration: 'none' | 'default' = 'none',
  withFramework: boolean | FrameworkCosts = false): { feasible: boolean; e2eS: number; maxBatchThatFits: number } {
  const run = (sequences: number, inputTokens: number, outputTokens: number): EstimateReport => estimate({
    model: row.model, hardware: row.hardware, ...(row.split === 'layers' ? { pp: row.tp } : { tp: row.tp }), batch: sequences, inputTokens, outputTokens,
    dtype: 'fp16', calibration, identicalPrompts: row.identicalPrompts, ...(efficiency ? { efficiency } : {}),
    ...(withFramework === false ? {} : { framework: BENCH_FRAMEWORK[row.framework] ?? 'none' }),
    ...(typeof withFramework === 'object' ? { frameworkCosts: withFramework } : {}),
  });
  const whole = run(row.sequences, row.tokens, row.tokens);
  const maxBatchThatFits = whole.maxBatchThatFits;
  if (row.promptChunk === undefined || row.promptChunk >= row.tokens || !whole.feasible) return { feasible: whole.feasible, e2eS: whole.e2eS, maxBatchThatFits };
  const passes = Math.floor(row.tokens / row.promptChunk);
  const rest = row.tokens - passes * row.promptChunk;
  const chunk = run(1, row.promptChunk, 1);
  const last = rest > 0 ? run(1, rest, 1) : undefined;
  const promptS = chunk.ttftS + (passes - 1) * promptPassIntervalS(chunk) + (last === undefined ? 0 : promptPassIntervalS(last));
  return { feasible: chunk.feasible && (last?.feasible ?? true), e2eS: promptS + whole.e2eS - whole.ttftS, maxBatchThatFits };
}

/**
 * A row whose sequences' KV cache genz finds over the devices' memory, priced as a serving framework runs it: at most
 * the largest batch that fits at once (EstimateReport.maxBatchThatFits), the batch in ⌈batch / that⌉ waves one
 * after another (equal lengths: a wave's sequences start and finish together), the last wave the remainder. The
 * frameworks did run these (vLLM admits what fits and preempts as the cache grows, TensorRT-LLM and DeepSpeed-MII
 * queue), so the file times them. Null for a row that fits, a single sequence (llama.cpp's rows) or one whose one
 * sequence does not fit. `whole`: the row's own benchLatency, where the caller has it.
 */
export function queuedBenchLatency(row: BenchRow, efficiency?: Partial<EfficiencyProfile>, calibration: 'none' | 'default' = 'none',
  withFramework: boolean | FrameworkCosts = false,
  whole: ReturnType<typeof benchLatency> = benchLatency(row, efficiency, calibration, withFramework)): { e2eS: number; waves: number; concurrent: number } | null {
  const concurrent = whole.maxBatchThatFits;
  if (whole.feasible || row.sequences <= 1 || concurrent < 1) return null;
  const waves = Math.ceil(row.sequences / concurrent);
  const rest = row.sequences - (waves - 1) * concurrent;
  const wave = (sequences: number): number => benchLatency({ ...row, batch: sequences, sequences }, efficiency, calibration, withFramework).e2eS;
  return { e2eS: (waves - 1) * wave(concurrent) + wave(rest), waves, concurrent };
}

/**
 * llama.cpp keeps up to this many prompt passes in flight through its layer-split pipeline (GGML_SCHED_MAX_COPIES,
 * ggml-backend.c: the scheduler's copies of the inputs).
 */
const LLAMA_CPP_PASSES_IN_FLIGHT = 4;

/**
 * How much one more prompt pass adds. On one device a pass follows the last (its whole time). Split by layers over
 * pp devices, llama.cpp does not wait for a pass to leave the last device before the next enters the first: a pass
 * adds its slowest stage (with its hand-off) and its share of the host time (which, a fitted catch-all, is spread over
 * the stages like the work), at least the pipeline's whole time over the passes it holds in flight. The file's Llama-2-7B prompt passes at n_batch 1 take 16.7 ms on one A100,
 * 9.4 ms on two and 3.4–5.4 ms on four (their decode steps 17.2, 18.1, 20.3 ms: a review, 2026-11-27); priced one
 * after another, genz put the 4-GPU batch-1 runs at a median 1.41× their time.
 */
function promptPassIntervalS(pass: EstimateReport): number {
  const pp = pass.parallel.pp;
  if (pp === 1) return pass.ttftS;
  return Math.max(pass.parallel.prefillStageIntervalS + pass.parallel.hostStepS / pp, pass.ttftS / Math.min(pp, LLAMA_CPP_PASSES_IN_FLIGHT));
}

/**
 * One sample per row that fits in memory. Rows genz says do not fit are counted (`infeasible`), and so are rows
 * genz refuses to split that way (`unsplit`: a TP degree that does not divide the heads; none in this file since
 * llama.cpp's rows are split by layers, which genz's pipeline stages do unevenly as llama.cpp does).
 */
export function benchSamples(rows: readonly BenchRow[], efficiency?: Partial<EfficiencyProfile>, calibration: 'none' | 'default' = 'none',
  withFramework: boolean | FrameworkCosts = false): { samples: Sample[]; infeasible: number; unsplit: number } {
  const samples: Sample[] = [];
  let infeasible = 0;
  let unsplit = 0;
  for (const row of rows) {
    const report = splitBenchLatency(row, efficiency, calibration, withFramework);
    if (report === null) { unsplit++; continue; }
    if (!report.feasible) { infeasible++; continue; }
    samples.push({ group: `${row.framework} ${row.hardware}`, predictedS: report.e2eS, measuredS: row.latencyS });
  }
  return { samples, infeasible, unsplit };
}

/** benchLatency, or null where genz refuses the row's split (a TP degree that does not divide the heads). */
function splitBenchLatency(row: BenchRow, efficiency: Partial<EfficiencyProfile> | undefined, calibration: 'none' | 'default',
  withFramework: boolean | FrameworkCosts): ReturnType<typeof benchLatency> | null {
  try {
    return benchLatency(row, efficiency, calibration, withFramework);
  } catch (err) {
    if (err instanceof GenzError && err.problems.some((p) => p.path[0] === 'tp' || p.path[0] === 'pp')) return null;
    throw err;
  }
}

/**
 * One sample per row over genz's memory capacity that queuedBenchLatency can price (none of them is in any fit: the
 * fits take rows that fit), and the count of those it cannot (one sequence does not fit, or a single sequence).
 * Rows genz refuses to split that way are benchSamples' `unsplit`, not counted here.
 */
export function queuedBenchSamples(rows: readonly BenchRow[], efficiency?: Partial<EfficiencyProfile>, calibration: 'none' | 'default' = 'none',
  withFramework: boolean | FrameworkCosts = false): { samples: Sample[]; unpriced: number } {
  const samples: Sample[] = [];
  let unpriced = 0;
  for (const row of rows) {
    const whole = splitBenchLatency(row, efficiency, calibration, withFramework);
    if (whole === null || whole.feasible) continue;
    const queued = queuedBenchLatency(row, efficiency, calibration, withFramework, whole);
    if (queued === null) { unpriced++; continue; }
    samples.push({ group: `${row.framework} ${row.hardware}`, predictedS: queued.e2eS, measuredS: row.latencyS });
  }
  return { samples, unpriced };
}
