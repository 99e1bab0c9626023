// Vision Mamba (Vim): parameter goldens against the paper, FLOPs against a hand calculation from its block
// equations, the bidirectional scan as two Mamba-1 scans, linear scaling in the number of patches against ViT's
// quadratic attention, estimateVision and the CLI on a Vim, and bad configs.
//   Zhu et al. 2024, "Vision Mamba: Efficient Visual Representation Learning with Bidirectional State Space
//   Model" (arXiv:2401.09417): §3.3 / Alg. 1 (Vim block: norm, x, z = Linear(d → E) each, per direction
//   o ∈ {forward, backward}: x'_o = SiLU(Conv1d_o(x)), B_o, C_o, Δ_o = projections of x'_o, y_o = SSM(Ā_o, B̄_o, C_o)(x'_o),
//   y'_o = y_o ⊙ SiLU(z); out = Linear(E → d)(y'_f + y'_b)), Table 1 (Vim-Ti 7M, Vim-S 26M, Vim-B 98M),
//   Fig. 1 (at 1248×1248 Vim-Ti is 2.8× faster than DeiT-Ti and saves 86.8% GPU memory).
//   The official code (hustvl/Vim, bimamba_type "v2") divides the sum by 2 and runs the backward direction on
//   xz.flip; each direction's machinery is Mamba-1's (Gu & Dao 2023, arXiv:2312.00752, §3.4).
// FLOP convention: 2 FLOPs per multiply-add (see vision.test.ts).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GenzError, type GenzErrorCode } from '../../common/errors.ts';
import { GraphEmitter } from '../../models/emitter.ts';
import { mamba1Mixer, mamba1Params } from '../../models/blocks/mamba.ts';
import type { Op } from '../../models/ops.ts';
import type { Precision } from '../../models/precision.ts';
import { VIM_PRESETS } from '../../models/presets/vim.ts';
import { resolveVim, resolveVisionEncoder, resolveVit, vimIds, vitIds } from '../../models/vision/registry.ts';
import { buildVimGraph, vimAsTransformer, vimFootprint, vimParams } from '../../models/vision/vim-graph.ts';
import { VimConfigSchema, vimParallelismProblem, vimTokens, type VimConfig } from '../../models/vision/vim-schema.ts';
import { buildVitGraph } from '../../models/vision/vit-graph.ts';
import type { VitConfig } from '../../models/vision/vit-schema.ts';
import { estimateVision } from '../../simulator/serving/vision-estimate.ts';
import { opWork } from '../../simulator/work.ts';
import { expectGenzProblem, within } from '../helpers.ts';

const BF16: Precision = { weightBits: 16, actBits: 16, kvBits: 16, embeddingBits: 16, groupSize: 128 };
const PEAKS = { fp32: 1e12, bf16: 1e14 };
const root = new URL('../..', import.meta.url).pathname;

interface Work { tensor: number; vector: number; bytes: number }

function work(ops: readonly Op[]): Work {
  return ops.reduce((s, op) => {
    const w = opWork(op, PEAKS, 'bf16');
    return { tensor: s.tensor + w.flops * op.count, vector: s.vector + w.vectorFlops * op.count, bytes: s.bytes + w.dramBytes * op.count };
  }, { tensor: 0, vector: 0, bytes: 0 });
}

const flops = (ops: readonly Op[]) => { const w = work(ops); return w.tensor + w.vector; };

function vim(id: string, patch: Partial<VimConfig> = {}): VimConfig {
  return { ...resolveVim(id), ...patch };
}

function vimGraph(config: VimConfig, batch = 1, tp = 1) {
  return buildVimGraph({ config, batch, tp, precision: BF16 });
}

/** DeiT-Ti, the paper's Fig. 1 baseline (Touvron et al. 2021, Table 1: d 192, 3 heads, 12 layers, 5M). */
function deitTi(imageSize = 224): VitConfig {
  return { ...resolveVit('deit-s-16'), id: 'deit-ti-16', name: 'DeiT-Ti', hiddenSize: 192, numHeads: 3, intermediateSize: 768, imageSize };
}

