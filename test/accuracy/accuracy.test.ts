// Accuracy against measured data (data/, copied from ../shared/data with manifest entries), on the held-out
// split that calibrate/fit-defaults.ts did not fit on. Prints the error tables; asserts regression guards.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EFFICIENCY, IDEAL_EFFICIENCY, estimate, findDevice, findModel, paramBreakdown } from '../../index.ts';
import { RATE_MAX_TOKENS, RATE_PROMPT_CHUNK, llamaCppStreamRates, type StreamRateGroup } from '../../calibrate/accuracy/llama-cpp-rates.ts';
import { vidurAttentionSamples, vidurMlpSamples } from '../../calibrate/accuracy/vidur.ts';
import { vidurCollectiveSamples } from '../../calibrate/accuracy/collectives.ts';
import { BENCH_FRAMEWORK, benchLatency, benchRows, benchSamples, queuedBenchLatency, queuedBenchSamples } from '../../calibrate/accuracy/llm-inference-bench.ts';
import { isHeldOut, summarize, summaryTable, type ErrorSummary } from '../../calibrate/accuracy/error-stats.ts';

const read = (name: string): string => readFileSync(new URL(`../../data/${name}`, import.meta.url), 'utf8');
const byGroup = (summaries: ErrorSummary[]): Map<string, ErrorSummary> => new Map(summaries.map((s) => [s.group, s]));

describe('operators against Vidur (A100, A40), held-out rows', () => {
  const mlp = read('vidur_mlp_llama2-7b_tp1_a100_a40.csv');
  const attention = read('vidur_attention_a100_llama2-70b_tp2_subsample.csv');
  const run = (eff: typeof DEFAULT_EFFICIENCY): ErrorSummary[] =>
    summarize([...vidurMlpSamples(mlp, eff, isHeldOut), ...vidurAttentionSamples(attention, eff, isHeldOut)]);
  const defaults = run(DEFAULT_EFFICIENCY);
  const ideal = run(IDEAL_EFFICIENCY);
  console.log(`Vidur operators, held-out, defaults:\n${summaryTable(defaults)}\n\nefficiency 1:\n${summaryTable(ideal)}`);

  it('GEMMs: median error ≤ 10% and p90 ≤ 25% on both devices', () => {
    for (const group of ['gemm a100', 'gemm a40']) {
      const s = byGroup(defaults).get(group)!;
      expect(s.medianAbsPctError).toBeLessThanOrEqual(10);
      expect(s.p90AbsPctError).toBeLessThanOrEqual(25);
    }
  });

  it('decode attention: median error ≤ 20%', () => {
    expect(byGroup(defaults).get('attention-decode a100')!.medianAbsPctError).toBeLessThanOrEqual(20);
  });

  it('the fitted defaults beat the pure roofline in every GEMM and attention group', () => {
    const pure = byGroup(ideal);
    for (const s of defaults.filter((d) => d.group.startsWith('gemm') || d.group.startsWith('attention'))) {
      expect(s.medianAbsPctError).toBeLessThan(pure.get(s.group)!.medianAbsPctError);
    }
  });
});

describe('collectives against Vidur (H100 DGX), held-out rows', () => {
  // One network efficiency for every group: the in-switch (NVLS) model with it prices 8-GPU all-reduces at 0.69 × the
  // measured median (31% off) and 2-GPU ones within 10%, with Vidur's sizes read as bytes (2026-11-26; 18% when they
  // were read as elements). The calibrated curve takes the 8-GPU group to ~3% (docs/calibration.md).
  it('8-GPU all-reduce: median error of the defaults ≤ 35%, and no group worse than 60%', () => {
    const summaries = summarize(vidurCollectiveSamples(read('vidur_collectives_h100_dgx.csv'), DEFAULT_EFFICIENCY, isHeldOut));
    console.log(`Vidur collectives, held-out, defaults:\n${summaryTable(summaries)}`);
    expect(byGroup(summaries).get('all_reduce n=8 h100')!.medianAbsPctError).toBeLessThanOrEqual(35);
    for (const s of summaries) expect(s.medianAbsPctError, s.group).toBeLessThanOrEqual(60);
  });
});

