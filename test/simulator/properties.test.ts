// Property tests: monotonic in bandwidth and FLOP/s, never below the roofline floor, parts sum to the total,
// same inputs same result.
import { describe, expect, it } from 'vitest';
import { estimate, estimateOp, findDevice, IDEAL_EFFICIENCY, SERVING_FRAMEWORKS, FRAMEWORK_STEP_OVERHEAD_S, type Device, type EstimateReport } from '../../index.ts';
import { expectGenzError } from '../helpers.ts';

function scaled(id: string, bandwidth: number, flops: number): Device {
  const d = structuredClone(findDevice(id)!);
  d.id = `${id}-scaled`;
  d.memory[0]!.bandwidthBytesPerS *= bandwidth;
  for (const key of Object.keys(d.peakFlopsPerS) as (keyof Device['peakFlopsPerS'])[]) {
    const v = d.peakFlopsPerS[key];
    if (v !== undefined) d.peakFlopsPerS[key] = v * flops;
  }
  return d;
}

const run = (hardware: Device | string, extra: Record<string, unknown> = {}): EstimateReport =>
  estimate({ model: 'llama-3.1-8b', hardware: hardware as string, batch: 8, inputTokens: 512, outputTokens: 64, ...extra });

describe('monotonicity', () => {
  it('more bandwidth never slows anything; decode speeds up', () => {
    let previous = run(scaled('a100-80gb-sxm', 0.5, 1));
    for (const factor of [1, 1.5, 2, 4]) {
      const next = run(scaled('a100-80gb-sxm', factor, 1));
      expect(next.ttftS).toBeLessThanOrEqual(previous.ttftS);
      expect(next.tpotS).toBeLessThan(previous.tpotS);
      previous = next;
    }
  });

  it('more FLOP/s never slows anything; prefill speeds up', () => {
    let previous = run(scaled('h100-sxm', 1, 0.5));
    for (const factor of [1, 2, 4]) {
      const next = run(scaled('h100-sxm', 1, factor));
      expect(next.ttftS).toBeLessThan(previous.ttftS);
      expect(next.tpotS).toBeLessThanOrEqual(previous.tpotS);
      previous = next;
    }
  });

  it('longer outputs raise TPOT (the KV cache grows) and longer prompts raise TTFT', () => {
    const short = run('h100-sxm', { outputTokens: 16 });
    const long = run('h100-sxm', { outputTokens: 4096 });
    expect(long.tpotS).toBeGreaterThan(short.tpotS);
    expect(run('h100-sxm', { inputTokens: 4096 }).ttftS).toBeGreaterThan(short.ttftS);
  });

  it('memory grows with batch and the largest batch that fits really fits', () => {
    const r = estimate({ model: 'llama-2-7b', hardware: 'l4', inputTokens: 2048, outputTokens: 512 });
    expect(r.maxBatchThatFits).toBeGreaterThan(0);
    expect(estimate({ model: 'llama-2-7b', hardware: 'l4', inputTokens: 2048, outputTokens: 512, batch: r.maxBatchThatFits }).memory.fits).toBe(true);
    expect(estimate({ model: 'llama-2-7b', hardware: 'l4', inputTokens: 2048, outputTokens: 512, batch: r.maxBatchThatFits + 1 }).memory.fits).toBe(false);
  });
});

describe('roofline floor', () => {
  it('no op is faster than max(FLOPs / peak, bytes / bandwidth)', () => {
    const device = findDevice('h100-sxm')!;
    for (const [m, n, k] of [[1, 4096, 4096], [64, 8192, 1024], [4096, 4096, 4096], [8192, 128, 65536]] as const) {
      for (const dtype of ['fp16', 'fp8', 'fp32', 'tf32', 'int8'] as const) {
        const r = estimateOp({ kind: 'gemm', m, n, k, dtype, hardware: 'h100-sxm' });
        const peak = device.peakFlopsPerS[r.computeDtype!]!;
        expect(r.latencyS).toBeGreaterThanOrEqual(Math.max(r.flops / peak, r.bytes / device.memory[0]!.bandwidthBytesPerS));
      }
    }
  });

  it('a large fp16 GEMM is compute-bound and a GEMV memory-bound', () => {
    expect(estimateOp({ kind: 'gemm', m: 8192, n: 8192, k: 8192, hardware: 'h100-sxm' }).bound).toBe('compute');
    expect(estimateOp({ kind: 'gemm', m: 1, n: 8192, k: 8192, hardware: 'h100-sxm' }).bound).toBe('memory');
  });
});