describe('Vim presets', () => {
  it('vim-tiny, vim-small, vim-base parse, name a source and copy the official definitions', () => {
    expect(vimIds()).toEqual(['vim-tiny', 'vim-small', 'vim-base']);
    expect(vitIds().some((id) => id.startsWith('vim'))).toBe(false);
    for (const p of VIM_PRESETS) expect(VimConfigSchema.parse(p).source).toContain('2401.09417');
    const dims = (id: string) => { const c = resolveVim(id); return [c.hiddenSize, c.numLayers, c.stateSize, c.expand, c.convKernel, c.imageSize, c.patchSize]; };
    expect(dims('vim-tiny')).toEqual([192, 24, 16, 2, 4, 224, 16]);
    expect(dims('vim-small')).toEqual([384, 24, 16, 2, 4, 224, 16]);
    expect(dims('vim-base')).toEqual([768, 24, 16, 2, 4, 224, 16]);
    // 14×14 patches plus the middle class token.
    expect(vimTokens(resolveVim('vim-tiny'))).toEqual({ patchesPerSide: 14, patches: 196, extraTokens: 1, tokens: 197 });
    // The paper's long-sequence fine-tune (Vim-Ti†) extracts patches with stride 8: 27×27 patches.
    expect(vimTokens(vim('vim-tiny', { patchStride: 8 })).tokens).toBe(27 * 27 + 1);
  });

  it('resolveVisionEncoder tells a Vim from a ViT by id and by kind', () => {
    expect(resolveVisionEncoder('vim-small').kind).toBe('vim');
    expect(resolveVisionEncoder('vit-b-16').kind).toBe('vit');
    expect(resolveVisionEncoder({ ...VIM_PRESETS[0]!, id: 'my-vim' }).kind).toBe('vim');
    const e = expectGenzProblem(() => resolveVisionEncoder('vim-tiyn'), 'unknown_id', ['model']);
    expect(e.message).toContain('vim-tiny');
  });
});

describe('Vim parameters (Zhu et al. 2024, Table 1)', () => {
  it('Vim-Ti: 7,148,008 by hand, 7M in the paper (within 3%)', () => {
    // d 192, E 384, N 16, K 4, R ⌈192/16⌉ = 12. Per block: RMSNorm 192, in_proj 192·768 = 147,456,
    // per direction conv 384·4 + 384, x_proj 384·44, dt_proj 12·384 + 384, A 384·16, D 384 = 30,336 (× 2),
    // out_proj 384·192 = 73,728 → 282,048. Patch conv 768·192 + 192, class token 192, positions 197·192,
    // final norm 192, head 192·1000 + 1000.
    const p = vimParams(resolveVim('vim-tiny'));
    expect(p.total).toBe(24 * 282_048 + 147_648 + 192 + 37_824 + 192 + 193_000);
    expect(p.ssm).toBe(24 * 2 * 30_336);
    within(p.total, 7e6, 0.03);
  });

  it('Vim-S 25.8M ≈ 26M and Vim-B 97.6M ≈ 98M (within 3%)', () => {
    const s = vimParams(resolveVim('vim-small')).total;
    expect(s).toBe(25_796_584);
    within(s, 26e6, 0.03);
    const b = vimParams(resolveVim('vim-base')).total;
    expect(b).toBe(97_598_440);
    within(b, 98e6, 0.03);
  });

  it('a unidirectional block is exactly a Mamba-1 mixer (mamba1Params); the second direction adds one SSM core', () => {
    const uni = vim('vim-small', { bidirectional: false });
    const layer = (c: VimConfig) => { const p = vimParams(c); return (p.inProj + p.ssm + p.outProj) / c.numLayers; };
    expect(layer(uni)).toBe(mamba1Params(vimAsTransformer(uni)));
    const bi = resolveVim('vim-small');
    expect(layer(bi) - layer(uni)).toBe(vimParams(bi).ssm / 2 / 24);
  });
});