describe('end to end against LLM-Inference-Bench (A100), held-out rows', () => {
  it('vLLM and TensorRT-LLM: median error ≤ 15%, and better than the pure roofline', () => {
    const rows = benchRows(read('llm_inference_bench_a100_mi250.csv')).filter((r) => r.heldOut);
    const defaults = summarize(benchSamples(rows).samples);
    const ideal = byGroup(summarize(benchSamples(rows, IDEAL_EFFICIENCY).samples));
    console.log(`LLM-Inference-Bench, held-out, defaults:\n${summaryTable(defaults)}`);
    for (const group of ['vLLM a100-40gb-sxm', 'TensorRT-LLM a100-40gb-sxm']) {
      const s = byGroup(defaults).get(group)!;
      expect(s.medianAbsPctError).toBeLessThanOrEqual(15);
      expect(s.medianAbsPctError).toBeLessThan(ideal.get(group)!.medianAbsPctError);
    }
  });

  it('with the shipped A100 kernel profile (Vidur, per-op timings) end to end stays within 25% median', () => {
    const rows = benchRows(read('llm_inference_bench_a100_mi250.csv')).filter((r) => r.heldOut);
    const calibrated = summarize(benchSamples(rows, undefined, 'default').samples);
    console.log(`LLM-Inference-Bench, held-out, shipped calibration profiles:\n${summaryTable(calibrated)}`);
    for (const group of ['vLLM a100-40gb-sxm', 'TensorRT-LLM a100-40gb-sxm']) {
      expect(byGroup(calibrated).get(group)!.medianAbsPctError).toBeLessThanOrEqual(25);
    }
  });

  it('calibrated kernels plus the framework\'s host time (fitted on the training rows) beat the kernels alone', () => {
    const rows = benchRows(read('llm_inference_bench_a100_mi250.csv')).filter((r) => r.heldOut);
    const alone = byGroup(summarize(benchSamples(rows, undefined, 'default').samples));
    const withFramework = summarize(benchSamples(rows, undefined, 'default', true).samples);
    console.log(`LLM-Inference-Bench, held-out, shipped calibration profiles + framework costs:\n${summaryTable(withFramework)}`);
    for (const s of withFramework) {
      expect(s.medianAbsPctError, s.group).toBeLessThan(alone.get(s.group)!.medianAbsPctError);
    }
    // With host time per sequence, the frameworks' own all-reduce kernels and KV re-reads (one constant per step:
    // 11.6 / 25.3 and 9.3 / 18.8 %; shipped 2026-11-27: 3.2 / 6.9 and 4.6 / 16.8 on every 5th row, which held out
    // mostly 256-token runs; on the hashed split of runs 3.5 / 10.4 and 5.1 / 13.7).
    const a100 = byGroup(withFramework);
    expect(a100.get('vLLM a100-40gb-sxm')!.medianAbsPctError).toBeLessThanOrEqual(4);
    expect(a100.get('vLLM a100-40gb-sxm')!.p90AbsPctError).toBeLessThanOrEqual(12);
    expect(a100.get('TensorRT-LLM a100-40gb-sxm')!.medianAbsPctError).toBeLessThanOrEqual(6);
  });

  it('TensorRT-LLM and DeepSpeed-MII runs repeat one prompt: their Mixtral rows read the experts of one sequence', () => {
    const rows = benchRows(read('llm_inference_bench_a100_mi250.csv'));
    expect(new Set(rows.filter((r) => r.identicalPrompts).map((r) => r.framework))).toEqual(new Set(['TensorRT-LLM', 'Deepspeed-MII']));
    // Priced as independent prompts their Mixtral runs came out at a median 1.56× and 1.32× their time.
    const mixtral = rows.filter((r) => r.model === 'mixtral-8x7b' && r.hardware === 'a100-40gb-sxm' && r.identicalPrompts && r.batch >= 16);
    expect(mixtral.length).toBeGreaterThan(10);
    const ratio = (identicalPrompts: boolean): number => {
      const s = benchSamples(mixtral.map((r) => ({ ...r, identicalPrompts })), undefined, 'default', true).samples.map((x) => x.predictedS / x.measuredS).sort((a, b) => a - b);
      return s[Math.floor(s.length / 2)]!;
    };
    const [alike, independent] = [ratio(true), ratio(false)];
    console.info(`Mixtral-8x7B, TensorRT-LLM and DeepSpeed-MII, batch ≥ 16: median predicted/measured ${alike.toFixed(2)} (identical prompts), ${independent.toFixed(2)} (independent)`);
    expect(Math.abs(Math.log(alike))).toBeLessThan(0.15);
    expect(independent).toBeGreaterThan(1.25);
  }, 60_000);

  it('llama.cpp runs are split by layers (its default), and then its host time lands within 25% median', () => {
    const rows = benchRows(read('llm_inference_bench_a100_mi250.csv')).filter((r) => r.heldOut);
    expect(rows.filter((r) => r.framework === 'llama.cpp').every((r) => r.split === 'layers')).toBe(true);
    expect(rows.filter((r) => r.framework !== 'llama.cpp').every((r) => r.split === 'tp')).toBe(true);
    const s = byGroup(summarize(benchSamples(rows, undefined, 'default', true).samples)).get('llama.cpp a100-40gb-sxm')!;
    expect(s.medianAbsPctError).toBeLessThanOrEqual(25);
    // Prompt passes streamed through the layer split and 1 ms per device boundary (2026-11-27: 1.5 / 3.2 %); with
    // passes one after another and no boundary cost, 4.3 / 29.5 %.
    expect(s.medianAbsPctError).toBeLessThanOrEqual(4);
    expect(s.p90AbsPctError).toBeLessThanOrEqual(10);
  });

  it('llama.cpp over several devices streams its prompt passes: one more pass costs its slowest stage, not the whole pipeline', () => {
    const row = benchRows(read('llm_inference_bench_a100_mi250.csv')).find((r) => r.framework === 'llama.cpp' && r.hardware === 'a100-40gb-sxm' && r.devices === 4 && r.batch === 1 && r.tokens === 128 && r.model === 'llama-2-7b')!;
    expect(row).toBeDefined();
    const four = benchLatency(row, undefined, 'default', true).e2eS;
    // The same run on one A100, where each pass waits for the last: the 4-way split must come out faster.
    const one = benchLatency({ ...row, tp: 1, devices: 1 }, undefined, 'default', true).e2eS;
    expect(four).toBeLessThan(one);
    expect(Math.abs(four / row.latencyS - 1)).toBeLessThan(0.15);
  });
});

