// `genz calibrate e2e llm-inference-bench FILE`: the end-to-end error on any file of that source, the project's
// extract or the repository's own All_results.csv (other column names, other hardware), with every row genz cannot
// place counted by reason.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchSamples, readBench } from '../../calibrate/accuracy/llm-inference-bench.ts';
import { summarize } from '../../calibrate/accuracy/error-stats.ts';

const root = new URL('../..', import.meta.url).pathname;
const genz = (...args: string[]) => spawnSync('node', ['cli/bin.js', ...args], { cwd: root, encoding: 'utf8' });

// Lines of argonne-lcf/LLM-Inference-Bench Plots/All_results.csv (4de4e87), its own header; the first row invented.
const ALL_RESULTS = `Hardware,Num of Hardware,Framework,Model,Input Output Length,Batch Size,Latency,Throughput
Nvidia A100 GPU,1,vLLM,meta-llama/Llama-2-7b-hf,128,1,1.40,91.4
Nvidia H100 GPU,1,llama.cpp,meta-llama/Llama-2-7b-hf,128,1,2.168549,118.051297
Nvidia H100 GPU,4,TensorRT-LLM,meta-llama/Llama-2-70b-hf,128,1,2.3088122606277466,110.87952206663861
Intel Max 1550,1,vLLM,mistralai/Mistral-7B-v0.1,128,1,2.0255657743352153,126.3844419389533
Intel PVC GPU,1,vLLM,meta-llama/Llama-2-7b-hf,128,1,18.744642267934978,13.657235829884018
Habana Gaudi2,8,Deepspeed,meta-llama/Llama-2-70b-hf,128,64,3.4385480990167707,4764.8017501005415
SambaNova SN40L,8,sambaflow,mistralai/Mistral-7B-v0.1,128,1,0.20874103065883887,1226.4
Nvidia GH200 GPU,1,vLLM,meta-llama/Llama-2-7b-hf,128,1,0.8607214980002027,297.42489364421533
Nvidia GH200 GPU,1,vLLM,Deci/DeciLM-7B,128,1,0.9191797650000808,278.5091771466243
AMD MI300X GPU,8,vLLM,meta-llama/Llama-2-70b-hf,128,256,25.75353799000004,2544.7377376051118
Nvidia H100 GPU,1,vLLM,huggyllama/llama-7b,1024,32,16.2,2022.9
Nvidia GH200 GPU,1,vLLM,huggyllama/llama-7b,2048,1,0.04783071000019845,85635.35853812343
Nvidia H100 GPU,1,vLLM,meta-llama/Llama-2-7b-hf,128,1,OOM,0
Nvidia H100 GPU,1,vLLM,meta-llama/Llama-2-7b-hf,128,1
Nvidia H100 GPU,1,vLLM,meta-llama/Llama-2-7b-hf,128.5,1,1.0,256
`;

describe('llama.cpp rows', () => {
  it('are one sequence whose prompt goes in n_batch-token passes (the file\'s batch column): batch 1 is the slow one', () => {
    // A100, Llama-2-7B, 128 + 128 tokens: 4.34 s at n_batch 1, 2.33 s at 16 (the extract's rows).
    const { rows } = readBench(`${ALL_RESULTS.split('\n')[0]}
Nvidia A100 GPU,1,llama.cpp,meta-llama/Llama-2-7b-hf,128,1,4.344691,58.922482
Nvidia A100 GPU,1,llama.cpp,meta-llama/Llama-2-7b-hf,128,16,2.330946,109.826672
`);
    expect(rows.map((r) => [r.sequences, r.promptChunk])).toEqual([[1, 1], [1, 16]]);
    const [one, sixteen] = benchSamples(rows, undefined, 'default', true).samples;
    // 256 passes against 8 + 128: about 1.9× as long, as measured (1.86×).
    expect(one!.predictedS / sixteen!.predictedS).toBeGreaterThan(1.6);
    expect(one!.predictedS / sixteen!.predictedS).toBeLessThan(2.2);
    for (const s of [one!, sixteen!]) expect(Math.abs(s.predictedS / s.measuredS - 1)).toBeLessThan(0.25);
  });
});

