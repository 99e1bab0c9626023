// Sliding-window, sink + window (Λ-shaped, StreamingLLM: Xiao et al. 2024) and block-sparse (MoBA: Lu et al. 2025;
// NSA: Yuan et al. 2025) attention: pairs, bytes and cache against hand counts.
import { describe, expect, it } from 'vitest';
import { estimate, findModel, findDevice, rooflineBackend, TransformerConfigSchema, type CostContext, type TransformerConfig, type Op } from '../../index.ts';
import { windowedCausalPairs, causalPairs } from '../../simulator/work.ts';
import { energyRates } from '../../simulator/energy.ts';

function variant(mixer: 'sliding-attention' | 'sink-attention' | 'sparse-attention', extra: Record<string, unknown>): TransformerConfig {
  const base = findModel('llama-3.1-8b')!;
  return TransformerConfigSchema.parse({
    ...base, id: `llama-3.1-8b-${mixer}`, ...extra,
    layers: Array.from({ length: base.numLayers }, () => ({ mixers: [mixer], ffn: 'dense' })),
  });
}

const ctx = (): CostContext => {
  const device = findDevice('h100-sxm')!;
  const link = { name: 'x', bandwidthBytesPerS: 1e11, latencyS: 1e-6 };
  return { device, efficiency: { gemmCompute: 1, gemmHalfDim: 0, attentionCompute: 1, attentionHalfRows: 0, vector: 1, memory: 1, elementwiseMemory: 1, kernelOverheadS: 0, network: 1, collectiveOverheadS: 0, stepOverheadS: 0 }, links: { tp: link, ep: link, pp: link, dp: link }, baseDtype: 'bf16', energy: energyRates(device) };
};

const attentionOp = (over: Partial<Extract<Op, { kind: 'attention' }>>): Op => ({
  kind: 'attention', name: 'a', scope: 'layer', block: 'attention', count: 1, batch: 1, queryLen: 1, kvLen: 1, numHeads: 32,
  numKvHeads: 8, headDim: 128, causal: true, flash: true, actBits: 16, kvBits: 16, ...over,
});

describe('windowed causal pairs', () => {
  it('equal Σᵢ min(past + i, window), by brute force', () => {
    for (const [q, kv, w] of [[1, 10, 4], [8, 8, 3], [16, 40, 100], [100, 100, 100], [7, 30, 1], [50, 60, 20]] as const) {
      let brute = 0;
      for (let i = 1; i <= q; i++) brute += Math.min(kv - q + i, w);
      expect(windowedCausalPairs(q, kv, w)).toBe(brute);
    }
    expect(windowedCausalPairs(64, 64, 1e9)).toBe(causalPairs(64, 64));
  });
});

describe('sliding-window attention', () => {
  const swa = variant('sliding-attention', { slidingWindow: 4096 });
  it('keeps at most `window` tokens of KV per layer (32k context, 4k window)', () => {
    const r = estimate({ model: swa as unknown as Record<string, unknown>, hardware: 'h100-sxm', inputTokens: 32_000, outputTokens: 768 });
    expect(r.memory.kvCacheBytes).toBe(4096 * 2 * 8 * 128 * 2 * 32); // window · (K,V) · kvHeads · headDim · 2 B · layers
  });
  it('a decode step reads only the window of KV, so TPOT stops growing past it', () => {
    const at = (input: number) => estimate({ model: swa as unknown as Record<string, unknown>, hardware: 'h100-sxm', inputTokens: input, outputTokens: 2 }).decode.latencyS;
    expect(at(16_000)).toBeCloseTo(at(64_000), 12);
    const full = (input: number) => estimate({ model: 'llama-3.1-8b', hardware: 'h100-sxm', inputTokens: input, outputTokens: 2 }).decode.latencyS;
    expect(full(64_000)).toBeGreaterThan(full(16_000) * 1.2);
  });
  it('decode attention bytes = window keys × (K,V) × kvHeads × headDim × 2 B + Q and O', () => {
    const cost = rooflineBackend.cost(attentionOp({ kvLen: 20_000, windowTokens: 4096 }), ctx());
    expect(cost.dramBytes).toBe(4096 * 2 * 8 * 128 * 2 + 2 * 32 * 128 * 2);
  });
});