describe('end to end against LLM-Inference-Bench: runs over genz\'s memory capacity, in waves', () => {
  const rows = benchRows(read('llm_inference_bench_a100_mi250.csv'));
  const over = rows.find((r) => r.framework === 'vLLM' && r.hardware === 'a100-40gb-sxm' && r.tp === 1 && r.model === 'llama-2-7b' && r.batch === 64 && r.tokens === 2048)!;

  it('a batch whose cache does not fit runs in waves of the largest batch that does, the last wave the remainder', () => {
    expect(over).toBeDefined();
    const whole = benchLatency(over, undefined, 'default', true);
    expect(whole.feasible).toBe(false);
    expect(whole.maxBatchThatFits).toBeGreaterThan(1);
    const queued = queuedBenchLatency(over, undefined, 'default', true)!;
    expect(queued.concurrent).toBe(whole.maxBatchThatFits);
    expect(queued.waves).toBe(Math.ceil(64 / queued.concurrent));
    const wave = (n: number): number => benchLatency({ ...over, batch: n, sequences: n }, undefined, 'default', true).e2eS;
    expect(queued.e2eS).toBeCloseTo((queued.waves - 1) * wave(queued.concurrent) + wave(64 - (queued.waves - 1) * queued.concurrent), 9);
    // Measured 316 s: the waves' rule is within 25% of it (2026-11-27: 1.15×).
    expect(Math.abs(queued.e2eS / over.latencyS - 1)).toBeLessThan(0.25);
  });

  it('a row that fits, and a single llama.cpp sequence, are not queued; every over-capacity row of the file is priced', () => {
    const fits = rows.find((r) => r.framework === 'vLLM' && r.hardware === 'a100-40gb-sxm' && r.tp === 1 && r.model === 'llama-2-7b' && r.batch === 1)!;
    expect(queuedBenchLatency(fits, undefined, 'default', true)).toBeNull();
    const llamaCpp = rows.find((r) => r.framework === 'llama.cpp')!;
    expect(queuedBenchLatency(llamaCpp, undefined, 'default', true)).toBeNull();
    const { samples, unpriced } = queuedBenchSamples(rows, undefined, 'default', true);
    expect(unpriced).toBe(0);
    // Each sample is a row benchSamples leaves out as infeasible.
    expect(samples.length).toBe(benchSamples(rows, undefined, 'default', true).infeasible);
    expect(samples.length).toBeGreaterThan(50);
  });
});