describe('Vim graph', () => {
  it('Vim-Ti at 224²: FLOPs by hand from the block equations', () => {
    const g = vimGraph(resolveVim('vim-tiny'));
    const w = work(g.ops);
    // T = 197 tokens, d 192, E 384, R 12, N 16, K 4, 24 blocks. Multiply-adds per block: in_proj T·d·2E,
    // per direction x_proj T·E·(R+2N) and dt_proj T·R·E, out_proj T·E·d; patch conv 196·768·d; head d·1000.
    const block = 197 * 192 * 768 + 2 * (197 * 384 * 44 + 197 * 12 * 384) + 197 * 384 * 192;
    expect(block).toBe(52_045_824);
    expect(w.tensor).toBe(2 * (24 * block + 196 * 768 * 192 + 192 * 1000));
    expect(w.tensor).toBe(2_556_386_304);
    // Vector FLOPs per block: add + RMSNorm T·d·5, per direction conv1d T·E·(2K+5) and scan T·E·(7N+12),
    // merge (y_f + y_b)/2 T·E·2; the class/position add T·d and the final add + norm T·d·5.
    const vectorBlock = 197 * 192 * 5 + 2 * (197 * 384 * 13 + 197 * 384 * 124) + 197 * 384 * 2;
    expect(w.vector).toBe(24 * vectorBlock + 197 * 192 + 197 * 192 * 5);
    expect(w.vector).toBe(505_858_176);
    expect(g.phase).toBe('prefill');
    expect(g.numLayers).toBe(24);
    // No attention, no KV cache, no recurrent state kept: an encoder pass.
    expect(g.ops.some((op) => op.kind === 'attention' || op.kind === 'gather' || op.name.includes('ssm state'))).toBe(false);
  });

  it('the two directional scans of a block are exactly two Mamba-1 scans (FLOPs and bytes)', () => {
    const c = resolveVim('vim-small');
    const tokens = vimTokens(c).tokens;
    // One Mamba-1 mixer of the same widths over the same tokens (models/blocks/mamba.ts).
    const e = new GraphEmitter({ config: vimAsTransformer(c), phase: 'prefill', batch: 3, pastTokens: 0, newTokens: tokens, tp: 1, ep: 1, precision: BF16, flash: true });
    mamba1Mixer.emit(e, 1);
    // Its selective machinery: everything between in_proj and out_proj except the recurrent-state write.
    const mambaScan = e.ops.filter((op) => !/in_proj|out_proj|ssm state/.test(op.name));
    expect(mambaScan.map((op) => op.name)).toEqual(['mamba conv1d', 'mamba x_proj', 'mamba dt_proj', 'mamba selective scan']);

    const g = vimGraph(c, 3);
    const direction = (d: string) => g.ops.filter((op) => op.name.startsWith(`vim ${d} `));
    const forward = direction('forward');
    const backward = direction('backward');
    for (const ops of [forward, backward]) {
      expect(ops.map((op) => ({ ...op, name: op.name.replace(/^vim \w+ /, ''), count: 1 }))).toEqual(mambaScan.map((op) => ({ ...op, name: op.name.replace(/^mamba /, '') })));
      expect(ops.every((op) => op.count === 24)).toBe(true);
    }
    const one = work(mambaScan);
    const both = work([...forward, ...backward]);
    expect(both.tensor / 24).toBe(2 * one.tensor);
    expect(both.vector / 24).toBe(2 * one.vector);
    expect(both.bytes / 24).toBe(2 * one.bytes);
    // in_proj and out_proj are shared: one of each per block, as in a single Mamba-1 mixer.
    expect(g.ops.filter((op) => /in_proj|out_proj/.test(op.name) && op.kind === 'gemm').map((op) => op.name)).toEqual(['in_proj', 'out_proj']);
  });

  it('bidirectional vs unidirectional: the difference is one scan, the flipped copy and the merge', () => {
    const bi = vimGraph(resolveVim('vim-tiny'));
    const uni = vimGraph(vim('vim-tiny', { bidirectional: false }));
    const backward = bi.ops.filter((op) => op.name.startsWith('vim backward') || op.name.startsWith('flip') || op.name === 'merge directions');
    expect(flops(bi.ops) - flops(uni.ops)).toBeCloseTo(flops(backward), 0);
    expect(uni.ops.some((op) => op.name.startsWith('vim backward'))).toBe(false);
  });

  it('FLOPs grow linearly with the number of patches; ViT-S/DeiT-S grows quadratically, so the Vim/ViT ratio shrinks', () => {
    const sizes = [224, 448, 672, 896, 1024];
    const patches = sizes.map((s) => vimTokens(vim('vim-small', { imageSize: s })).patches);
    const vimFlops = sizes.map((s) => flops(vimGraph(vim('vim-small', { imageSize: s })).ops));
    // f(P) = a·P + b: every secant has the same slope.
    const slope = (i: number, j: number) => (vimFlops[j]! - vimFlops[i]!) / (patches[j]! - patches[i]!);
    for (let i = 1; i < sizes.length - 1; i++) within(slope(i, i + 1), slope(0, 1), 1e-12);
    // ViT: attention's 4·S²·d per layer makes the slope grow with the sequence.
    const vit = (s: number) => flops(buildVitGraph({ config: { ...resolveVit('deit-s-16'), imageSize: s }, batch: 1, tp: 1, precision: BF16, flash: true }).ops);
    const vitFlops = sizes.map(vit);
    expect((vitFlops[4]! - vitFlops[3]!) / (patches[4]! - patches[3]!)).toBeGreaterThan(2 * (vitFlops[1]! - vitFlops[0]!) / (patches[1]! - patches[0]!));
    const ratio = sizes.map((_, i) => vimFlops[i]! / vitFlops[i]!);
    for (let i = 1; i < ratio.length; i++) expect(ratio[i]!).toBeLessThan(ratio[i - 1]!);
    // 224²: Vim-S 10.66 GFLOPs vs DeiT-S 9.26 (1.15×); 1024²: 221.6 vs 492.8 (0.45×).
    within(vimFlops[0]!, 10.656e9, 0.001);
    within(ratio[0]!, 1.151, 0.002);
    within(vimFlops[4]!, 221.61e9, 0.001);
    within(ratio[4]!, 0.450, 0.002);
  });

  it('TP splits E: layer FLOPs halve, each direction all-reduces its x_proj output and out_proj all-reduces', () => {
    const c = resolveVim('vim-small');
    const layer = (tp: number) => flops(vimGraph(c, 1, tp).ops.filter((op) => op.scope === 'layer' && op.kind === 'gemm'));
    expect(layer(2) * 2).toBeCloseTo(layer(1), -2);
    expect(vimGraph(c, 1, 2).ops.filter((op) => op.kind === 'collective').map((op) => op.name))
      .toEqual(['vim forward x_proj all-reduce', 'vim backward x_proj all-reduce', 'out_proj all-reduce']);
    expect(vimGraph(c).ops.some((op) => op.kind === 'collective')).toBe(false);
    expect(vimParallelismProblem(c, 5)).toMatch(/does not divide the 768 inner channels/);
    expect(vimParallelismProblem(c, 4)).toBeNull();
  });

  it('footprint: bf16 weights 2 bytes per parameter; activations linear in batch and in tokens', () => {
    const c = resolveVim('vim-tiny');
    expect(vimFootprint(c, BF16, 1).weightBytes).toBe(2 * vimParams(c).total);
    expect(vimFootprint(c, BF16, 2).weightBytes).toBeLessThan(0.55 * 2 * vimParams(c).total);
    const a1 = vimFootprint(c, BF16, 1, 1).activationBytes;
    expect(vimFootprint(c, BF16, 1, 16).activationBytes).toBeCloseTo(16 * a1, -3);
    const big = vim('vim-tiny', { imageSize: 1248 });
    const perToken = (v: VimConfig) => vimFootprint({ ...v, numClasses: 0 }, BF16, 1).activationBytes / vimTokens(v).tokens;
    // Per-token activations stay flat (pixels aside) from 224² to 1248².
    within(perToken(big), perToken(c), 0.05);
  });
});

