// NeuSight's end-to-end labels: FP32 forward passes of Hugging Face models (eager attention, logits at every token),
// priced as genz prefills; and the three model changes they asked for: prompt logits, unfused attention at the GEMM
// efficiency of its two batched GEMMs, and CDNA's FP32 matrix rate.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EFFICIENCY, estimate, findDevice, type CostContext, type Op } from '../../index.ts';
import { energyRates } from '../../simulator/energy.ts';
import { costOp } from '../../simulator/roofline/roofline-backend.ts';
import { causalPairs } from '../../simulator/work.ts';
import { gpuParams } from '../../simulator/cycle/gpu/gpu-params.ts';
import { neusightSamples, readNeusightE2e } from '../../calibrate/accuracy/neusight-e2e.ts';
import { shippedProfileText } from '../../calibrate/accuracy/e2e-report.ts';
import { summarize } from '../../calibrate/accuracy/error-stats.ts';

const root = new URL('../..', import.meta.url).pathname;
const labels = readFileSync(join(root, 'data/neusight_model_e2e_labels_train_devices.csv'), 'utf8');
const genz = (...args: string[]) => spawnSync('node', ['cli/bin.js', ...args], { cwd: root, encoding: 'utf8' });

describe('NeuSight end-to-end labels', () => {
  it('places every inference row of a decoder or encoder stack on a genz device; the rest is counted by reason', () => {
    const { rows, skipped } = readNeusightE2e(labels);
    expect(rows).toHaveLength(59);
    const reasons = new Map<string, number>();
    for (const s of skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
    expect(Object.fromEntries(reasons)).toEqual({
      'training (forward and backward): genz estimates inference': 21,
      'torch.compile ("fusion") variant: fused kernels genz does not model': 4,
      'Switch Transformer: an encoder-decoder, genz models decoder stacks': 6,
    });
    expect(rows.find((r) => r.device === 'Tesla P4' && r.model === 'gpt2_large')).toMatchObject({ seqLen: 1024, batch: 4, latencyS: 3.3369251953125 });
  });

  it('with the profiles fitted on NeuSight\'s own kernels, the A100 and V100 passes are within 10% (median)', () => {
    const { rows } = readNeusightE2e(labels);
    const calibrated = summarize(neusightSamples(rows, 'default', shippedProfileText).samples);
    const group = (prefix: string) => calibrated.find((s) => s.group.startsWith(prefix))!;
    for (const device of ['NVIDIA A100-PCIE-40GB', 'Tesla V100-PCIE-32GB']) {
      expect(group(device).medianAbsPctError, device).toBeLessThan(10);
      expect(group(device).p90AbsPctError, device).toBeLessThan(15);
    }
    expect(neusightSamples(rows, 'default', shippedProfileText).infeasible).toBe(0); // memory from NeuSight's configs
  });

  it('genz calibrate e2e neusight reads a file with the devices NeuSight kept for testing (H100, L4, A100 80 GB PCIe)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genz-ns-'));
    const file = join(dir, 'labels.csv');
    // Invented times; the device names as NeuSight's label folders spell them.
    writeFileSync(file, `${labels.split('\n')[0]}
NVIDIA_H100_80GB_HBM3,opt_13,inf,2048,2,,24,400,400,0
NVIDIA_L4,bert_large,inf,512,8,,24,900,900,0
NVIDIA_A100_80GB_PCIe,gpt2_large,inf,1024,4,,36,500,500,0
NVIDIA_H100_80GB_HBM3,gpt3_27,train,2048,1,,32,900,300,600
`);
    const run = genz('calibrate', 'e2e', 'neusight', file);
    expect(run.status, run.stderr).toBe(0);
    for (const group of ['NVIDIA H100 80GB HBM3 (h100-sxm)', 'NVIDIA L4 (l4)', 'NVIDIA A100 80GB PCIe (a100-80gb-pcie)']) expect(run.stdout).toContain(`| ${group} | 1 |`);
    expect(run.stdout).toContain('- 1 row (line 5): training (forward and backward): genz estimates inference');
    expect(genz('calibrate', 'e2e', 'neusight', file, '--held-out').stderr).toMatch(/--held-out applies to llm-inference-bench/);
  });
});

