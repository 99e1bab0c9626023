// Golden numbers from first principles: the arithmetic is written out next to each assertion.
import { describe, expect, it } from 'vitest';
import {
  estimate, buildGraph, findModel, findDevice, rooflineBackend, IDEAL_EFFICIENCY, DEFAULT_EFFICIENCY, paramBreakdown,
  type CostContext, type TransformerConfig,
} from '../../index.ts';
import { energyRates } from '../../simulator/energy.ts';

const model = (id: string): TransformerConfig => findModel(id)!;
const precision16 = { weightBits: 16, actBits: 16, kvBits: 16, embeddingBits: 16, groupSize: 128 };

function ctxFor(deviceId: string, ideal = true): CostContext {
  const device = findDevice(deviceId)!;
  const link = { name: 'test', bandwidthBytesPerS: 450e9, latencyS: 1e-6 };
  return { device, efficiency: ideal ? IDEAL_EFFICIENCY : DEFAULT_EFFICIENCY, links: { tp: link, ep: link, pp: link, dp: link }, baseDtype: 'fp16', energy: energyRates(device) };
}

describe('Llama-2-7B memory', () => {
  it('weights are ≈ 13.5 GB in fp16 (6.738e9 params × 2 bytes)', () => {
    const r = estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm', dtype: 'fp16' });
    expect(paramBreakdown(model('llama-2-7b')).total).toBeCloseTo(6.738e9, -7);
    expect(r.memory.weightsBytes / 1e9).toBeCloseTo(13.48, 1);
  });

  it('KV bytes per token = 2 · layers · kvHeads · headDim · bytes', () => {
    const mha = estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm', dtype: 'fp16' });
    expect(mha.memory.kvBytesPerToken).toBe(2 * 32 * 32 * 128 * 2); // 524,288 B = 0.5 MiB
    const gqa = estimate({ model: 'llama-3-8b', hardware: 'a100-80gb-sxm', dtype: 'fp16' });
    expect(gqa.memory.kvBytesPerToken).toBe(2 * 32 * 8 * 128 * 2); // 131,072 B: GQA keeps 8 KV heads
    const int8 = estimate({ model: 'llama-3-8b', hardware: 'a100-80gb-sxm', dtype: 'fp16', kvbits: 8 });
    expect(int8.memory.kvBytesPerToken).toBe(2 * 32 * 8 * 128 * 1);
  });

  it('KV cache = batch · (input + output) · KV bytes per token', () => {
    const r = estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm', dtype: 'fp16', batch: 4, inputTokens: 1000, outputTokens: 24 });
    expect(r.memory.kvCacheBytes).toBe(4 * 1024 * 524_288);
  });
});

describe('Llama-2-7B prefill FLOPs', () => {
  it('= 2 · linear params · tokens + causal attention + LM head on the last token only', () => {
    const c = model('llama-2-7b');
    const tokens = 1024;
    const graph = buildGraph({ config: c, phase: 'prefill', batch: 1, pastTokens: 0, newTokens: tokens, tp: 1, ep: 1, precision: precision16, flash: true });
    const ctx = ctxFor('a100-80gb-sxm');
    let tensorFlops = 0;
    for (const op of graph.ops) tensorFlops += rooflineBackend.cost(op, ctx).flops * op.count;
    const d = 4096;
    const linearPerLayer = d * (3 * d) + d * d + 3 * d * 11008; // QKV, O, gate/up/down = 202,375,168
    const linear = 2 * tokens * linearPerLayer * 32; // 1.326e13
    const causalPairs = (tokens * (tokens + 1)) / 2; // each token sees itself and the ones before
    const attention = 4 * causalPairs * 32 * 128 * 32; // QKᵀ and PV, 2 FLOPs per MAC, 32 heads × 128, 32 layers
    const lmHead = 2 * 1 * d * 32000; // last token only
    expect(tensorFlops).toBeCloseTo(linear + attention + lmHead, -6);
    // Without the mask the attention term doubles (what GenZ and LLM-Viewer count).
    expect(attention).toBeCloseTo((4 * tokens * tokens * 32 * 128 * 32) / 2 + 4 * (tokens / 2) * 32 * 128 * 32, -3);
  });

  it('has no embedding GEMM: the embedding is a gather with zero FLOPs', () => {
    const graph = buildGraph({ config: model('llama-2-7b'), phase: 'prefill', batch: 1, pastTokens: 0, newTokens: 512, tp: 1, ep: 1, precision: precision16, flash: true });
    const embedding = graph.ops.find((op) => op.name === 'embedding')!;
    expect(embedding.kind).toBe('gather');
    expect(rooflineBackend.cost(embedding, ctxFor('a100-80gb-sxm')).flops).toBe(0);
    const head = graph.ops.find((op) => op.name === 'lm head')!;
    expect(head.kind === 'gemm' && head.m).toBe(1);
  });
});

describe('decode is memory-bound on A100-80GB at batch 1', () => {
  it('takes about weights / bandwidth (13.48e9 B / 2.039e12 B/s ≈ 6.6 ms plus KV)', () => {
    const r = estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm', dtype: 'fp16', inputTokens: 1024, outputTokens: 2, efficiency: IDEAL_EFFICIENCY });
    const weightsOverBw = 13.476e9 / 2.039e12;
    expect(r.decode.latencyS).toBeGreaterThan(weightsOverBw * 0.98);
    expect(r.decode.latencyS).toBeLessThan(weightsOverBw * 1.06); // + 0.54 GB of KV at 1025 tokens
    for (const op of r.decode.ops.filter((o) => o.kind === 'gemm')) expect(op.bound).toBe('memory');
  });
});

describe('fit and tensor parallelism', () => {
  it('Llama-2-70B does not fit on one 80 GB GPU and does on two with TP 2', () => {
    const one = estimate({ model: 'llama-2-70b', hardware: 'a100-80gb-sxm', dtype: 'fp16' });
    expect(one.feasible).toBe(false);
    expect(one.memory.fits).toBe(false);
    expect(one.reason).toMatch(/per device/);
    expect(one.memory.weightsBytes).toBeGreaterThan(137e9); // 68.98e9 params × 2 B
    const two = estimate({ model: 'llama-2-70b', hardware: 'a100-80gb-sxm', dtype: 'fp16', tp: 2 });
    expect(two.feasible).toBe(true);
    expect(two.parallel.devices).toBe(2);
    expect(two.memory.weightsBytes).toBeCloseTo(one.memory.weightsBytes / 2, -8);
  });

  it('TP 8 adds two all-reduces per layer of tokens · hidden · bytes', () => {
    const r = estimate({ model: 'llama-2-70b', hardware: '8x-h100-hgx', tp: 8, dtype: 'fp16', batch: 4 });
    const layerReduces = r.decode.ops.filter((op) => op.kind === 'collective' && op.name.endsWith('all-reduce') && op.count === 80);
    expect(layerReduces.map((op) => op.name).sort()).toEqual(['attention all-reduce', 'mlp all-reduce']);
    const graph = buildGraph({ config: model('llama-2-70b'), phase: 'decode', batch: 4, pastTokens: 100, newTokens: 1, tp: 8, ep: 1, precision: precision16, flash: true });
    const reduce = graph.ops.find((op) => op.name === 'mlp all-reduce')!;
    expect(reduce.kind === 'collective' && reduce.bytes).toBe(4 * 8192 * 2);
    const single = estimate({ model: 'llama-2-70b', hardware: 'h200', dtype: 'fp16', batch: 4 });
    expect(single.decode.ops.some((op) => op.kind === 'collective')).toBe(false);
  });
});