describe('Vim through estimateVision', () => {
  it('vim-tiny reports images/s, fits, and its ops sum to the graph FLOPs', () => {
    const r = estimateVision({ model: 'vim-tiny', hardware: 'a100-80gb-sxm', batch: 64 });
    expect(r.feasible).toBe(true);
    expect(r.inputs.model.kind).toBe('vim');
    expect(r.imagesPerS).toBeGreaterThan(0);
    expect(r.imagesPerS).toBeCloseTo(64 / r.latencyS, 9);
    expect(r.memory.weightsBytes).toBe(2 * vimParams(resolveVim('vim-tiny')).total);
    const reported = r.ops.reduce((s, op) => s + op.flops, 0);
    expect(reported / (64 * flops(vimGraph(resolveVim('vim-tiny')).ops))).toBeCloseTo(1, 6);
    expect(estimateVision({ model: 'vim-tiny', hardware: 'a100-80gb-sxm', batch: 128 }).imagesPerS).toBeGreaterThan(r.imagesPerS * 0.99);
  });

  it('at 1248² (6084 patches) Vim-Ti is faster than DeiT-Ti and needs far less activation memory (paper Fig. 1: 2.8×, −86.8%)', () => {
    // The paper measured DeiT's plain (unfused) attention on an A800 at batch 128 extracting features.
    const vimR = estimateVision({ model: { ...resolveVim('vim-tiny'), imageSize: 1248 }, hardware: 'a100-80gb-sxm', batch: 64 });
    const deitR = estimateVision({ model: deitTi(1248), hardware: 'a100-80gb-sxm', batch: 64, flash: false });
    const speedup = vimR.imagesPerS / deitR.imagesPerS;
    const saving = 1 - vimR.memory.activationBytes / deitR.memory.activationBytes;
    expect(speedup).toBeGreaterThan(1.5);
    expect(saving).toBeGreaterThan(0.7);
    // At 224² the tiny Vim is bandwidth-bound on its E-wide streams and slower than DeiT-Ti.
    const small = estimateVision({ model: 'vim-tiny', hardware: 'a100-80gb-sxm', batch: 64 });
    expect(small.imagesPerS).toBeLessThan(estimateVision({ model: deitTi(), hardware: 'a100-80gb-sxm', batch: 64 }).imagesPerS);
  });

  it('bad Vim input is a GenzError at the field', () => {
    const tiny = VIM_PRESETS[0]!;
    expectGenzProblem(() => estimateVision({ model: 'vim-tiny', tp: 5 }), 'invalid_input', ['tp']);
    expectGenzProblem(() => estimateVision({ model: { ...tiny, numLayers: 0 } }), 'invalid_input', ['model', 'numLayers']);
    expectGenzProblem(() => estimateVision({ model: 'vim-smal' }), 'unknown_id', ['model']);
  });

  it('genz estimate --model vim-tiny --json prints a vision report', () => {
    const r = spawnSync('node', ['cli/bin.js', 'estimate', '--model', 'vim-tiny', '--batch', '8', '--json'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { imagesPerS: number; latencyS: number; inputs: { model: { kind: string } } };
    expect(report.inputs.model.kind).toBe('vim');
    expect(report.imagesPerS).toBeCloseTo(8 / report.latencyS, 6);
  });
});

describe('bad Vim configs', () => {
  const tiny = VIM_PRESETS[0]!;
  const bad = (patch: Record<string, unknown>) => ({ ...tiny, ...patch });

  it('a width expand does not divide into whole channels, zero layers, oversized patches, unknown fields', () => {
    const e = expectGenzProblem(() => resolveVim(bad({ hiddenSize: 193, expand: 1.5 })), 'invalid_input', ['model', 'hiddenSize']);
    expect(e.message).toContain('289.5');
    expectGenzProblem(() => resolveVim(bad({ numLayers: 0 })), 'invalid_input', ['model', 'numLayers']);
    expectGenzProblem(() => resolveVim(bad({ hiddenSize: 0 })), 'invalid_input', ['model', 'hiddenSize']);
    expectGenzProblem(() => resolveVim(bad({ patchSize: 256 })), 'invalid_input', ['model', 'patchSize']);
    expectGenzProblem(() => resolveVim(bad({ patchStride: 32 })), 'invalid_input', ['model', 'patchStride']);
    expectGenzProblem(() => resolveVim(bad({ classToken: 'last' })), 'invalid_input', ['model', 'classToken']);
    expectGenzProblem(() => resolveVim(bad({ d_state: 16 })), 'invalid_input', ['model', 'd_state']);
    expectGenzProblem(() => resolveVisionEncoder(bad({ stateSize: 0 })), 'invalid_input', ['model', 'stateSize']);
  });
});
