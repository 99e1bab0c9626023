// Vision encoders and VLMs: parameter and FLOP goldens against published figures, the shape of the
// encoder graph (bidirectional attention over all tokens), SmolVLM's image tokens, and bad configs.
//
// FLOP convention: genz counts 2 FLOPs per multiply-add. Vision papers and model zoos quote multiply-adds
// and call them "FLOPs" (fvcore / torchvision "GFLOPS"): ViT-B/16 at 224² is 17.56 G multiply-adds
// = 35.1 GFLOPs in genz's count. The brief's "17.6 GFLOPs = 2 × 8.8 GMACs" is that same 17.6 read as
// FLOPs; it is multiply-adds.
import { describe, expect, it } from 'vitest';
import { GenzError, type GenzErrorCode } from '../../common/errors.ts';
import type { Op } from '../../models/ops.ts';
import type { Precision } from '../../models/precision.ts';
import { VIT_PRESETS, VLM_PRESETS, VLM_TEXT_PRESETS } from '../../models/presets/vision.ts';
import { resolveVit, vitIds } from '../../models/vision/registry.ts';
import { buildVitGraph, vitFootprint, vitParams } from '../../models/vision/vit-graph.ts';
import { VitConfigSchema, vitParallelismProblem, vitTokens } from '../../models/vision/vit-schema.ts';
import { buildVlmVisionGraph, resolveVlm, vlmImageTokens, vlmParams, vlmTokensPerTile } from '../../models/vision/vlm.ts';
import { opWork } from '../../simulator/work.ts';
import { expectGenzProblem, within } from '../helpers.ts';

const BF16: Precision = { weightBits: 16, actBits: 16, kvBits: 16, embeddingBits: 16, groupSize: 128 };
const PEAKS = { fp32: 1e12, bf16: 1e14 };

/** Tensor FLOPs (GEMM + attention matmuls) of all instances of the ops. */
function tensorFlops(ops: readonly Op[]): number {
  return ops.reduce((sum, op) => sum + opWork(op, PEAKS, 'bf16').flops * op.count, 0);
}

function vitGraph(id: string, batch = 1, tp = 1, flash = true) {
  return buildVitGraph({ config: resolveVit(id), batch, tp, precision: BF16, flash });
}

describe('vision presets', () => {
  it('every ViT and VLM preset parses, names a source and resolves', () => {
    expect(vitIds().sort()).toEqual(['deit-b-16', 'deit-b-16-distilled', 'deit-s-16', 'siglip-b-16-512', 'vit-b-16', 'vit-l-16']);
    for (const p of VIT_PRESETS) expect(VitConfigSchema.parse(p).source.length).toBeGreaterThan(5);
    for (const p of VLM_PRESETS) expect(resolveVlm(p.id).source.length).toBeGreaterThan(5);
    expect(VLM_TEXT_PRESETS.map((p) => p.family)).toEqual(['llama']);
  });

  it('copies Table 1 of Dosovitskiy et al. 2021 (arXiv:2010.11929) and of Touvron et al. 2021 (arXiv:2012.12877)', () => {
    const b = resolveVit('vit-b-16');
    expect([b.numLayers, b.hiddenSize, b.intermediateSize, b.numHeads, b.imageSize, b.patchSize]).toEqual([12, 768, 3072, 12, 224, 16]);
    const l = resolveVit('vit-l-16');
    expect([l.numLayers, l.hiddenSize, l.intermediateSize, l.numHeads]).toEqual([24, 1024, 4096, 16]);
    const s = resolveVit('deit-s-16');
    expect([s.numLayers, s.hiddenSize, s.numHeads]).toEqual([12, 384, 6]);
    expect(vitTokens(b)).toEqual({ patchesPerSide: 14, patches: 196, extraTokens: 1, tokens: 197 });
    expect(vitTokens(resolveVit('deit-b-16-distilled')).tokens).toBe(198);
  });
});

