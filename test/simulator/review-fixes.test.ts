// Regression tests for defects found in review: each names the defect it guards against.
import { describe, expect, it } from 'vitest';
import { estimate, estimateOp, findDevice, GenzError, buildGraph, findModel } from '../../index.ts';

describe('review fixes', () => {
  it('idle data-parallel replicas do no dynamic work: batch 1 on 8 GPUs ≈ batch 1 on 1 GPU plus 7 idle GPUs', () => {
    const one = estimate({ model: 'llama-3.1-8b', hardware: 'h100-sxm', batch: 1 });
    const eight = estimate({ model: 'llama-3.1-8b', hardware: '8x-h100-hgx', batch: 1 });
    const idleJPerToken = (7 * findDevice('h100-sxm')!.power.idleW * eight.e2eS) / 256;
    expect((eight.energyJPerToken - idleJPerToken) / one.energyJPerToken).toBeCloseTo(1, 1);
  });

  it('no op draws more than the device TDP', () => {
    for (const id of ['mi300x', 'b200', 'gaudi3', 'h100-sxm']) {
      const r = estimateOp({ kind: 'gemm', m: 8192, n: 8192, k: 8192, dtype: 'bf16', hardware: id });
      expect(r.energyJ / r.latencyS).toBeLessThanOrEqual(findDevice(id)!.power.tdpW * (1 + 1e-9));
    }
  });

  it('extreme hardware numbers are rejected at the field, not turned into NaN', () => {
    const device = structuredClone(findDevice('h100-sxm')!);
    device.memory[0]!.bandwidthBytesPerS = 1e-300;
    try {
      estimate({ hardware: device as unknown as Record<string, unknown> });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GenzError);
      expect((error as GenzError).path).toEqual(['hardware', 'memory', 0, 'bandwidthBytesPerS']);
    }
  });

  it('W8A8 reduces and normalises at 16 bits: all-reduce payloads do not shrink with abits', () => {
    const precision = (actBits: number) => ({ weightBits: 8, actBits, kvBits: 8, embeddingBits: 16, groupSize: 128 });
    const bytes = (actBits: number): number => {
      const g = buildGraph({ config: findModel('llama-2-70b')!, phase: 'decode', batch: 8, pastTokens: 10, newTokens: 1, tp: 8, ep: 1, precision: precision(actBits), flash: true });
      const op = g.ops.find((o) => o.name === 'mlp all-reduce')!;
      return op.kind === 'collective' ? op.bytes : 0;
    };
    expect(bytes(8)).toBe(bytes(16));
  });

  it('W8A8 on a part with fp8 but no int8 (Gaudi 2) runs on fp8, not bf16', () => {
    expect(estimateOp({ kind: 'gemm', m: 4096, n: 4096, k: 4096, dtype: 'int8', hardware: 'gaudi2' }).computeDtype).toBe('fp8');
  });

  it('a bare device scaled past one board gets 8-device domains, an assumed scale-out network and a warning', () => {
    const r = estimate({ model: 'llama-3.1-405b', hardware: 'h200', devices: 16, tp: 16, dtype: 'fp8' });
    expect(r.inputs.hardware.scaleUp.devicesPerDomain).toBe(8);
    expect(r.inputs.hardware.scaleOut).not.toBeNull();
    expect(r.warnings.join(' ')).toMatch(/assuming scale-up domains of 8/);
  });

  it('weights count replicated K/V heads when TP exceeds the KV heads', () => {
    const tp8 = estimate({ model: 'llama-3.1-405b', hardware: '8x-h200-hgx', tp: 8, dtype: 'fp8' });
    const tp16 = estimate({ model: 'llama-3.1-405b', hardware: 'h200', devices: 16, tp: 16, dtype: 'fp8' });
    // 8 KV heads: at TP 8 and at TP 16 each rank keeps one KV head (d × 128 for K and for V, fp8 = 1 byte),
    // so TP 16 is half of TP 8 plus the half of the K/V weights it cannot split, plus the replicated norms.
    const kvPerRank = 2 * 16384 * 128;
    const layerNorms = 2 * 16384 * 2; // two RMSNorm weights of d at 16 bits
    const expected = tp8.memory.weightsBytes / 2 + 126 * (kvPerRank / 2 + layerNorms / 2) + (16384 * 2) / 2;
    expect(tp16.memory.weightsBytes / expected).toBeCloseTo(1, 6);
  });
});
