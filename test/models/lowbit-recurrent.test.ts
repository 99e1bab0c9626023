// Low-bit, matmul-free and long-convolution models: golden counts from the papers' equations.
import { describe, expect, it } from 'vitest';
import { estimate, findModel, paramBreakdown, buildGraph, TransformerConfigSchema, type TransformerConfig } from '../../index.ts';

const p16 = { weightBits: 16, actBits: 16, kvBits: 16, embeddingBits: 16, groupSize: 128 };

describe('BitNet b1.58 (Ma et al. 2024)', () => {
  it('ships ternary weights: log₂3 bits per weight (+ one 16-bit scale per 128) by default', () => {
    const r = estimate({ model: 'bitnet-b1.58-3b', hardware: 'jetson-agx-orin', batch: 1 });
    expect(r.inputs.scenario.precision.weightBits).toBeCloseTo(Math.log2(3), 12);
    const b = paramBreakdown(findModel('bitnet-b1.58-3b')!);
    const linear = b.mixers + b.ffns; // ternary; embeddings, head and norms stay 16-bit
    const expected = linear * ((Math.log2(3) + 16 / 128) / 8) + (b.embedding + b.lmHead + b.norms) * 2;
    expect(r.memory.weightsBytes / expected).toBeCloseTo(1, 9);
    expect(b.total / 3.32e9).toBeCloseTo(1, 1); // ≈ 3.3B (1bitLLM/bitnet_b1_58-3B)
  });

  it('decode is ~6× faster than the same shape at fp16 on a bandwidth-bound edge device', () => {
    const ternary = estimate({ model: 'bitnet-b1.58-3b', hardware: 'jetson-agx-orin' }).tpotS;
    const fp16 = estimate({ model: 'bitnet-b1.58-3b', hardware: 'jetson-agx-orin', wbits: 16 }).tpotS;
    expect(fp16 / ternary).toBeGreaterThan(3);
  });

  it('accepts 3, 5 and 6-bit weights with group scales', () => {
    for (const wbits of [3, 5, 6]) {
      const r = estimate({ model: 'llama-3.1-8b', hardware: 'rtx-4090', wbits });
      const b = paramBreakdown(findModel('llama-3.1-8b')!);
      const expected = (b.mixers + b.ffns) * ((wbits + 16 / 128) / 8) + (b.embedding + b.lmHead + b.norms) * 2;
      expect(r.memory.weightsBytes / expected).toBeCloseTo(1, 9);
    }
  });
});

describe('MatMul-free LM (Zhu et al. 2024)', () => {
  it('has 4d² MLGRU + 3·d·I GLU weights per layer: 370M, 1.3B and 2.7B within 3%', () => {
    for (const [id, total] of [['matmul-free-370m', 370e6], ['matmul-free-1.3b', 1.3e9], ['matmul-free-2.7b', 2.7e9]] as const) {
      const b = paramBreakdown(findModel(id)!);
      expect(Math.abs(b.total / total - 1)).toBeLessThan(0.05);
    }
    const c = findModel('matmul-free-370m')!;
    expect(c.intermediateSize).toBe(2816); // 256·⌈1024·4·⅔/256⌉
  });

  it('keeps a constant d-wide fp32 state per layer instead of a KV cache', () => {
    const at = (input: number) => estimate({ model: 'matmul-free-1.3b', hardware: 'rtx-4090', inputTokens: input, outputTokens: 2 });
    expect(at(1024).memory.kvCacheBytes).toBe(2048 * 4 * 24);
    expect(at(65_536).memory.kvCacheBytes).toBe(2048 * 4 * 24);
    expect(at(65_536).decode.latencyS).toBeCloseTo(at(1024).decode.latencyS, 12);
  });
});

describe('Hyena (Poli et al. 2023)', () => {
  const hyenaModel = (): TransformerConfig => TransformerConfigSchema.parse({
    id: 'hyena-test', name: 'Hyena test', family: 'hyena', hiddenSize: 768, numLayers: 12, intermediateSize: 3072, vocabSize: 50257,
    maxPositionEmbeddings: 131072, mlp: 'plain', activation: 'gelu', norm: 'layernorm', positional: 'none', tieWordEmbeddings: true,
    hyena: { order: 2, shortConvKernel: 3 }, layers: Array.from({ length: 12 }, () => ({ mixers: ['hyena'], ffn: 'dense' })),
    source: 'test config shaped like Hyena-153M (Poli et al. 2023)',
  });

  it('prefill long convolutions cost O(L log L): per order, 3 real FFTs of 2L points plus the product', () => {
    const c = hyenaModel();
    const L = 8192;
    const g = buildGraph({ config: c, phase: 'prefill', batch: 1, pastTokens: 0, newTokens: L, tp: 1, ep: 1, precision: p16, flash: true });
    const conv = g.ops.find((op) => op.name === 'hyena long conv 1 (FFT)')!;
    expect(conv.kind === 'elementwise' && conv.elements * conv.flopsPerElement).toBeCloseTo(2 * L * 768 * (3 * 2.5 * Math.log2(2 * L) + 3), -3);
    const flopsAt = (n: number) => {
      const graph = buildGraph({ config: c, phase: 'prefill', batch: 1, pastTokens: 0, newTokens: n, tp: 1, ep: 1, precision: p16, flash: true });
      const op = graph.ops.find((o) => o.name === 'hyena long conv 1 (FFT)')!;
      return op.kind === 'elementwise' ? op.elements * op.flopsPerElement : 0;
    };
    const ratio = flopsAt(65_536) / flopsAt(8192); // 8 × log(131072)/log(16384) growth, far below the 64× of attention
    expect(ratio).toBeGreaterThan(8);
    expect(ratio).toBeLessThan(11);
  });

  it('decode convolves with the cached history: N·d values per past token', () => {
    const c = hyenaModel();
    const r = estimate({ model: c as unknown as Record<string, unknown>, hardware: 'h100-sxm', inputTokens: 4096, outputTokens: 2 });
    expect(r.memory.kvCacheBytes).toBe(4098 * 2 * 768 * 2 * 12);
  });
});