describe('ViT parameters', () => {
  it('ViT-B/16: 86,567,656 — 86.6M (torchvision vit_b_16 / timm vit_base_patch16_224), 86M in the paper', () => {
    // Hand count: patch conv 768·768+768, cls 768, positions 197·768, 12 × (4d²+4d + 2·d·3072+3072+768 + 4d),
    // final norm 2d, head 768·1000+1000.
    const p = vitParams(resolveVit('vit-b-16'));
    expect(p.total).toBe(590_592 + 768 + 151_296 + 12 * 7_087_872 + 1_536 + 769_000);
    within(p.total, 86.6e6, 0.01);
    within(p.total, 86e6, 0.02);
  });

  it('ViT-L/16: 304.3M (torchvision vit_l_16), 307M in the paper (within 1%)', () => {
    const p = vitParams(resolveVit('vit-l-16')).total;
    within(p, 304.3e6, 0.002);
    within(p, 307e6, 0.01);
  });

  it('DeiT-S 22M and DeiT-B⚗ 87M (Touvron et al. 2021, Table 1 and Section 5)', () => {
    within(vitParams(resolveVit('deit-s-16')).total, 22.05e6, 0.002);
    const distilled = vitParams(resolveVit('deit-b-16-distilled'));
    // The distillation token, its position row and a second 1000-way head on top of DeiT-B.
    expect(distilled.total - vitParams(resolveVit('deit-b-16')).total).toBe(768 + 768 + 769_000);
    within(distilled.total, 87e6, 0.01);
  });
});

