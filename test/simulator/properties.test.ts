// Property tests: monotonic in bandwidth and FLOP/s, never below the roofline floor, parts sum to the total,
// same inputs same result.
import { describe, expect, it } from 'vitest';
import { ownAllReduceTakes } from '../../simulator/collectives.ts';
import { estimate, estimateOp, findDevice, IDEAL_EFFICIENCY, SERVING_FRAMEWORKS, FRAMEWORK_COSTS, type Device, type EstimateReport } from '../../index.ts';
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

describe('serving framework host time', () => {
  it('adds its time per step and per sequence to TTFT and to every decode step, and nothing else, at batch 1 on one device', () => {
    // Llama-2-7B: one KV head per query head, so a framework's KV re-reads (GQA only) add nothing.
    const base = { model: 'llama-2-7b', inputTokens: 512, outputTokens: 32 } as const;
    const none = estimate(base);
    for (const framework of SERVING_FRAMEWORKS) {
      const r = estimate({ ...base, framework });
      const host = FRAMEWORK_COSTS[framework];
      expect(r.ttftS - none.ttftS, framework).toBeCloseTo(host.stepS + host.sequenceS, 12);
      expect(r.tpotS - none.tpotS, framework).toBeCloseTo(host.stepS + host.sequenceS, 12);
      expect(r.memory).toEqual(none.memory);
      expect(r.inputs.scenario.framework).toBe(framework);
    }
    expect(estimate({ ...base, framework: 'vllm', efficiency: { stepOverheadS: 1e-3 } }).inputs.efficiency.stepOverheadS).toBeCloseTo(1e-3 + FRAMEWORK_COSTS.vllm.stepS, 12);
    expectGenzError(() => estimate({ ...base, framework: 'sglang' as never }), 'invalid_input', ['framework']);
  });

  it('charges the per-sequence time once per sequence of a replica: 64 sequences pay 63 more than one', () => {
    const base = { model: 'llama-2-7b', inputTokens: 512, outputTokens: 32, calibration: 'none' } as const;
    const perSequenceS = FRAMEWORK_COSTS.vllm.sequenceS;
    expect(perSequenceS).toBeGreaterThan(0);
    const added = (batch: number): number => estimate({ ...base, batch, framework: 'vllm' }).tpotS - estimate({ ...base, batch }).tpotS;
    expect(added(64) - added(1)).toBeCloseTo(63 * perSequenceS, 9);
    // Two data-parallel replicas of 32 each: a step handles its replica's sequences.
    const replicas = (framework: 'vllm' | 'none'): number => estimate({ ...base, hardware: '8x-h100-hgx', devices: 2, batch: 64, framework }).tpotS;
    expect(replicas('vllm') - replicas('none')).toBeCloseTo(FRAMEWORK_COSTS.vllm.stepS + 32 * perSequenceS, 9);
  });

  it("prices the all-reduces a framework's own kernel takes by the link and its call time, not by the device's NCCL pricing", () => {
    const allReduces = (report: EstimateReport) => report.decode.ops.filter((op) => op.name.includes('all-reduce'));
    const allReduceS = (report: EstimateReport): number => allReduces(report).reduce((sum, op) => sum + op.latencyS, 0);
    const calls = (report: EstimateReport): number => allReduces(report).reduce((sum, op) => sum + op.count, 0);
    // The defaults (A100) and a calibrated collective curve (H100, fitted on NCCL calls timed alone): vLLM's kernel
    // saves most of NCCL's ≈25 µs per call on a decode step's small messages.
    for (const [hardware, calibration] of [['8x-a100-hgx', 'none'], ['8x-h100-hgx', 'default']] as const) {
      const base = { model: 'llama-3.1-8b', hardware, tp: 4, inputTokens: 512, outputTokens: 32, calibration } as const;
      const none = estimate(base);
      const vllm = estimate({ ...base, framework: 'vllm' });
      expect(calls(vllm)).toBeGreaterThan(0);
      expect(allReduceS(vllm), hardware).toBeLessThan(allReduceS(none) - calls(vllm) * 10e-6);
      // Each costs the link's α–β time plus the call, never less than the call.
      for (const op of allReduces(vllm)) expect(op.latencyS / op.count).toBeGreaterThanOrEqual(FRAMEWORK_COSTS.vllm.allReduce!.callS);
      // DeepSpeed-MII and llama.cpp call NCCL (or none): the device's pricing.
      for (const framework of ['deepspeed-mii', 'llama.cpp'] as const) expect(allReduceS(estimate({ ...base, framework })), hardware).toBeCloseTo(allReduceS(none), 12);
    }
    // Not on AMD parts (vLLM's 2024 custom all-reduce is CUDA only), not over 8 MiB, not in groups of 3.
    const keeps = (request: Parameters<typeof estimate>[0]): void => {
      expect(allReduceS(estimate({ ...request, framework: 'vllm' }))).toBeCloseTo(allReduceS(estimate(request)), 12);
    };
    keeps({ model: 'llama-3.1-8b', hardware: '8x-mi300x', tp: 4, inputTokens: 512, outputTokens: 32 });
    // A decode step's all-reduce of 2,048 sequences × 4,096 × 2 bytes is 16 MiB.
    keeps({ model: 'llama-3.1-8b', hardware: '8x-h100-hgx', devices: 4, tp: 4, batch: 2048, inputTokens: 512, outputTokens: 32 });
    expect(2048 * 4096 * 2).toBeGreaterThan(FRAMEWORK_COSTS.vllm.allReduce!.maxBytes);
    const own = FRAMEWORK_COSTS.vllm.allReduce!;
    expect([2, 3, 4, 5, 6, 7, 8].map((n) => ownAllReduceTakes(own, 'NVIDIA', n, 1024))).toEqual([true, false, true, false, true, false, true]);
    // Under 8 MiB, as vLLM's inp_size < max_size; any case of the vendor name.
    expect([8 * 1024 * 1024 - 1, 8 * 1024 * 1024].map((bytes) => ownAllReduceTakes(own, 'nvidia', 8, bytes))).toEqual([true, false]);
    expect(ownAllReduceTakes(own, 'AMD', 8, 1024)).toBe(false);
    expect(ownAllReduceTakes(undefined, 'NVIDIA', 8, 1024)).toBe(false);
  });

  it('keeps NCCL for a tensor-parallel group that spans the scale-out network: the own kernel reads peers within a node', () => {
    const twoNodes = {
      id: '2x4-h100', name: 'two 4-GPU H100 nodes', device: 'h100-sxm', deviceCount: 8,
      scaleUp: { devicesPerDomain: 4, topology: 'switch', network: { name: 'NVLink 4', bandwidthBytesPerS: 450e9, latencyS: 1e-6 } },
      scaleOut: { name: 'InfiniBand NDR', bandwidthBytesPerS: 50e9, latencyS: 2e-6 }, sources: {},
    };
    const allReduceS = (report: EstimateReport): number => report.decode.ops.filter((op) => op.name.includes('all-reduce')).reduce((sum, op) => sum + op.latencyS, 0);
    const base = { model: 'llama-3.1-8b', hardware: twoNodes, inputTokens: 512, outputTokens: 32, calibration: 'none' } as const;
    expect(allReduceS(estimate({ ...base, tp: 8, framework: 'vllm' }))).toBeCloseTo(allReduceS(estimate({ ...base, tp: 8 })), 12);
    // Within a node it takes them.
    expect(allReduceS(estimate({ ...base, tp: 4, framework: 'vllm' }))).toBeLessThan(allReduceS(estimate({ ...base, tp: 4 })));
  });

  it('charges the host time on every draft and verify pass of speculative decoding, so it does not inflate the speedup', () => {
    const base = { model: 'llama-3.1-8b', batch: 64, inputTokens: 512, outputTokens: 64, speculative: { draft: 'llama-3.2-1b', acceptance: 0.7, gamma: 4 } } as const;
    const speedup = (frameworkCosts?: { stepS: number; sequenceS: number; allReduce: null }): number =>
      estimate({ ...base, ...(frameworkCosts ? { frameworkCosts } : {}) }).speculative!.speedup;
    const kernelsOnly = speedup();
    // Host time per pass adds the same to a plain step and to each of the γ + 1 speculative passes: the speedup falls.
    expect(speedup({ stepS: 0, sequenceS: 100e-6, allReduce: null })).toBeLessThan(kernelsOnly);
    expect(speedup({ stepS: 6.4e-3, sequenceS: 0, allReduce: null })).toBeCloseTo(speedup({ stepS: 0, sequenceS: 100e-6, allReduce: null }), 9);
  });

  it("charges a GQA decode attention the framework's share of one extra KV read per query head; not MHA, not a prompt", () => {
    const attention = (model: string, phase: 'decode' | 'prefill', kvRereadShare: number) => {
      const r = estimate({ model, batch: 8, inputTokens: 2048, outputTokens: 64, calibration: 'none', frameworkCosts: { stepS: 0, sequenceS: 0, allReduce: null, kvRereadShare } });
      return r[phase].ops.find((op) => op.kind === 'attention')!;
    };
    // Llama-3.1-8B: 32 query heads over 8 KV heads, so each KV head would be read 4 times: 3 extra reads.
    const once = attention('llama-3.1-8b', 'decode', 0);
    const half = attention('llama-3.1-8b', 'decode', 0.5);
    const qoBytes = (2 * 8 * 32 * 128 * 16) / 8 * once.count;
    expect(half.bytes - qoBytes).toBeCloseTo((once.bytes - qoBytes) * (1 + 0.5 * 3), 0);
    expect(half.latencyS).toBeGreaterThan(once.latencyS);
    expect(attention('llama-2-7b', 'decode', 0.5).bytes).toBe(attention('llama-2-7b', 'decode', 0).bytes);
    expect(attention('llama-3.1-8b', 'prefill', 0.5).bytes).toBe(attention('llama-3.1-8b', 'prefill', 0).bytes);
    // MLA's latent is one shared read whatever the heads (its op carries a fraction of a KV head): no re-reads.
    expect(attention('deepseek-v2-lite', 'decode', 1).bytes).toBe(attention('deepseek-v2-lite', 'decode', 0).bytes);
    // Fitted on GPU runs: a CPU's decode attention keeps its bytes.
    const onCpu = (kvRereadShare: number) => estimate({ model: 'llama-3.1-8b', hardware: 'jetson-agx-orin-cpu', inputTokens: 1024, outputTokens: 8, wbits: 4,
      frameworkCosts: { stepS: 0, sequenceS: 0, allReduce: null, kvRereadShare } }).decode.ops.find((op) => op.kind === 'attention')!.bytes;
    expect(onCpu(1)).toBe(onCpu(0));
  });

  it('prices a larger share never faster, on calibrated curves and defaults alike, and the cycle engine says it ignores it', () => {
    const costs = (kvRereadShare: number) => ({ stepS: 0, sequenceS: 0, allReduce: null, kvRereadShare });
    // A100 decode attention of Qwen2-7B (7 query heads per KV head) and Llama-2-70B sit near the edge of the
    // attention curve's fitted balance: the re-reads must not move them from the curve to the defaults.
    for (const [model, tp, batch] of [['qwen2-7b', 2, 64], ['llama-2-70b', 4, 16], ['mistral-7b', 1, 64]] as const) {
      let last = 0;
      for (const share of [0, 0.05, 0.1, 0.2, 0.5, 1]) {
        const r = estimate({ model, hardware: '8x-a100-hgx', devices: tp, tp, batch, inputTokens: 1024, outputTokens: 64, frameworkCosts: costs(share) });
        const attentionS = r.decode.ops.filter((op) => op.kind === 'attention').reduce((sum, op) => sum + op.latencyS, 0);
        expect(attentionS, `${model} at share ${share}`).toBeGreaterThanOrEqual(last);
        last = attentionS;
      }
    }
    const cycle = estimate({ model: 'qwen2.5-0.5b', inputTokens: 64, outputTokens: 4, engine: 'cycle', framework: 'vllm' });
    expect(cycle.warnings.join(' ')).toMatch(/cycle engine adds the framework's host time only/);
    expect(estimate({ model: 'qwen2.5-0.5b', inputTokens: 64, outputTokens: 4, framework: 'vllm' }).warnings.join(' ')).not.toMatch(/host time only/);
  });

  it('charges the re-reads on a speculative verify pass too (the decode kernel scores it), so they do not inflate the speedup', () => {
    const base = { model: 'llama-3.1-8b', batch: 64, inputTokens: 1024, outputTokens: 64, speculative: { draft: 'llama-3.2-1b', acceptance: 0.7, gamma: 4 } } as const;
    const speedup = (kvRereadShare: number): number => estimate({ ...base, frameworkCosts: { stepS: 0, sequenceS: 0, allReduce: null, kvRereadShare } }).speculative!.speedup;
    // Both the plain step and the verify pass read the KV cache more; the speedup moves little.
    expect(Math.abs(speedup(1) / speedup(0) - 1)).toBeLessThan(0.05);
    // A larger tree never verifies faster: every pass over the cache pays the re-reads, whatever its query tokens.
    const verifyS = (treeSize: number): number => estimate({
      model: 'llama-3.1-70b', hardware: '8x-a100-hgx', tp: 8, batch: 32, inputTokens: 4096, outputTokens: 64, framework: 'llama.cpp',
      speculative: { draft: 'llama-3.2-1b', acceptance: [0.6, 0.15, 0.05], treeSize },
    }).speculative!.verifyPassS;
    for (const size of [8, 15, 16, 17, 24]) expect(verifyS(size + 1), `tree of ${size + 1}`).toBeGreaterThanOrEqual(verifyS(size));
  });

  it("takes a host time of the caller's own in place of the fitted one, and says so", () => {
    const own = { stepS: 2e-3, sequenceS: 10e-6, allReduce: null };
    const base = { model: 'llama-3.1-8b', inputTokens: 512, outputTokens: 32, batch: 4 } as const;
    const r = estimate({ ...base, framework: 'vllm', frameworkCosts: own });
    expect(r.tpotS - estimate(base).tpotS).toBeCloseTo(2e-3 + 4 * 10e-6, 12);
    // Fields left out take their defaults: no own all-reduce, no re-reads.
    expect(r.inputs.scenario.frameworkCosts).toEqual({ ...own, kvRereadShare: 0 });
    expectGenzError(() => estimate({ ...base, frameworkCosts: { stepS: -1, sequenceS: 0, allReduce: null } }), 'invalid_input', ['frameworkCosts', 'stepS']);
  });
});