describe('what the forward passes asked of the model', () => {
  it('promptLogits runs the LM head over every prompt token', () => {
    const request = { model: 'llama-2-7b', hardware: 'a100-80gb-sxm', batch: 2, inputTokens: 512, outputTokens: 1, calibration: 'none' } as const;
    const last = estimate(request);
    const all = estimate({ ...request, promptLogits: true });
    const head = (r: typeof last) => r.prefill.ops.find((o) => o.name === 'lm head')!;
    expect(head(last).shape).toBe('m=2 n=32000 k=4096');
    expect(head(all).shape).toBe('m=1024 n=32000 k=4096');
    expect(all.ttftS - last.ttftS).toBeCloseTo(head(all).latencyS - head(last).latencyS, 9);
    // Their fp32 logits are held at once: 1,022 more rows of 32,000 × 4 bytes.
    expect(all.memory.activationBytes - last.memory.activationBytes).toBe((1024 - 2) * 32000 * 4);
  });

  const device = findDevice('mi210')!;
  const link = { name: 'if', bandwidthBytesPerS: 50e9, latencyS: 2e-6 };
  const ctx: CostContext = { device, efficiency: DEFAULT_EFFICIENCY, energy: energyRates(device), links: { tp: link, ep: link, pp: link, dp: link }, baseDtype: 'fp32' };
  const base = { name: 'op', scope: 'layer' as const, block: 'attention' as const, count: 1 };
  const sf = (x: number) => x / (x + DEFAULT_EFFICIENCY.gemmHalfDim);

  it('an unfused attention\'s matmuls run at the GEMM efficiency of their dimensions; a flash kernel\'s at attentionCompute', () => {
    const op = (flash: boolean): Op => ({ ...base, kind: 'attention', batch: 2, queryLen: 2048, kvLen: 2048, numHeads: 32, numKvHeads: 32, headDim: 80, causal: true, flash, actBits: 32, kvBits: 32 });
    const unfused = costOp(op(false), ctx);
    const flops = 4 * 2 * 2048 * 2048 * 32 * 80;
    const tensorS = flops / (45.3e12 * DEFAULT_EFFICIENCY.gemmCompute * sf(2048) * sf(2048) * sf(80));
    const vectorS = (5 * 2 * 2048 * 2048 * 32) / (22.6e12 * DEFAULT_EFFICIENCY.vector);
    expect(unfused.computeS).toBeCloseTo(tensorS + vectorS, 12);
    // The flash kernel keeps the fitted attention efficiency over its query rows (and skips the masked half).
    const flash = costOp(op(true), ctx);
    const pairs = 2 * causalPairs(2048, 2048);
    const rows = 2 * 32 * 2048;
    const flashTensorS = (4 * pairs * 32 * 80) / (45.3e12 * DEFAULT_EFFICIENCY.attentionCompute * (rows / (rows + DEFAULT_EFFICIENCY.attentionHalfRows)));
    expect(flash.computeS).toBeCloseTo(flashTensorS + (5 * pairs * 32) / (22.6e12 * DEFAULT_EFFICIENCY.vector), 12);
  });

  it('CDNA\'s FP32 GEMMs run on its matrix rate, its elementwise FP32 on the vector rate', () => {
    const gemm: Op = { ...base, block: 'mlp', kind: 'gemm', m: 8192, n: 8192, k: 8192, batch: 1, weightBits: 32, actBits: 32, outBits: 32 };
    const cost = costOp(gemm, ctx);
    expect(cost.computeS).toBeCloseTo((2 * 8192 ** 3) / (45.3e12 * DEFAULT_EFFICIENCY.gemmCompute * sf(8192) ** 3), 12);
    const gelu: Op = { ...base, block: 'mlp', kind: 'elementwise', fn: 'gelu', elements: 1 << 24, readsPerElement: 1, writesPerElement: 1, flopsPerElement: 8, bits: 32 };
    expect(costOp(gelu, ctx).computeS).toBeCloseTo((8 * (1 << 24)) / (22.6e12 * DEFAULT_EFFICIENCY.vector), 12);
    // The cycle engine's per-SM FP32 matrix rate is the matrix rate too, twice its FP16-relative vector share.
    const cycle = gpuParams(findDevice('mi210')!).mmaFlopsPerSPerSm;
    expect(cycle.fp32! / cycle.fp16!).toBeCloseTo(45.3 / 181, 6);
    expect(findDevice('mi300x')!.matrixFp32FlopsPerS).toBeUndefined(); // CDNA 3 quotes one FP32 rate for both
    expect(findDevice('h100-sxm')!.matrixFp32FlopsPerS).toBeUndefined(); // NVIDIA's FP32 GEMMs run on CUDA cores
  });
});