describe('parts sum to the whole', () => {
  it('op times sum to the phase latency on one device without pipelining (minus the serving step overhead)', () => {
    const r = run('h100-sxm');
    const prefillSum = r.prefill.ops.reduce((s, op) => s + op.latencyS, 0);
    expect(prefillSum + r.inputs.efficiency.stepOverheadS).toBeCloseTo(r.ttftS, 12);
    const decodeSum = r.decode.ops.reduce((s, op) => s + op.latencyS, 0);
    expect(decodeSum + r.inputs.efficiency.stepOverheadS).toBeCloseTo(r.decode.latencyS, 12);
    expect(r.prefill.ops.reduce((s, op) => s + op.share, 0)).toBeCloseTo(1, 9);
  });

  it('memory per device is weights + KV + activations + workspace', () => {
    const m = run('h100-sxm').memory;
    expect(m.weightsBytes + m.kvCacheBytes + m.activationBytes + m.workspaceBytes).toBe(m.perDeviceBytes);
  });

  it('end-to-end = TTFT + (output − 1) · TPOT, and tokens/s = batch · output / e2e', () => {
    const r = run('h100-sxm');
    expect(r.e2eS).toBeCloseTo(r.ttftS + 63 * r.tpotS, 12);
    expect(r.outputTokensPerS).toBeCloseTo((8 * 64) / r.e2eS, 9);
  });

  it('at efficiency 1 a single-device prefill sums its op energies', () => {
    const r = estimate({ model: 'llama-3.1-8b', hardware: 'h100-sxm', efficiency: IDEAL_EFFICIENCY });
    const sum = r.prefill.ops.reduce((s, op) => s + op.energyJ, 0);
    expect(sum / r.prefill.energyJ).toBeCloseTo(1, 6);
  });
});

describe('determinism', () => {
  it('the same request gives the same JSON', () => {
    const a = JSON.stringify(run('mi300x', { tp: 1 }));
    const b = JSON.stringify(run('mi300x', { tp: 1 }));
    expect(a).toBe(b);
  });
});

describe('parallelism', () => {
  it('pipeline parallelism: TTFT includes the fill of the pipeline; throughput improves with micro-batches', () => {
    const pp1 = estimate({ model: 'llama-2-70b', hardware: '8x-h100-hgx', devices: 2, tp: 2, batch: 8 });
    const pp2 = estimate({ model: 'llama-2-70b', hardware: '8x-h100-hgx', devices: 4, tp: 2, pp: 2, batch: 8 });
    expect(pp2.parallel.microBatches).toBe(2);
    // GPipe with 2 stages and 2 micro-batches: 3 slots of which each stage is busy 2 → bubble ≈ 1/3.
    expect(pp2.parallel.prefillBubbleFraction).toBeGreaterThan(0.3);
    expect(pp2.parallel.prefillBubbleFraction).toBeLessThan(0.4);
    expect(pp1.parallel.prefillBubbleFraction).toBe(0);
    expect(pp2.memory.weightsBytes).toBeLessThan(pp1.memory.weightsBytes * 0.55);
    expect(pp2.ttftS).toBeLessThan(pp1.ttftS);
  });

  it('data parallelism splits the batch over replicas', () => {
    const r = estimate({ model: 'llama-3.1-8b', hardware: '8x-h100-hgx', batch: 64 });
    expect(r.parallel.dp).toBe(8);
    expect(r.parallel.replicaBatch).toBe(8);
  });

  it('MoE decode reads more distinct experts as the batch grows; expert parallelism adds all-to-alls', () => {
    const bytes = (batch: number): number => estimate({ model: 'mixtral-8x7b', hardware: 'h200', batch }).decode.ops
      .filter((op) => op.name.startsWith('expert')).reduce((s, op) => s + op.bytes, 0);
    expect(bytes(16)).toBeGreaterThan(bytes(1) * 3);
    // EP within the TP group: every rank holds the tokens already; the TP all-reduce combines, no all-to-all.
    const within = estimate({ model: 'mixtral-8x7b', hardware: '8x-h100-hgx', devices: 4, tp: 4, ep: 4, batch: 16 });
    const tpOnly = estimate({ model: 'mixtral-8x7b', hardware: '8x-h100-hgx', devices: 4, tp: 4, batch: 16 });
    expect(within.decode.ops.some((op) => op.name.includes('all-to-all'))).toBe(false);
    expect(within.memory.weightsBytes).toBeCloseTo(tpOnly.memory.weightsBytes, -6);
    // EP across data-parallel replicas (tp 2 × 2 replicas = ep 4): dispatch and combine all-to-alls.
    const across = estimate({ model: 'mixtral-8x7b', hardware: '8x-h100-hgx', devices: 4, tp: 2, ep: 4, batch: 16 });
    expect(across.decode.ops.filter((op) => op.name.includes('all-to-all')).length).toBe(2);
    expect(() => estimate({ model: 'mixtral-8x7b', hardware: '8x-h100-hgx', devices: 4, tp: 4, ep: 8, batch: 16 })).toThrow(/ep 8/);
  });
});

describe('serving framework host time per step', () => {
  it('adds its overhead to TTFT and to every decode step, and nothing else', () => {
    const base = { model: 'llama-3.1-8b', inputTokens: 512, outputTokens: 32 } as const;
    const none = estimate(base);
    for (const framework of SERVING_FRAMEWORKS) {
      const r = estimate({ ...base, framework });
      const stepS = FRAMEWORK_STEP_OVERHEAD_S[framework];
      expect(r.ttftS - none.ttftS, framework).toBeCloseTo(stepS, 12);
      expect(r.tpotS - none.tpotS, framework).toBeCloseTo(stepS, 12);
      expect(r.memory).toEqual(none.memory);
      expect(r.inputs.scenario.framework).toBe(framework);
    }
    expect(estimate({ ...base, framework: 'vllm', efficiency: { stepOverheadS: 1e-3 } }).inputs.efficiency.stepOverheadS).toBeCloseTo(1e-3 + FRAMEWORK_STEP_OVERHEAD_S.vllm, 12);
    expectGenzError(() => estimate({ ...base, framework: 'sglang' as never }), 'invalid_input', ['framework']);
  });
});