describe('calibrate e2e llm-inference-bench', () => {
  const dir = mkdtempSync(join(tmpdir(), 'genz-e2e-'));

  it('reads the repository\'s header and places H100, GH200, MI300X and Gaudi2 rows; counts the rest by reason', () => {
    const { rows, skipped } = readBench(ALL_RESULTS);
    expect(rows.map((r) => r.hardware)).toEqual(['a100-40gb-sxm', 'h100-sxm', 'h100-sxm', 'gaudi2', 'gh200-96gb', 'mi300x', 'h100-sxm']);
    expect(rows.map((r) => r.tp)).toEqual([1, 1, 4, 8, 1, 8, 1]);
    expect(rows[1]!.split).toBe('layers'); // llama.cpp splits by layers
    expect(rows[6]!.model).toBe('llama-2-7b'); // LLaMA-1 7B has Llama-2-7B's shapes
    expect(skipped.map((s) => s.reason)).toEqual([
      'no genz preset for hardware "Intel Max 1550"', 'no genz preset for hardware "Intel PVC GPU"',
      'no genz preset for hardware "SambaNova SN40L"', 'no genz preset for model "Deci/DeciLM-7B"',
      // 2048 in and 2048 out of a 2048-token model, "done" in 48 ms: a failed run, not a measurement.
      'input + output longer than the model\'s context (2048 tokens): a failed run',
      'a device count, batch or length that is not a positive whole number, or a latency that is not a positive number', '6 cells where the header has 8',
      'a device count, batch or length that is not a positive whole number, or a latency that is not a positive number',
    ]);
    const file = join(dir, 'All_results.csv');
    writeFileSync(file, ALL_RESULTS);
    const run = genz('calibrate', 'e2e', 'llm-inference-bench', file);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/7 of 15 rows scored/);
    for (const group of ['vLLM h100-sxm', 'TensorRT-LLM h100-sxm', 'llama.cpp h100-sxm', 'Deepspeed gaudi2', 'vLLM gh200-96gb', 'vLLM mi300x']) {
      expect(run.stdout).toContain(`| ${group} |`);
    }
    expect(run.stdout).toContain('- 1 row (line 6): no genz preset for hardware "Intel PVC GPU"'); // the file line, to find it
    expect(run.stdout).toContain('No costs were fitted for Deepspeed: their "+ host" column is the profiles\' alone.'); // Habana's DeepSpeed on Gaudi2
  });

  it('a run genz cannot split (TP 8 over 28 heads) beside one over memory: counted, the rest scored, in waves too', () => {
    // The report prices over-memory rows in waves; before 2026-11-27 that pass met the unsplittable row unguarded and
    // the whole command failed.
    const file = join(dir, 'split-and-waves.csv');
    writeFileSync(file, `${ALL_RESULTS.split('\n')[0]}
AMD MI300X GPU,1,vLLM,meta-llama/Meta-Llama-3-70B,2048,128,3045.5,172.1
AMD MI300X GPU,8,vLLM,Qwen/Qwen2-7B,128,1,2.1,120.0
AMD MI300X GPU,1,vLLM,meta-llama/Llama-2-7b-hf,128,1,1.3,98.0
`);
    const run = genz('calibrate', 'e2e', 'llm-inference-bench', file);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('genz refuses the split (a TP degree that does not divide the heads)');
    expect(run.stdout).toMatch(/\| vLLM mi300x \| 1 \|/); // the Llama-2-7B run, in the main table and
    expect(run.stdout.split('| vLLM mi300x |').length).toBe(3); // the 70B batch of 128 in the waves table
  });

  it('on the extract\'s held-out split prints the numbers of the accuracy report', () => {
    const csv = readFileSync(join(root, 'data/llm_inference_bench_a100_mi250.csv'), 'utf8');
    const held = readBench(csv).rows.filter((r) => r.heldOut);
    const vllm = summarize(benchSamples(held, undefined, 'default', true).samples).find((s) => s.group === 'vLLM a100-40gb-sxm')!;
    const run = genz('calibrate', 'e2e', 'llm-inference-bench', 'data/llm_inference_bench_a100_mi250.csv', '--held-out');
    expect(run.status, run.stderr).toBe(0);
    const row = run.stdout.split('\n').find((l) => l.startsWith('| vLLM a100-40gb-sxm |'))!.split('|').map((c) => c.trim());
    expect(Number(row[2])).toBe(vllm.rows);
    expect(row[7]).toBe(vllm.medianAbsPctError.toFixed(1));
    expect(row[8]).toBe(vllm.p90AbsPctError.toFixed(1));
    expect(run.stdout).toMatch(/held-out split, one run in five by a hash of its configuration, and every run of hardware no fit reads, of 1630/);
    // The runs over genz's memory are scored too, in waves, in a table of their own after the main one.
    const left = Number(/- (\d+) rows?: genz finds the model does not fit/.exec(run.stdout)![1]);
    expect(run.stdout).toContain(`Of the rows over memory, ${left} priced as run in waves`);
    expect(run.stdout.indexOf('| waves median %')).toBeGreaterThan(run.stdout.indexOf('| vLLM a100-40gb-sxm |'));
  });

  it('refuses a file without the columns and an unknown source', () => {
    const file = join(dir, 'other.csv');
    writeFileSync(file, 'device,latency\nx,1\n');
    const bad = genz('calibrate', 'e2e', 'llm-inference-bench', file);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/not an LLM-Inference-Bench CSV: no column hardware, num_devices/);
    const unknown = genz('calibrate', 'e2e', 'llm-bench', file);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown source "llm-bench".*llm-inference-bench/);
  });
});
