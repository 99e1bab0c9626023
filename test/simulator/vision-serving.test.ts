// Vision encoders and VLMs through the estimate interfaces (library and CLI).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { estimate, estimateVision, GenzError, vitParams, findVit } from '../../index.ts';

const root = new URL('../..', import.meta.url).pathname;

describe('ViT through estimateVision', () => {
  it('a forward pass of ViT-B/16 is compute-bound at batch 64 and memory fits', () => {
    const r = estimateVision({ model: 'vit-b-16', hardware: 'a100-80gb-sxm', batch: 64 });
    expect(r.feasible).toBe(true);
    expect(r.imagesPerS).toBeCloseTo(64 / r.latencyS, 9);
    const flops = r.ops.reduce((s, op) => s + op.flops, 0);
    // 64 images × 17.56 G multiply-adds × 2 FLOPs (Dosovitskiy et al. 2021 / torchvision), within 3% (+ vector FLOPs)
    expect(flops / (64 * 2 * 17.56e9)).toBeGreaterThan(0.99);
    expect(flops / (64 * 2 * 17.56e9)).toBeLessThan(1.03);
    expect(r.memory.weightsBytes).toBeCloseTo(vitParams(findVit('vit-b-16')!).total * 2, -6);
  });

  it('bad input is a GenzError at the field', () => {
    expect(() => estimateVision({ model: 'vit-b-17' })).toThrow(GenzError);
    try { estimateVision({ model: 'vit-b-16', tp: 5 }); } catch (error) { expect((error as GenzError).path).toEqual(['tp']); }
  });
});

describe('VLM through estimate', () => {
  it('images add their tokens to the prompt and the tower to TTFT', () => {
    const one = estimate({ model: 'smolvlm-256m', hardware: 'l4', images: 1, inputTokens: 128 });
    const four = estimate({ model: 'smolvlm-256m', hardware: 'l4', images: 4, inputTokens: 128 });
    expect(four.vision!.imageTokens).toBe(4 * one.vision!.imageTokens);
    expect(four.vision!.latencyS).toBeGreaterThan(3 * one.vision!.latencyS);
    expect(four.ttftS).toBeGreaterThan(one.ttftS);
    expect(four.memory.kvCacheBytes).toBeGreaterThan(one.memory.kvCacheBytes);
  });

  it('images on a text-only model are refused', () => {
    try {
      estimate({ model: 'llama-3.2-1b', images: 2 });
      expect.unreachable();
    } catch (error) {
      expect((error as GenzError).path).toEqual(['images']);
    }
  });
});

describe('CLI', () => {
  it('genz estimate --model vit-b-16 --json prints a vision report', () => {
    const r = spawnSync('node', ['cli/bin.js', 'estimate', '--model', 'vit-b-16', '--batch', '8', '--json'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { imagesPerS: number; latencyS: number };
    expect(report.imagesPerS).toBeCloseTo(8 / report.latencyS, 6);
  });
});
