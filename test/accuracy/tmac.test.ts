// CPUs running low-bit LLM decode: T-MAC's runs (LUT kernels and llama.cpp's, 1–12 threads on a Jetson AGX Orin and a
// Snapdragon X Elite), the CPU presets with their threads and streamed bandwidth, and the two low-bit kernel families.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CPU_LOW_BIT_KERNEL_COST, DEFAULT_EFFICIENCY, GenzError, estimate, estimateOp, findDevice, lowBitOps, type CostContext, type Op } from '../../index.ts';
import { energyRates } from '../../simulator/energy.ts';
import { costOp } from '../../simulator/roofline/roofline-backend.ts';
import { readTmac, tmacPredictedS, tmacSamples, type TmacRow } from '../../calibrate/accuracy/tmac.ts';
import { isHeldOut, summarize } from '../../calibrate/accuracy/error-stats.ts';

const root = new URL('../..', import.meta.url).pathname;
const runs = readFileSync(join(root, 'data/tmac_lut_cpu_tokens_per_s_jetson_surface7.csv'), 'utf8');
const genz = (...args: string[]) => spawnSync('node', ['cli/bin.js', ...args], { cwd: root, encoding: 'utf8' });
const HEADER = 'device,model,framework,num_threads,mean,std';

describe('T-MAC decode runs', () => {
  it('places every stable run on a CPU preset; unknown devices, frameworks, models and unstable runs are counted', () => {
    const { rows, skipped } = readTmac(runs);
    expect(rows).toHaveLength(116);
    // llama.cpp's W4 runs on the Surface Laptop 7 spread by up to half their mean: 4 of its 8 are left out.
    expect(skipped.map((s) => s.reason)).toEqual(Array(4).fill('an unstable run (standard deviation over 10 % of the mean)'));
    const odd = readTmac([HEADER,
      'M2,bitnet,tmac,8,70,0.5', 'pi5,bitnet,tmac,2,11,0.1', 'jetson,bitnet,ollama,2,3,0', 'jetson,phi-3,tmac,2,3,0',
      'jetson,bitnet,tmac,2.5,3,0', 'jetson,bitnet,tmac,2,-1,0', 'jetson,bitnet,tmac,2'].join('\n'));
    expect(odd.rows).toEqual([expect.objectContaining({ hardware: 'apple-m2-ultra', kernel: 'lut', threads: 8, tokensPerS: 70 })]);
    expect(odd.skipped.map((s) => s.reason)).toEqual([
      'no genz CPU preset for device "pi5"', 'framework "ollama" (T-MAC writes tmac or llamacpp)', 'no genz model for "phi-3"',
      'threads that are not a positive whole number, or a rate that is not a positive number',
      'threads that are not a positive whole number, or a rate that is not a positive number', '4 cells where the header has 6',
    ]);
    expect(() => readTmac('device,model\njetson,bitnet')).toThrow(/no column framework, num_threads, mean, std/);
  });

  it('prices the held-out runs within 10 % median on both CPUs and kernels, and within 15 % p90 but on Oryon\'s llama.cpp runs', () => {
    const held = readTmac(runs).rows.filter((r) => isHeldOut(r.index));
    const groups = new Map(summarize(tmacSamples(held)).map((s) => [s.group, s] as const));
    expect([...groups.keys()].sort()).toEqual(['jetson-agx-orin-cpu llamacpp', 'jetson-agx-orin-cpu tmac', 'snapdragon-x-elite llamacpp', 'snapdragon-x-elite tmac']);
    for (const [group, summary] of groups) {
      expect(summary.medianAbsPctError, group).toBeLessThan(12);
      if (group !== 'snapdragon-x-elite llamacpp') expect(summary.p90AbsPctError, group).toBeLessThan(15);
    }
    // The Snapdragon's llama.cpp series is erratic (its 1-thread W2 run is 22 % off any smooth fit): bounded, not met.
    expect(groups.get('snapdragon-x-elite llamacpp')!.p90AbsPctError).toBeLessThan(40);
  });

  it('a CPU\'s fitted kernel speed moves its runs; a CPU without runs of its own (speed 1) is priced by the shared constants', () => {
    const row: TmacRow = { index: 0, device: 'surface7', hardware: 'snapdragon-x-elite', model: 'llama-2-7b-w2', framework: 'llamacpp', kernel: 'dequant', threads: 1, tokensPerS: 1 };
    const oryon = findDevice('snapdragon-x-elite')!;
    const unmeasured = { ...oryon, cpu: { cores: oryon.cpu!.cores, streamBandwidthBytesPerS: oryon.cpu!.streamBandwidthBytesPerS } };
    const ratio = tmacPredictedS(row, { hardware: unmeasured }) / tmacPredictedS(row);
    // One thread is compute bound: close to the fitted speed (1.32), the memory time unchanged.
    expect(ratio).toBeGreaterThan(1.2);
    expect(ratio).toBeLessThan(oryon.cpu!.lowBitKernelSpeed!.dequant!);
    expect(findDevice('apple-m2-ultra')!.cpu!.lowBitKernelSpeed).toBeUndefined();
  });

  it('follows the measured thread scaling: llama.cpp nearly linear, T-MAC flattening at the streamed bandwidth', () => {
    const row = (framework: 'tmac' | 'llamacpp', threads: number): TmacRow => ({
      index: 0, device: 'jetson', hardware: 'jetson-agx-orin-cpu', model: 'llama-2-7b-w2', framework, kernel: framework === 'tmac' ? 'lut' : 'dequant', threads, tokensPerS: 1,
    });
    const speedup = (framework: 'tmac' | 'llamacpp') => tmacPredictedS(row(framework, 1)) / tmacPredictedS(row(framework, 12));
    // Measured 12-thread speed-ups: llama.cpp 9.1×, T-MAC 3.8× (data/tmac_lut_cpu_tokens_per_s_jetson_surface7.csv).
    expect(speedup('llamacpp')).toBeGreaterThan(7);
    expect(speedup('llamacpp')).toBeLessThan(12);
    expect(speedup('tmac')).toBeGreaterThan(2.5);
    expect(speedup('tmac')).toBeLessThan(5);
    // Threads past the cores add nothing.
    expect(tmacPredictedS({ ...row('tmac', 48) })).toBeCloseTo(tmacPredictedS(row('tmac', 12)), 12);
  });
});

