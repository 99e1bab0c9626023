// Mamba-1 and Mamba-2 mixers: golden FLOPs, bytes and recurrent-state bytes of one layer against hand
// calculations from the papers' equations, and the serving properties of a recurrent model (decode cost and
// state memory constant in context length, prefill activations linear in it).
//   Mamba-1: Gu & Dao 2023, "Mamba: Linear-Time Sequence Modeling with Selective State Spaces" (arXiv:2312.00752),
//     §3.4 / Fig. 3 (block: in_proj d → 2E, conv1d, x_proj E → R + 2N, dt_proj R → E, out_proj E → d),
//     eqs. 2a/2b and 4 (selective scan h ← exp(ΔA)h + ΔBx, y = Ch + Dx).
//   Mamba-2: Dao & Gu 2024, "Transformers are SSMs" (arXiv:2405.21060), §7 / Fig. 6 (block: in_proj
//     d → 2E + 2GN + H, conv1d over E + 2GN, gated RMSNorm, out_proj), §6 / Listing 1 (chunked SSD: CBᵀ and
//     (L∘CBᵀ)X inside a chunk, chunk states BᵀX, state passing, C·state between chunks).
import { describe, expect, it } from 'vitest';
import { GraphEmitter } from '../../models/emitter.ts';
import { buildGraph } from '../../models/graph.ts';
import { mamba1Mixer, mamba2Mixer, mamba1Params, mamba2Params, STATE_BITS } from '../../models/blocks/mamba.ts';
import { findModel } from '../../models/registry.ts';
import { findDevice } from '../../hardware/registry.ts';
import { opWork } from '../../simulator/work.ts';
import { estimate } from '../../simulator/serving/estimate.ts';
import { activationBytes } from '../../simulator/serving/memory.ts';
import { paramBreakdown } from '../../models/params.ts';
import type { MixerModule } from '../../models/blocks/types.ts';
import type { Op, Phase } from '../../models/ops.ts';
import type { TransformerConfig } from '../../models/transformer-schema.ts';

const bf16 = { weightBits: 16, actBits: 16, kvBits: 16, embeddingBits: 16, groupSize: 128 };
const peaks = findDevice('rtx-4090')!.peakFlopsPerS;
const mamba130m = findModel('mamba-130m')!;
const mamba2130m = findModel('mamba2-130m')!;

function mixerOps(mixer: MixerModule, config: TransformerConfig, phase: Phase, batch: number, pastTokens: number, newTokens: number, tp = 1): Op[] {
  const e = new GraphEmitter({ config, phase, batch, pastTokens, newTokens, tp, ep: 1, precision: bf16, flash: true });
  mixer.emit(e, 1);
  return e.ops;
}

function totals(ops: Op[]): { gemmFlops: number; vectorFlops: number; bytes: number } {
  let gemmFlops = 0;
  let vectorFlops = 0;
  let bytes = 0;
  for (const op of ops) {
    const w = opWork(op, peaks, 'bf16');
    gemmFlops += w.flops * op.count;
    vectorFlops += w.vectorFlops * op.count;
    bytes += w.dramBytes * op.count;
  }
  return { gemmFlops, vectorFlops, bytes };
}

