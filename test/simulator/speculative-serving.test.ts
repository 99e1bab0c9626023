// Speculative decoding inside the serving estimate (draft + target on the same devices).
import { describe, expect, it } from 'vitest';
import { estimate, GenzError, type EstimateRequest } from '../../index.ts';

const base: EstimateRequest = { model: 'llama-3.1-70b', hardware: '8x-h100-hgx', tp: 8, batch: 1, inputTokens: 1024, outputTokens: 256 };
const withSpec = (speculative: NonNullable<EstimateRequest['speculative']>) => estimate({ ...base, speculative });

describe('speculative decoding in estimate', () => {
  it('a good draft (α = 0.8, γ = 4) speeds decoding up, and TPOT is the plain TPOT over the speedup', () => {
    const plain = estimate(base);
    const r = withSpec({ draft: 'llama-3.2-1b', acceptance: 0.8, gamma: 4 });
    const s = r.speculative!;
    expect(s.expectedTokensPerStep).toBeCloseTo((1 - 0.8 ** 5) / (1 - 0.8), 9);
    expect(s.speedup).toBeGreaterThan(1.5);
    expect(r.tpotS).toBeCloseTo(plain.tpotS / s.speedup, 12);
    expect(r.e2eS).toBeLessThan(plain.e2eS);
    expect(r.energyJPerToken).toBeLessThan(plain.energyJPerToken);
  });

  it('a draft that is never accepted (α = 0) only adds cost', () => {
    const r = withSpec({ draft: 'llama-3.2-1b', acceptance: 0, gamma: 4 });
    expect(r.speculative!.expectedTokensPerStep).toBe(1);
    expect(r.speculative!.speedup).toBeLessThan(1);
  });

  it('tree verification: a bigger tree accepts more tokens per step and costs more to verify', () => {
    const acceptance = [0.6, 0.15, 0.08, 0.05];
    const sizes = [4, 16, 64, 256].map((treeSize) => withSpec({ draft: 'llama-3.2-1b', acceptance, treeSize }).speculative!);
    for (let i = 1; i < sizes.length; i++) {
      expect(sizes[i]!.expectedTokensPerStep).toBeGreaterThan(sizes[i - 1]!.expectedTokensPerStep);
      expect(sizes[i]!.verifyPassS).toBeGreaterThan(sizes[i - 1]!.verifyPassS);
      expect(sizes[i]!.verifyTokens).toBe([4, 16, 64, 256][i]);
    }
  });

  it('the draft model takes memory on every device', () => {
    const r = withSpec({ draft: 'llama-3.2-1b', acceptance: 0.7 });
    expect(r.memory.draftBytes).toBeGreaterThan(2.4e9 / 8); // 1.24B params × 2 B over TP 8, plus its KV
    expect(r.memory.perDeviceBytes).toBe(r.memory.weightsBytes + r.memory.kvCacheBytes + r.memory.activationBytes + r.memory.workspaceBytes + r.memory.draftBytes);
  });

  it('bad settings are user errors at their field', () => {
    const fails = (speculative: unknown, path: (string | number)[]) => {
      try {
        estimate({ ...base, speculative } as EstimateRequest);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(GenzError);
        expect((error as GenzError).path).toEqual(path);
      }
    };
    fails({ draft: 'llama-3.2-1b', acceptance: 1.5 }, ['speculative', 'acceptance']);
    fails({ draft: 'llama-3.2-9z', acceptance: 0.5 }, ['speculative', 'draft']);
    fails({ draft: 'llama-3.2-1b', acceptance: 0.5, gamma: 3, treeSize: 8 }, ['speculative']);
  });
});