describe('sink + window (Λ-shaped) attention', () => {
  it('caches the sink tokens plus the window', () => {
    const sink = variant('sink-attention', { slidingWindow: 2048, attentionSinks: 4 });
    const r = estimate({ model: sink as unknown as Record<string, unknown>, hardware: 'h100-sxm', inputTokens: 30_000, outputTokens: 100 });
    expect(r.memory.kvCacheBytes).toBe((4 + 2048) * 2 * 8 * 128 * 2 * 32);
  });
});

describe('block-sparse attention (MoBA / NSA)', () => {
  const blockSize = 512;
  const topK = 4;
  it('decode reads top-k blocks of KV plus every block mean, and scores every block', () => {
    const kvLen = 65_536;
    const blocks = kvLen / blockSize;
    const cost = rooflineBackend.cost(attentionOp({ kvLen, windowTokens: blockSize * topK, selectionBlockSize: blockSize }), ctx());
    const keys = blockSize * topK;
    expect(cost.dramBytes).toBe(keys * 2 * 8 * 128 * 2 + blocks * 8 * 128 * 2 + 2 * 32 * 128 * 2);
    expect(cost.flops).toBe(4 * keys * 32 * 128 + 2 * 32 * 128 * blocks); // attention + block scoring
  });
  it('at long context costs far less than full attention in prefill, but keeps the full KV cache', () => {
    const sparse = variant('sparse-attention', { sparseAttention: { blockSize, topKBlocks: topK } });
    const s = estimate({ model: sparse as unknown as Record<string, unknown>, hardware: 'h100-sxm', inputTokens: 65_536, outputTokens: 2 });
    const f = estimate({ model: 'llama-3.1-8b', hardware: 'h100-sxm', inputTokens: 65_536, outputTokens: 2 });
    const attention = (r: typeof s) => r.prefill.ops.find((op) => op.kind === 'attention')!.flops;
    expect(attention(s)).toBeLessThan(attention(f) / 8);
    expect(s.memory.kvCacheBytes).toBeGreaterThan(f.memory.kvCacheBytes); // + block means
  });
  it('a sparse layer without sparseAttention settings is refused at the field', () => {
    const base = findModel('llama-3.1-8b')!;
    const result = TransformerConfigSchema.safeParse({ ...base, layers: Array.from({ length: 32 }, () => ({ mixers: ['sparse-attention'], ffn: 'dense' })) });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['layers', 0, 'mixers']);
  });
  it('an unknown layer kind is refused with its path', () => {
    const base = findModel('llama-3.1-8b')!;
    const result = TransformerConfigSchema.safeParse({ ...base, layers: Array.from({ length: 32 }, (_, i) => ({ mixers: [i === 5 ? 'retention' : 'attention'], ffn: 'dense' })) });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['layers', 5, 'mixers', 0]);
  });
});

describe('Mistral-7B v0.1: a 4096-token window on every layer', () => {
  it('KV cache and decode time stop growing past the window', () => {
    // Uncalibrated, so the ratio below is the window's alone (calibrated large GEMMs are relatively faster).
    const at = (inputTokens: number) => estimate({ model: 'mistral-7b', inputTokens, outputTokens: 64, calibration: 'none' });
    const [short, long] = [at(8192), at(32768)];
    // 32 layers × 8 KV heads × 128 × 2 (K and V) × 2 bytes × 4096 tokens.
    expect(long.memory.kvCacheBytes).toBe(32 * 8 * 128 * 2 * 2 * 4096);
    expect(long.memory.kvCacheBytes).toBe(short.memory.kvCacheBytes);
    expect(long.tpotS).toBeCloseTo(short.tpotS, 12);
    // Prefill still grows (every query attends to up to 4096 keys), roughly linearly beyond the window.
    expect(long.ttftS / short.ttftS).toBeGreaterThan(3.5);
    expect(long.ttftS / short.ttftS).toBeLessThan(4.5);
  });
});