describe('ViT graph', () => {
  it('ViT-B/16 at 224²: 17.56 G multiply-adds (torchvision "GFLOPS" 17.56; Swin, Liu et al. 2021, Table 1: DeiT-B 17.5G) = 35.1 GFLOPs', () => {
    const flops = tensorFlops(vitGraph('vit-b-16').ops);
    // Hand calculation: patch GEMM 196·768·768, per layer 197·12·768² (QKV, output, MLP) + 2·197²·768
    // (QKᵀ and PV over all pairs), head 768·1000; multiply-adds × 2.
    const d = 768;
    const macs = 196 * d * d + 12 * (197 * 12 * d * d + 2 * 197 * 197 * d) + d * 1000;
    expect(flops).toBe(2 * macs);
    within(flops / 2, 17.56e9, 0.005);
  });

  it('ViT-L/16: 61.55 G multiply-adds (torchvision); DeiT-S: 4.6 G (Swin Table 1)', () => {
    within(tensorFlops(vitGraph('vit-l-16').ops) / 2, 61.55e9, 0.005);
    within(tensorFlops(vitGraph('deit-s-16').ops) / 2, 4.6e9, 0.01);
  });

  it('attention is bidirectional: every token against every token of its image, S² pairs', () => {
    const g = vitGraph('vit-b-16', 8);
    const attention = g.ops.filter((op) => op.kind === 'attention');
    expect(attention).toHaveLength(1);
    const op = attention[0]!;
    if (op.kind !== 'attention') throw new Error('unreachable');
    expect([op.causal, op.queryLen, op.kvLen, op.batch, op.count, op.numHeads, op.numKvHeads, op.headDim]).toEqual([false, 197, 197, 8, 12, 12, 12, 64]);
    const full = opWork(op, PEAKS, 'bf16').flops;
    expect(full).toBe(4 * 8 * 197 * 197 * 12 * 64);
    // The same shape under a causal mask does about half the work (S(S+1)/2 pairs).
    const causal = opWork({ ...op, causal: true }, PEAKS, 'bf16').flops;
    expect(causal / full).toBeCloseTo((197 + 1) / (2 * 197), 10);
    // No KV cache, no RoPE, no LM-style gather in an encoder.
    expect(g.ops.some((o) => o.kind === 'gather' || (o.kind === 'elementwise' && (o.fn === 'kv-write' || o.fn === 'rope')))).toBe(false);
    expect(g.phase).toBe('prefill');
  });

  it('is laid out like the decoder: scopes, counts, patch embedding GEMM, head on the class token(s)', () => {
    const g = vitGraph('deit-b-16-distilled', 4);
    const byName = new Map(g.ops.map((op) => [op.name, op]));
    const patch = byName.get('patch embedding')!;
    expect(patch).toMatchObject({ kind: 'gemm', scope: 'pre', m: 4 * 196, k: 3 * 16 * 16, n: 768, count: 1 });
    const head = byName.get('classifier head')!;
    expect(head).toMatchObject({ kind: 'gemm', scope: 'post', m: 4, n: 1000, k: 768, batch: 2 });
    expect(byName.get('qkv projection')).toMatchObject({ scope: 'layer', count: 12, m: 4 * 198, n: 3 * 768 });
    expect(g.numLayers).toBe(12);
    // A backbone without classes has no head.
    const backbone = buildVitGraph({ config: { ...resolveVit('vit-b-16'), numClasses: 0 }, batch: 1, tp: 1, precision: BF16, flash: true });
    expect(backbone.ops.some((op) => op.block === 'head')).toBe(false);
  });

  it('TP shards the layers (heads, MLP) and adds two all-reduces per layer; FLOPs scale with the batch', () => {
    const one = vitGraph('vit-b-16', 1, 1);
    const two = vitGraph('vit-b-16', 1, 2);
    const layerFlops = (ops: readonly Op[]) => tensorFlops(ops.filter((op) => op.scope === 'layer'));
    expect(layerFlops(two.ops) * 2).toBeCloseTo(layerFlops(one.ops), 0);
    expect(two.ops.filter((op) => op.kind === 'collective').map((op) => op.name)).toEqual(['attention all-reduce', 'mlp all-reduce']);
    expect(one.ops.some((op) => op.kind === 'collective')).toBe(false);
    expect(tensorFlops(vitGraph('vit-b-16', 16).ops)).toBeCloseTo(16 * tensorFlops(one.ops), -3);
    expect(vitParallelismProblem(resolveVit('deit-s-16'), 4)).toMatch(/does not divide the 6 attention heads/);
    expect(vitParallelismProblem(resolveVit('deit-s-16'), 2)).toBeNull();
  });

  it('footprint: bf16 weights are 2 bytes per parameter on one device and shrink with TP; activations grow with the batch', () => {
    const c = resolveVit('vit-b-16');
    const params = vitParams(c).total;
    expect(vitFootprint(c, BF16, 1).weightBytes).toBe(2 * params);
    const tp2 = vitFootprint(c, BF16, 2).weightBytes;
    expect(tp2).toBeLessThan(0.55 * 2 * params);
    expect(tp2).toBeGreaterThan(0.5 * 2 * params);
    const a1 = vitFootprint(c, BF16, 1, 1).activationBytes;
    expect(vitFootprint(c, BF16, 1, 32).activationBytes).toBeCloseTo(32 * a1, -3);
    // Without flash the score matrix (heads × S² per image) is held as well.
    expect(vitFootprint(c, BF16, 1, 1, false).activationBytes - a1).toBe(12 * 197 * 197 * 2);
  });
});

