// Regression tests for defects found in the review of the workload families (issue 3).
import { describe, expect, it } from 'vitest';
import { estimate, findModel, findDevice, buildGraph, rooflineBackend, TransformerConfigSchema, type CostContext, type Op } from '../../index.ts';
import { energyRates } from '../../simulator/energy.ts';

const p16 = { weightBits: 16, actBits: 16, kvBits: 16, embeddingBits: 16, groupSize: 128 };

describe('speculative decoding', () => {
  it('a root-only tree (plain decoding) has speedup exactly 1, also with EP across replicas', () => {
    const r = estimate({ model: 'qwen3-30b-a3b', hardware: '8x-h100-hgx', tp: 2, ep: 4, batch: 32, speculative: { draft: 'qwen3-8b', acceptance: [0.5], treeSize: 1 } });
    expect(r.speculative!.speedup).toBeCloseTo(1, 12);
  });

  it('the draft prefills the prompt too: TTFT grows by the draft prefill', () => {
    const plain = estimate({ model: 'llama-3.1-70b', hardware: '8x-h100-hgx', tp: 8 });
    const spec = estimate({ model: 'llama-3.1-70b', hardware: '8x-h100-hgx', tp: 8, speculative: { draft: 'llama-3.2-1b', acceptance: 0.7 } });
    expect(spec.ttftS).toBeGreaterThan(plain.ttftS);
    expect(spec.ttftS).toBeLessThan(plain.ttftS * 1.2);
  });

  it('a draft larger than the target is warned about', () => {
    const r = estimate({ model: 'llama-3.2-1b', hardware: 'h100-sxm', speculative: { draft: 'llama-3.1-8b', acceptance: 0.7 } });
    expect(r.warnings.join(' ')).toMatch(/cannot pay off/);
  });

  it('the verify pass computes logits at every verified token', () => {
    const g = buildGraph({ config: findModel('llama-3.1-8b')!, phase: 'decode', batch: 4, pastTokens: 100, newTokens: 8, tp: 1, ep: 1, precision: p16, flash: true });
    const head = g.ops.find((op) => op.name === 'lm head')!;
    expect(head.kind === 'gemm' && head.m).toBe(32);
  });
});

describe('VLM', () => {
  it('with no images the tower costs no time but still holds its weights', () => {
    const none = estimate({ model: 'smolvlm-256m', hardware: 'l4', images: 0 });
    expect(none.vision!.latencyS).toBe(0);
    expect(none.vision!.imageTokens).toBe(0);
    const text = estimate({ model: 'smolvlm-256m-text' as string, hardware: 'l4' });
    expect(none.memory.weightsBytes).toBeGreaterThan(text.memory.weightsBytes);
  });
});

describe('cache growth per token', () => {
  const base = findModel('llama-3.1-8b')!;
  it('is 0 past a sliding window and ≈ (1 + 1/block) × KV for block-sparse attention', () => {
    const swa = TransformerConfigSchema.parse({ ...base, id: 'swa', slidingWindow: 1024, layers: Array.from({ length: 32 }, () => ({ mixers: ['sliding-attention'], ffn: 'dense' })) });
    expect(estimate({ model: swa as unknown as Record<string, unknown>, hardware: 'h100-sxm', inputTokens: 4096 }).memory.kvBytesPerToken).toBe(0);
    const sparse = TransformerConfigSchema.parse({ ...base, id: 'sparse', sparseAttention: { blockSize: 64, topKBlocks: 8 }, layers: Array.from({ length: 32 }, () => ({ mixers: ['sparse-attention'], ffn: 'dense' })) });
    const perToken = estimate({ model: sparse as unknown as Record<string, unknown>, hardware: 'h100-sxm', inputTokens: 4096 }).memory.kvBytesPerToken;
    expect(perToken / (2 * 8 * 128 * 2 * 32 * (1 + 1 / 64))).toBeCloseTo(1, 6);
  });
});

describe('block-sparse selection is causal in prefill', () => {
  it('scores Σⱼ ⌈j / block⌉ block means, not every block for every query', () => {
    const device = findDevice('h100-sxm')!;
    const link = { name: 'x', bandwidthBytesPerS: 1e11, latencyS: 1e-6 };
    const ctx: CostContext = { device, efficiency: { gemmCompute: 1, gemmHalfDim: 0, attentionCompute: 1, attentionHalfRows: 0, vector: 1, memory: 1, elementwiseMemory: 1, kernelOverheadS: 0, network: 1, collectiveOverheadS: 0, stepOverheadS: 0 }, links: { tp: link, ep: link, pp: link, dp: link }, baseDtype: 'bf16', energy: energyRates(device) };
    const q = 8192;
    const B = 64;
    const window = 8 * B;
    const op: Op = { kind: 'attention', name: 'a', scope: 'layer', block: 'attention', count: 1, batch: 1, queryLen: q, kvLen: q, numHeads: 32, numKvHeads: 8, headDim: 128, causal: true, flash: true, actBits: 16, kvBits: 16, windowTokens: window, selectionBlockSize: B };
    let pairs = 0;
    let scored = 0;
    for (let j = 1; j <= q; j++) { pairs += Math.min(j, window); scored += Math.ceil(j / B); }
    const expected = 4 * pairs * 32 * 128 + 2 * 32 * 128 * scored;
    expect(rooflineBackend.cost(op, ctx).flops / expected).toBeCloseTo(1, 3);
  });
});

describe('schema refuses SSM layouts the modules cannot model', () => {
  const mamba2 = findModel('mamba2-780m')!;
  it('groups that do not divide the SSM heads', () => {
    const r = TransformerConfigSchema.safeParse({ ...mamba2, mamba: { ...mamba2.mamba, numGroups: 7 } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['mamba', 'numGroups']);
  });
  it('a hymba layer without slidingWindow and a zamba-shared layer without intermediateSize', () => {
    const hymba = findModel('hymba-1.5b')!;
    const r1 = TransformerConfigSchema.safeParse({ ...hymba, slidingWindow: undefined });
    expect(r1.success).toBe(false);
    expect(r1.error!.issues.some((i) => i.message.includes('slidingWindow'))).toBe(true);
    const zamba = findModel('zamba2-1.2b')!;
    const r2 = TransformerConfigSchema.safeParse({ ...zamba, intermediateSize: undefined });
    expect(r2.success).toBe(false);
    expect(r2.error!.issues.some((i) => i.message.includes('intermediateSize'))).toBe(true);
  });
});
