// Why genz misses llama.cpp on the MI250 (docs/accuracy.md): the rate at which each llama.cpp run streams its
// weights through a decode step, measured and as genz prices it. A step of one sequence reads every fp16 weight
// once (but the input embedding table, which it gathers a row of), so those bytes ÷ time per step is a bandwidth,
// comparable across model sizes and with the device's peak.
import { estimate, findModel, paramBreakdown } from '../../index.ts';
import { medianP90 } from './error-stats.ts';
import { benchLatency, type BenchRow } from './llm-inference-bench.ts';

/** llama.cpp's prompt passes per run (n_batch tokens each): runs of the file's largest n_batch keep them few. */
export const RATE_PROMPT_CHUNK = 64;
/** The longest runs read here: at 512 tokens the 8 prompt passes are 1.5 % of the steps. */
export const RATE_MAX_TOKENS = 512;

export interface StreamRateGroup {
  hardware: string;
  /** '7–8B' or '70–72B' (the file's two sizes of dense model; Mixtral's experts are read in part and left out). */
  size: string;
  runs: number;
  /** Medians over the runs, GB/s of the fp16 weights a step reads (all but the input embedding table). */
  measuredGBs: number;
  kernelsGBs: number;
  withHostGBs: number;
}

/**
 * Per device and model size, the median weight-stream rate of llama.cpp's dense-model runs of n_batch
 * RATE_PROMPT_CHUNK and at most RATE_MAX_TOKENS tokens: measured, and genz's with the shipped profiles, without and
 * with llama.cpp's fitted host costs. A run's steps are its output tokens plus its prompt passes (a pass reads the
 * weights once too; at 64 tokens its arithmetic is small beside the reads), and each way's rate is the weights over
 * its time per step.
 */
export function llamaCppStreamRates(rows: readonly BenchRow[]): StreamRateGroup[] {
  const groups = new Map<string, { hardware: string; size: string; measured: number[]; kernels: number[]; withHost: number[] }>();
  for (const row of rows) {
    if (row.framework !== 'llama.cpp' || row.promptChunk !== RATE_PROMPT_CHUNK || row.tokens > RATE_MAX_TOKENS || row.model.includes('mixtral')) continue;
    const params = paramBreakdown(findModel(row.model)!);
    // A tied table is the LM head's weight too, read whole every step.
    const gatheredBytes = params.lmHead > 0 ? 2 * params.embedding : 0;
    const weightsBytes = estimate({ model: row.model, hardware: row.hardware, pp: row.tp, inputTokens: 1, outputTokens: 1, dtype: 'fp16' }).memory.totalWeightsBytes - gatheredBytes;
    const steps = row.tokens + Math.ceil(row.tokens / RATE_PROMPT_CHUNK);
    const rate = (seconds: number): number => weightsBytes / (seconds / steps) / 1e9;
    const size = weightsBytes > 50e9 ? '70–72B' : '7–8B';
    const key = `${row.hardware} ${size}`;
    const group = groups.get(key) ?? groups.set(key, { hardware: row.hardware, size, measured: [], kernels: [], withHost: [] }).get(key)!;
    group.measured.push(rate(row.latencyS));
    group.kernels.push(rate(benchLatency(row, undefined, 'default', false).e2eS));
    group.withHost.push(rate(benchLatency(row, undefined, 'default', true).e2eS));
  }
  const order = (size: string): number => (size === '7–8B' ? 0 : 1);
  return [...groups.values()].sort((a, b) => a.hardware.localeCompare(b.hardware) || order(a.size) - order(b.size)).map((g) => ({
    hardware: g.hardware, size: g.size, runs: g.measured.length,
    measuredGBs: medianP90(g.measured).median, kernelsGBs: medianP90(g.kernels).median, withHostGBs: medianP90(g.withHost).median,
  }));
}