describe('Mamba-1 layer (mamba-130m: d 768, E 1536, N 16, R 48, K 4), hand calculation', () => {
  it('prefill of 1024 tokens: FLOPs and bytes', () => {
    const t = totals(mixerOps(mamba1Mixer, mamba130m, 'prefill', 1, 0, 1024));
    // GEMMs 2·T·(d·2E + E·(R+2N) + R·E + E·d) = 2·1024·(2,359,296 + 122,880 + 73,728 + 1,179,648)
    expect(t.gemmFlops).toBe(7_650_410_496);
    // conv1d T·E·(2K+5) = 1024·1536·13 = 20,447,232; scan T·E·(7N+12) = 1024·1536·124 = 195,035,136
    expect(t.vectorFlops).toBe(215_482_368);
    // bf16 bytes: in_proj (T·d + d·2E + T·2E)·2 = 12,582,912; conv (2·T·E + 3·E)·2 = 6,300,672;
    // x_proj (T·E + E·80 + T·80)·2 = 3,555,328; dt_proj (T·R + R·E + T·E)·2 = 3,391,488;
    // scan (4·T·E + 2N·T)·2 = 12,648,448 (reads x, Δ, z and B, C; writes y); final state E·N·4 = 98,304;
    // out_proj (T·E + E·d + T·d)·2 = 7,077,888.
    expect(t.bytes).toBe(45_655_040);
  });

  it('decode: the state is read and written once per token, at fp32', () => {
    const ops = mixerOps(mamba1Mixer, mamba130m, 'decode', 1, 1023, 1);
    const state = ops.find((o) => o.name === 'mamba ssm state')!;
    expect(opWork(state, peaks, 'bf16').dramBytes).toBe(2 * 1536 * 16 * 4);
    // GEMMs of one token: 2·(d·2E + E·80 + R·E + E·d)
    expect(totals(ops).gemmFlops).toBe(7_471_104);
  });

  it('recurrent state: conv (K−1)·E at 16 bits + SSM E·N at 32 bits, constant in context', () => {
    const ctx = { config: mamba130m, tp: 1, ep: 1, precision: bf16 };
    expect(STATE_BITS).toBe(32);
    expect(mamba1Mixer.deviceCacheBytes(ctx, 1)).toBe(3 * 1536 * 2 + 1536 * 16 * 4); // 107,520
    expect(mamba1Mixer.deviceCacheBytes(ctx, 1_000_000)).toBe(107_520);
    expect(mamba1Mixer.deviceCacheBytes({ ...ctx, tp: 2 }, 4096)).toBe(107_520 / 2);
  });

  it('parameters: 2dE + E(K+1) + E(R+2N) + RE + E + EN + E + Ed', () => {
    expect(mamba1Params(mamba130m)).toBe(2 * 768 * 1536 + 1536 * 5 + 1536 * 80 + 48 * 1536 + 1536 + 1536 * 16 + 1536 + 1536 * 768);
  });

  it('TP shards E: x_proj is row-parallel with a small all-reduce of R + 2N per token', () => {
    const ops = mixerOps(mamba1Mixer, findModel('mamba-2.8b')!, 'prefill', 1, 0, 128, 2);
    const ar = ops.find((o) => o.kind === 'collective')!;
    expect(ar.kind === 'collective' && ar.bytes).toBe(128 * (160 + 32) * 2);
    const inProj = ops.find((o) => o.name === 'mamba in_proj')!;
    expect(inProj.kind === 'gemm' && inProj.n).toBe(5120);
    expect(mamba1Mixer.parallelismProblem(findModel('mamba-2.8b')!, 3)).toMatch(/does not divide the 5120/);
    expect(mamba1Mixer.parallelismProblem(findModel('mamba-2.8b')!, 8)).toBeNull();
  });
});

describe('Mamba-2 layer (mamba2-130m: d 768, E 1536, N 128, P 64, H 24, G 1, K 4, Q 256), hand calculation', () => {
  it('prefill of 512 tokens (two chunks): SSD FLOPs and bytes', () => {
    const t = totals(mixerOps(mamba2Mixer, mamba2130m, 'prefill', 1, 0, 512));
    // in_proj 2·512·(2E + 2GN + H)·d = 2·512·3352·768 = 2,636,120,064; out_proj 2·512·d·E = 1,207,959,552;
    // SSD with c = 2 chunks: CBᵀ 2·c·G·Q²·N = 33,554,432; (L∘CBᵀ)X 2·c·H·Q²·P = 402,653,184;
    // chunk states 2·c·H·P·Q·N = 201,326,592; C·states 2·c·H·Q·N·P = 201,326,592.
    expect(t.gemmFlops).toBe(4_682_940_416);
    // conv 512·(E + 2GN)·13 = 11,927,552; decay mask 3·c·H·Q² = 9,437,184; state passing 2·c·H·P·N = 786,432;
    // D skip + gate + norm 11·T·E = 8,650,752.
    expect(t.vectorFlops).toBe(30_801_920);
    // in_proj 9,367,552; conv 3,680,768; CBᵀ 524,288; intra output 3,407,872; chunk states (fp32 out) 3,276,800;
    // state passing (fp32 read + write) 3,145,728; inter output 2,490,368; skip/gate/norm 6,553,600;
    // out_proj 4,718,592.
    expect(t.bytes).toBe(37_165_568);
  });

  it('decode: one recurrent update over H·P·N states, independent of the context', () => {
    const short = mixerOps(mamba2Mixer, mamba2130m, 'decode', 4, 1023, 1);
    const long = mixerOps(mamba2Mixer, mamba2130m, 'decode', 4, 131_071, 1);
    expect(long).toEqual(short);
    const update = short.find((o) => o.name === 'mamba2 state update')!;
    expect(update.kind === 'elementwise' && update.elements).toBe(4 * 24 * 64 * 128);
    expect(opWork(update, peaks, 'bf16').dramBytes).toBe(4 * 24 * 64 * 128 * 8);
  });

  it('recurrent state: conv (K−1)·(E + 2GN) at 16 bits + H·P·N at 32 bits', () => {
    const ctx = { config: mamba2130m, tp: 1, ep: 1, precision: bf16 };
    expect(mamba2Mixer.deviceCacheBytes(ctx, 10)).toBe(3 * (1536 + 256) * 2 + 24 * 64 * 128 * 4); // 797,184
    expect(mamba2Mixer.deviceCacheBytes(ctx, 10_000_000)).toBe(797_184);
    // TP 2: half the heads and channels, the single B/C group replicated.
    expect(mamba2Mixer.deviceCacheBytes({ ...ctx, tp: 2 }, 10)).toBe(3 * (768 + 256) * 2 + 12 * 64 * 128 * 4);
  });

  it('parameters: d(2E + 2GN + H) + (E + 2GN)(K+1) + 3H + E + Ed', () => {
    expect(mamba2Params(mamba2130m)).toBe(768 * 3352 + 1792 * 5 + 72 + 1536 + 1536 * 768);
  });

  it('heads and groups must split over TP', () => {
    const m = findModel('mamba2-780m')!; // 48 heads, 1 group
    expect(mamba2Mixer.parallelismProblem(m, 5)).toMatch(/does not divide/);
    expect(mamba2Mixer.parallelismProblem(m, 16)).toBeNull();
    expect(mamba2Mixer.parallelismProblem(m, 32)).toMatch(/48 Mamba-2 heads/);
  });
});