describe('end to end against LLM-Inference-Bench (MI250, never fitted on), held-out rows', () => {
  // An MI250 package is two GCDs: rows run on mi250-gcd with TP = 2 × packages, priced by the MI210's kernel curves
  // and vLLM's host time fitted on A100 runs.
  const rows = benchRows(read('llm_inference_bench_a100_mi250.csv')).filter((r) => r.heldOut && r.hardware === 'mi250-gcd');

  it('reads every MI250 package as two GCDs', () => {
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.every((r) => r.tp === 2 * r.devices)).toBe(true);
  });

  it('vLLM: shipped MI210 curves + host time ≤ 30% median, better than the defaults and the pure roofline', () => {
    const group = 'vLLM mi250-gcd';
    const full = byGroup(summarize(benchSamples(rows, undefined, 'default', true).samples)).get(group)!;
    const defaults = byGroup(summarize(benchSamples(rows).samples)).get(group)!;
    const ideal = byGroup(summarize(benchSamples(rows, IDEAL_EFFICIENCY).samples)).get(group)!;
    console.info(`LLM-Inference-Bench MI250 vLLM, held-out median abs %: pure roofline ${ideal.medianAbsPctError.toFixed(1)}, defaults ${defaults.medianAbsPctError.toFixed(1)}, profiles + host time ${full.medianAbsPctError.toFixed(1)}`);
    expect(full.medianAbsPctError).toBeLessThanOrEqual(30);
    expect(full.medianAbsPctError).toBeLessThan(defaults.medianAbsPctError);
    expect(defaults.medianAbsPctError).toBeLessThan(ideal.medianAbsPctError);
  });
});

describe("llama.cpp's weight-stream rates (docs/accuracy.md: why the MI250's llama.cpp runs are missed)", () => {
  const rows = benchRows(read('llm_inference_bench_a100_mi250.csv'));
  const rates = llamaCppStreamRates(rows);
  const group = (hardware: string, size: string): StreamRateGroup => rates.find((g) => g.hardware === hardware && g.size === size)!;

  it('groups the dense runs of n_batch 64 and up to 512 tokens by device and size, Mixtral left out', () => {
    expect(rates.map((g) => `${g.hardware} ${g.size}`)).toEqual(['a100-40gb-sxm 7–8B', 'mi250-gcd 7–8B', 'mi250-gcd 70–72B']);
    const counted = rows.filter((r) => r.framework === 'llama.cpp' && r.promptChunk === RATE_PROMPT_CHUNK && r.tokens <= RATE_MAX_TOKENS && !r.model.includes('mixtral'));
    expect(rates.reduce((n, g) => n + g.runs, 0)).toBe(counted.length);
  });

  it('a rate is the weights over the time per step (output tokens plus prompt passes), below the DRAM peak', () => {
    const large = rows.filter((r) => r.framework === 'llama.cpp' && r.hardware === 'mi250-gcd' && /^(llama-2-70b|llama-3-70b|qwen2-72b)$/.test(r.model) && r.promptChunk === 64 && r.tokens <= 512);
    const weights = (model: string): number => estimate({ model, hardware: 'mi250-gcd', pp: 8, inputTokens: 1, outputTokens: 1, dtype: 'fp16' }).memory.totalWeightsBytes
      - 2 * paramBreakdown(findModel(model)!).embedding;
    const measured = large.map((r) => weights(r.model) / (r.latencyS / (r.tokens + Math.ceil(r.tokens / 64))) / 1e9).sort((a, b) => a - b);
    expect(measured.length % 2).toBe(1);
    expect(group('mi250-gcd', '70–72B').measuredGBs).toBeCloseTo(measured[(measured.length - 1) / 2]!, 6);
    for (const g of rates) for (const v of [g.measuredGBs, g.kernelsGBs, g.withHostGBs]) expect(v).toBeLessThan(findDevice(g.hardware)!.memory[0]!.bandwidthBytesPerS / 1e9);
  });

  it('the measured MI250 rate barely moves with the model size, and host costs per step lower the priced rate of a 7B step more than of a 70B one', () => {
    const small = group('mi250-gcd', '7–8B'), large = group('mi250-gcd', '70–72B');
    expect(large.measuredGBs / small.measuredGBs).toBeGreaterThan(0.8);
    expect(large.measuredGBs / small.measuredGBs).toBeLessThan(1.25);
    expect(small.withHostGBs / small.kernelsGBs).toBeLessThan(large.withHostGBs / large.kernelsGBs);
  });
});

describe('Vidur rows of other devices', () => {
  it('an H100 row of the same mlp.csv (the extract leaves them out) is replayed on h100-sxm, faster than the A100 row', () => {
    const [header, a100] = read('vidur_mlp_llama2-7b_tp1_a100_a40.csv').split('\n');
    const h100 = a100!.replace(/(^|,)a100(,|$)/, '$1h100$2');
    expect(h100).not.toBe(a100);
    const samples = vidurMlpSamples(`${header}\n${a100}\n${h100}\n`, DEFAULT_EFFICIENCY, () => true);
    const gemm = (device: string) => samples.filter((s) => s.group === `gemm ${device}`).reduce((sum, s) => sum + s.predictedS, 0);
    expect(gemm('h100')).toBeGreaterThan(0);
    expect(gemm('h100')).toBeLessThan(gemm('a100'));
  });
});