describe('CPU devices and low-bit kernels', () => {
  const request = { model: 'llama-2-7b', hardware: 'jetson-agx-orin-cpu', inputTokens: 1, outputTokens: 16, wbits: 2, dtype: 'fp16' } as const;

  it('a 2-bit step on one core is compute bound: LUT lookups cost a fraction of dequantizing, and threads divide it', () => {
    const tpot = (lowBitKernel: 'lut' | 'dequant', threads: number, wbits = 2) => estimate({ ...request, lowBitKernel, threads, wbits }).tpotS;
    expect(tpot('lut', 1)).toBeLessThan(tpot('dequant', 1) / 3);
    // T-MAC's work grows with the bit planes, llama.cpp's does not (its bytes do).
    expect(tpot('lut', 1, 4)).toBeGreaterThan(tpot('lut', 1, 2) * 1.1);
    expect(tpot('dequant', 1, 4) / tpot('dequant', 1, 2)).toBeLessThan(1.1);
    expect(tpot('dequant', 1) / tpot('dequant', 4)).toBeGreaterThan(3);
    // The fitted costs can be replaced (calibrate/fit-cpu-lowbit.ts does): twice the LUT work, about twice the step.
    const row: TmacRow = { index: 0, device: 'jetson', hardware: 'jetson-agx-orin-cpu', model: 'bitnet', framework: 'tmac', kernel: 'lut', threads: 1, tokensPerS: 1 };
    const doubled = { ...CPU_LOW_BIT_KERNEL_COST, lut: { opsPerWeight: 2 * CPU_LOW_BIT_KERNEL_COST.lut.opsPerWeight, opsPerWeightBit: 2 * CPU_LOW_BIT_KERNEL_COST.lut.opsPerWeightBit } };
    expect(tmacPredictedS(row, { lowBitCosts: doubled }) / tmacPredictedS(row)).toBeGreaterThan(1.5);
  });

  it('takes the low-bit path only for sub-8-bit GEMM weights on a CPU; a prompt never costs more than unpacking + the GEMM', () => {
    const device = findDevice('jetson-agx-orin-cpu')!;
    const link = { name: 'none', bandwidthBytesPerS: 1e9, latencyS: 1e-6 };
    const ctxOf = (d = device, lowBitKernel: 'lut' | 'dequant' = 'dequant'): CostContext => ({
      device: d, efficiency: DEFAULT_EFFICIENCY, energy: energyRates(d), links: { tp: link, ep: link, pp: link, dp: link }, baseDtype: 'fp16', lowBitKernel,
    });
    const gemm = (m: number, weightBits: number): Op => ({ name: 'mlp up', scope: 'layer', block: 'mlp', count: 1, kind: 'gemm', m, n: 11008, k: 4096, batch: 1, weightBits, actBits: 16, outBits: 16 });
    const speed = device.cpu!.lowBitKernelSpeed!;
    const rate = (kernel: 'lut' | 'dequant') => device.peakFlopsPerS.fp32 * speed[kernel]!;
    expect(costOp(gemm(1, 4), ctxOf()).computeS).toBeCloseTo(lowBitOps('dequant', 4, 1, 1, 11008, 4096) / rate('dequant'), 12);
    expect(costOp(gemm(1, 4), ctxOf(device, 'lut')).computeS).toBeCloseTo(lowBitOps('lut', 4, 1, 1, 11008, 4096) / rate('lut'), 12);
    // 8-bit weights on the CPU and 4-bit ones on a GPU: the kernel choice changes nothing (the ordinary GEMM path).
    expect(costOp(gemm(1, 8), ctxOf(device, 'lut')).computeS).toBe(costOp(gemm(1, 8), ctxOf(device, 'dequant')).computeS);
    const h100 = findDevice('h100-sxm')!;
    expect(costOp(gemm(1, 4), ctxOf(h100, 'lut')).latencyS).toBe(costOp(gemm(1, 4), ctxOf(h100, 'dequant')).latencyS);
    // 512 prompt rows: per-row dequantization would cost 512× a decode row; unpacking once + the GEMM bounds it.
    const prompt = costOp(gemm(512, 4), ctxOf());
    expect(prompt.computeS).toBeLessThan(costOp(gemm(512, 16), ctxOf()).computeS * 1.5);
    expect(costOp(gemm(512, 2), ctxOf(device, 'lut')).computeS).toBeCloseTo(lowBitOps('lut', 2, 1, 512, 11008, 4096) / rate('lut'), 12);
  });

  it('prices a CPU op as compute plus memory at the bandwidth the cores stream, compute shared by the threads', () => {
    const device = findDevice('jetson-agx-orin-cpu')!;
    const link = { name: 'none', bandwidthBytesPerS: 1e9, latencyS: 1e-6 };
    const ctx = (cpuThreads: number): CostContext => ({
      device, efficiency: DEFAULT_EFFICIENCY, energy: energyRates(device), links: { tp: link, ep: link, pp: link, dp: link }, baseDtype: 'fp16', cpuThreads,
    });
    // A 16-bit LM head GEMV (4096 × 32000): 262 MB streamed at the cores' rate, added to its compute time.
    const head: Op = { name: 'lm head', scope: 'post', block: 'head', count: 1, kind: 'gemm', m: 1, n: 32000, k: 4096, batch: 1, weightBits: 16, actBits: 16, outBits: 16 };
    const all = costOp(head, ctx(12));
    expect(all.memoryS).toBeCloseTo((4096 * 32000 * 2 + 4096 * 2 + 32000 * 2) / device.cpu!.streamBandwidthBytesPerS, 9);
    expect(all.latencyS).toBeCloseTo(all.computeS + all.memoryS + all.overheadS, 12);
    const one = costOp(head, ctx(1));
    expect(one.computeS).toBeCloseTo(12 * all.computeS, 12);
    expect(one.memoryS).toBe(all.memoryS);
  });

  it('genz op takes threads on a CPU device and refuses them elsewhere', () => {
    const gemv = { kind: 'gemm', m: 1, n: 4096, k: 4096, hardware: 'snapdragon-x-elite' } as const;
    const one = estimateOp({ ...gemv, threads: 1 });
    const all = estimateOp(gemv);
    expect(one.computeS).toBeCloseTo(12 * all.computeS, 12);
    expect(one.latencyS).toBeGreaterThan(all.latencyS);
    expect(() => estimateOp({ ...gemv, hardware: 'h100-sxm', threads: 2 })).toThrow(/threads applies to CPU devices/);
  });

  it('refuses threads and kernels on devices without a cpu block', () => {
    for (const extra of [{ threads: 4 }, { lowBitKernel: 'lut' as const }]) {
      let error: unknown;
      try { estimate({ model: 'llama-2-7b', hardware: 'h100-sxm', ...extra }); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(GenzError);
      expect((error as GenzError).message).toMatch(/applies to CPU devices/);
    }
    expect(() => estimate({ ...request, threads: 0 })).toThrow(/threads must be at least 1/);
    expect(() => estimate({ ...request, wbits: 6, lowBitKernel: 'lut' })).toThrow(/1- to 4-bit weights/);
    const orin = findDevice('jetson-agx-orin-cpu')!;
    expect(() => estimate({ ...request, hardware: { ...orin, kind: 'gpu' } })).toThrow(/cpu block belongs to kind "cpu"/);
    expect(() => estimate({ ...request, hardware: { ...orin, cpu: { cores: 12, streamBandwidthBytesPerS: 5e12 } } })).toThrow(/cannot stream more than the DRAM peak/);
  });
});

describe('genz calibrate e2e tmac and estimate --threads', () => {
  it('scores a file of runs and says which rows it left out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genz-tmac-'));
    const file = join(dir, 'runs.csv');
    writeFileSync(file, [HEADER, 'jetson,llama-2-7b-w4,tmac,1,2.02,0.0', 'jetson,llama-2-7b-w4,llamacpp,12,5.55,0.06', 'pi5,bitnet,tmac,2,11.09,0.1', HEADER].join('\n'));
    const run = genz('calibrate', 'e2e', 'tmac', file);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2 of 4 rows scored/);
    expect(run.stdout).toMatch(/1 row \(line 5\): a repeated header row/);
    expect(run.stdout).toMatch(/\| jetson-agx-orin-cpu tmac \| 1 \|/);
    expect(run.stdout).toMatch(/1 row \(line 4\): no genz CPU preset for device "pi5"/);
    const held = genz('calibrate', 'e2e', 'tmac', 'data/tmac_lut_cpu_tokens_per_s_jetson_surface7.csv', '--held-out');
    expect(held.status, held.stderr).toBe(0);
    expect(held.stdout).toMatch(/24 of 24 rows scored \(every 5th row/);
    expect(held.stdout).toMatch(/\| snapdragon-x-elite tmac \| 4 \| 2\.4 \| 8\.6 \|/);
  });

  it('op takes --threads on a CPU preset, refuses it on a GPU, and applies it to the lines of --from-file', () => {
    const run = genz('op', 'gemm', '--m', '1', '--n', '4096', '--k', '4096', '--hardware', 'snapdragon-x-elite', '--threads', '1', '--json');
    expect(run.status, run.stderr).toBe(0);
    const one = JSON.parse(run.stdout) as { computeS: number };
    expect(one.computeS).toBeCloseTo(12 * estimateOp({ kind: 'gemm', m: 1, n: 4096, k: 4096, hardware: 'snapdragon-x-elite' }).computeS, 12);
    const gpu = genz('op', 'gemm', '--m', '1', '--n', '64', '--k', '64', '--hardware', 'h100-sxm', '--threads', '2');
    expect(gpu.status).toBe(2);
    expect(gpu.stderr).toMatch(/threads applies to CPU devices/);
    const ops = join(mkdtempSync(join(tmpdir(), 'genz-threads-')), 'ops.jsonl');
    writeFileSync(ops, `${JSON.stringify({ kind: 'gemm', m: 1, n: 4096, k: 4096, hardware: 'snapdragon-x-elite' })}\n${JSON.stringify({ kind: 'gemm', m: 1, n: 4096, k: 4096, hardware: 'snapdragon-x-elite', threads: 12 })}\n`);
    const file = genz('op', '--from-file', ops, '--threads', '1', '--json');
    expect(file.status, file.stderr).toBe(0);
    const [withFlag, ownThreads] = file.stdout.trim().split('\n').map((l) => JSON.parse(l) as { computeS: number });
    expect(withFlag!.computeS).toBeCloseTo(one.computeS, 12); // the flag is every line's default
    expect(ownThreads!.computeS).toBeCloseTo(one.computeS / 12, 12); // a line's own "threads" wins
  });

  it('estimate takes --threads and --lowbit-kernel on a CPU preset and refuses them elsewhere', () => {
    const run = genz('estimate', '--model', 'bitnet-b1.58-3b', '--hardware', 'snapdragon-x-elite', '--wbits', '2', '--threads', '4', '--lowbit-kernel', 'lut', '--output', '32', '--json');
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { tpotS: number };
    expect(1 / report.tpotS).toBeGreaterThan(20);
    const gpu = genz('estimate', '--hardware', 'h100-sxm', '--threads', '4');
    expect(gpu.status).toBe(2);
    expect(gpu.stderr).toMatch(/threads applies to CPU devices/);
  });
});