describe('serving a recurrent model', () => {
  it('Mamba-2.8B on rtx-4090: TPOT at 32k context is within 1% of TPOT at 1k', () => {
    const at = (inputTokens: number) => estimate({ model: 'mamba-2.8b', hardware: 'rtx-4090', inputTokens, outputTokens: 256 });
    const short = at(1024);
    const long = at(32768);
    expect(Math.abs(long.tpotS / short.tpotS - 1)).toBeLessThan(0.01);
    // The whole decode graph is independent of the context (no op reads a KV cache).
    const graph = (past: number) => buildGraph({ config: findModel('mamba-2.8b')!, phase: 'decode', batch: 1, pastTokens: past, newTokens: 1, tp: 1, ep: 1, precision: bf16, flash: true });
    expect(graph(32767)).toEqual(graph(1023));
  });

  it('recurrent state memory is constant in length while prefill activations grow linearly', () => {
    const at = (inputTokens: number) => estimate({ model: 'mamba2-780m', hardware: 'rtx-4090', inputTokens, outputTokens: 1 }).memory;
    expect(at(32768).kvCacheBytes).toBe(at(1024).kvCacheBytes);
    expect(at(1024).kvBytesPerToken).toBe(0);
    // 48 layers × (conv 3·(E + 2GN)·2 + SSM H·P·N·4) with E 3072, H 48.
    expect(at(1024).kvCacheBytes).toBe(48 * (3 * 3328 * 2 + 48 * 64 * 128 * 4));
    const c = findModel('mamba2-780m')!;
    const act = (n: number) => activationBytes(c, bf16, { tp: 1, microBatch: 1, inputTokens: n, flash: true });
    expect(act(8192) - act(4096)).toBeCloseTo(act(4096) - act(0), 0);
    expect(act(4096) - act(0)).toBeGreaterThan(0);
  });

  it('parameter totals of the pure SSM presets match published sizes within 2%', () => {
    // Mamba-1: HF safetensors counts of state-spaces/mamba-*-hf (129M, 372M, 793M, 1.37B, 2.77B).
    // Mamba-2: the model names of state-spaces/mamba2-* (Dao & Gu 2024, Table 10 sizes 130M, 780M, 2.7B).
    const published: [string, number][] = [
      ['mamba-130m', 129e6], ['mamba-370m', 372e6], ['mamba-790m', 793e6], ['mamba-1.4b', 1.37e9], ['mamba-2.8b', 2.77e9],
      ['mamba2-130m', 130e6], ['mamba2-780m', 780e6], ['mamba2-2.7b', 2.7e9],
    ];
    for (const [id, total] of published) {
      const c = findModel(id)!;
      expect(c.numHeads).toBeUndefined();
      expect(c.layers!.length).toBe(c.numLayers);
      expect(Math.abs(paramBreakdown(c).total / total - 1), id).toBeLessThan(0.02);
    }
  });
});