describe('SmolVLM', () => {
  it('SmolVLM-256M: 64 image tokens per 512² tile (32×32 patches / 4²), 1088 for a 4×4 grid + global view', () => {
    // HF model card: "SmolVLM-256 uses 64 visual tokens to encode image patches of size 512×512";
    // config.json scale_factor 4, processor image_seq_len 64.
    const vlm = resolveVlm('smolvlm-256m');
    expect(vlmTokensPerTile(vlm)).toBe(64);
    expect(vlmImageTokens(vlm)).toBe(64);
    const spec = VLM_PRESETS.find((p) => p.id === 'smolvlm-256m')!;
    expect(vlmImageTokens(resolveVlm({ ...spec, tilesPerImage: 17 }))).toBe(1088);
  });

  it('SmolVLM-256M has 256,484,928 parameters (model.safetensors): tower + 12288→576 projector + SmolLM2-135M', () => {
    const p = vlmParams(resolveVlm('smolvlm-256m'));
    expect(p).toEqual({ vision: 86_433_024, projector: 12288 * 576, languageModel: 162_974_016, total: 256_484_928 });
  });

  it('the vision graph is the tower, a pixel shuffle and the projector for images × tiles passes', () => {
    const vlm = resolveVlm('smolvlm-256m');
    const g = buildVlmVisionGraph({ config: vlm, images: 3, tp: 1, precision: BF16, flash: true });
    const projector = g.ops.find((op) => op.name === 'projector')!;
    expect(projector).toMatchObject({ kind: 'gemm', scope: 'post', m: 3 * 64, k: 768 * 16, n: 576 });
    const attention = g.ops.find((op) => op.kind === 'attention')!;
    expect(attention).toMatchObject({ causal: false, queryLen: 1024, kvLen: 1024, batch: 3 });
    expect(g.ops.some((op) => op.block === 'head')).toBe(false);
    expect(g.numLayers).toBe(12);
  });
});

describe('bad vision configs', () => {
  const vitB = VIT_PRESETS.find((p) => p.id === 'vit-b-16')!;
  const bad = (patch: Record<string, unknown>) => ({ ...vitB, ...patch });

  it('heads that do not divide the width, oversized patches, a distillation token without a class token', () => {
    expectGenzProblem(() => resolveVit(bad({ numHeads: 10 })), 'invalid_input', ['model', 'numHeads']);
    expectGenzProblem(() => resolveVit(bad({ patchSize: 256 })), 'invalid_input', ['model', 'patchSize']);
    expectGenzProblem(() => resolveVit(bad({ classToken: false, distillationToken: true })), 'invalid_input', ['model', 'distillationToken']);
    expectGenzProblem(() => resolveVit(bad({ numClasses: -1 })), 'invalid_input', ['model', 'numClasses']);
    expectGenzProblem(() => resolveVit(bad({ hidden_size: 768 })), 'invalid_input', ['model', 'hidden_size']);
    const e = expectGenzProblem(() => resolveVit('vit-b-61'), 'unknown_id', ['model']);
    expect(e.message).toContain('vit-b-16');
  });

  it('VLM errors point into the nested config', () => {
    const spec = VLM_PRESETS.find((p) => p.id === 'smolvlm-256m')!;
    expectGenzProblem(() => resolveVlm({ ...spec, projector: { pixelShuffleFactor: 3 } }), 'invalid_input', ['model', 'projector', 'pixelShuffleFactor']);
    expectGenzProblem(() => resolveVlm({ ...spec, projector: { pixelShuffleFactor: 4, kind: 'mlp' } }), 'invalid_input', ['model', 'projector', 'intermediateSize']);
    expectGenzProblem(() => resolveVlm({ ...spec, vision: 'siglip-b-16' }), 'unknown_id', ['model', 'vision']);
    expectGenzProblem(() => resolveVlm({ ...spec, vision: bad({ numHeads: 7 }) }), 'invalid_input', ['model', 'vision', 'numHeads']);
    expectGenzProblem(() => resolveVlm({ ...spec, languageModel: 'smollm-135m' }), 'unknown_id', ['model', 'languageModel']);
    const lm = VLM_TEXT_PRESETS[0]!;
    expectGenzProblem(() => resolveVlm({ ...spec, languageModel: { ...lm, numKvHeads: 4 } }), 'invalid_input', ['model', 'languageModel', 'numKvHeads']);
    expectGenzProblem(() => resolveVlm('smolvlm-265m'), 'unknown_id', ['model']);
    // A decoder preset id works as the language model.
    expect(resolveVlm({ ...spec, languageModel: 'qwen2.5-0.5b' }).languageModel.hiddenSize).toBe(896);
  });
});
