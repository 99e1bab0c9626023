// Multi-head latent attention: golden FLOPs, bytes and cache against hand calculations from the DeepSeek-V2
// paper's equations (Liu et al. 2024, "DeepSeek-V2", arXiv:2405.04434, §2.1.2–2.1.3: eqs. 9–19; weight
// absorption in the text after eq. 10), sized with DeepSeek-V3's config (arXiv:2412.19437, §2.1 and §4.2:
// d = 7168, n_h = 128, d_c = 512, d_c' = 1536, d_h = 128, d_h^R = 64, d_v = 128).
import { describe, expect, it } from 'vitest';
import { GraphEmitter } from '../../models/emitter.ts';
import { emitMla, mlaMixer, mlaParams } from '../../models/blocks/mla.ts';
import { findModel } from '../../models/registry.ts';
import { findDevice } from '../../hardware/registry.ts';
import { opWork } from '../../simulator/work.ts';
import { estimate } from '../../simulator/serving/estimate.ts';
import { GenzError } from '../../common/errors.ts';
import type { Op, Phase } from '../../models/ops.ts';
import type { TransformerConfig, TransformerConfigInput } from '../../models/transformer-schema.ts';
import type { MlaForm } from '../../models/blocks/mla.ts';

const bf16 = { weightBits: 16, actBits: 16, kvBits: 16, embeddingBits: 16, groupSize: 128 };
const v3 = findModel('deepseek-v3')!;
const peaks = findDevice('h200')!.peakFlopsPerS;

/** The ops of one MLA layer in the given phase and form. */
function mlaOps(form: MlaForm, phase: Phase, batch: number, pastTokens: number, newTokens: number, tp = 1, config: TransformerConfig = v3): Op[] {
  const e = new GraphEmitter({ config, phase, batch, pastTokens, newTokens, tp, ep: 1, precision: bf16, flash: true });
  emitMla(e, 1, form);
  return e.ops;
}

function totals(ops: Op[]): { flops: number; bytes: number; attentionFlops: number; attentionBytes: number } {
  let flops = 0;
  let bytes = 0;
  let attentionFlops = 0;
  let attentionBytes = 0;
  for (const op of ops) {
    const w = opWork(op, peaks, 'bf16');
    flops += w.flops;
    bytes += w.dramBytes;
    if (op.kind === 'attention') {
      attentionFlops += w.flops;
      attentionBytes += w.dramBytes;
    }
  }
  return { flops, bytes, attentionFlops, attentionBytes };
}

describe('MLA parameters (DeepSeek-V3, one layer)', () => {
  it('W_DQ + q norm + W_UQ + W_DKV + kv norm + W_UKV + W_O', () => {
    // 7168·1536 + 1536 + 1536·128·192 + 7168·576 + 512 + 512·128·256 + 128·128·7168
    // = 11,010,048 + 1,536 + 37,748,736 + 4,128,768 + 512 + 16,777,216 + 117,440,512
    expect(mlaParams(v3)).toBe(187_107_328);
  });

  it('down-projections are replicated and the head-sharded rest splits over TP', () => {
    const at = (tp: number) => mlaMixer.deviceWeightBytes({ config: v3, tp, ep: 1, precision: bf16 });
    const replicated = 11_010_048 + 1_536 + 4_128_768 + 512;
    const sharded = 37_748_736 + 16_777_216 + 117_440_512;
    expect(at(1)).toBe(2 * (replicated + sharded));
    expect(at(8)).toBe(2 * (replicated + sharded / 8));
  });
});

describe('MLA prefill (naive, decompressed K/V), one layer, batch 1, 1024 tokens, tp 1', () => {
  const ops = mlaOps('naive', 'prefill', 1, 0, 1024);

  it('GEMM FLOPs = 2·T·(d(d_c\'+d_c+d_R) + d_c\'·H(d_h+d_R) + d_c·H(d_h+d_v) + H·d_v·d)', () => {
    // 2·1024·(7168·2112 + 1536·24576 + 512·32768 + 16384·7168) = 2·1024·187,105,280
    const t = totals(ops);
    expect(t.flops - t.attentionFlops).toBe(383_191_613_440);
  });

  it('attention FLOPs = 2·pairs·H·(d_h + d_R) for QK plus 2·pairs·H·d_v for PV, causal pairs', () => {
    // pairs = 1024·1025/2 = 524,800; 2·524,800·128·(192 + 128)
    expect(totals(ops).attentionFlops).toBe(42_991_616_000);
  });

  it('attention reads decompressed K (d_h + d_R) and V (d_v) of every head', () => {
    // Q (192) + O (128) + K (192) + V (128) per head per token, bf16: 1024·128·(320 + 320)·2
    expect(totals(ops).attentionBytes).toBe(1024 * 128 * 640 * 2);
  });
});

describe('MLA decode (weights absorbed), one layer, batch 1, context 4096, tp 1', () => {
  const ops = mlaOps('absorbed', 'decode', 1, 4095, 1);

  it('GEMM FLOPs: W_UK and W_UV applied per head to one token instead of decompressing the cache', () => {
    // 2·(7168·2112 + 1536·24576 + 128·128·512 + 128·512·128 + 16384·7168) = 2·187,105,280
    const t = totals(ops);
    expect(t.flops - t.attentionFlops).toBe(374_210_560);
  });

  it('latent attention FLOPs = 2·N·H·(d_c + d_R) for scores plus 2·N·H·d_c for values', () => {
    // 2·4096·128·(576 + 512)
    expect(totals(ops).attentionFlops).toBe(1_140_850_688);
  });

  it('attention reads the latent cache once: N·(d_c + d_R) elements, plus Q and O in latent width', () => {
    // latent 4096·576·2 = 4,718,592; Q (576) + O (512) per head: 128·1088·2 = 278,528
    expect(totals(ops).attentionBytes).toBe(4_718_592 + 278_528);
  });

  it('total DRAM bytes match the op-by-op hand sum', () => {
    const expected =
      2 * (7168 + 7168 * 2112 + 2112) + // q/kv down projection: input, weight, output
      2048 * 2 * 2 + // latent norms over d_c' + d_c (read + write)
      2 * (1536 + 1536 * 24576 + 24576) + // q up projection
      129 * 64 * 2 * 2 + // RoPE on 128 query heads + the shared key
      576 * (2 + 2) + // latent cache write
      128 * 2 * (128 + 128 * 512 + 512) + // W_UK per head
      (4_718_592 + 278_528) + // latent attention
      128 * 2 * (512 + 512 * 128 + 128) + // W_UV per head
      2 * (16384 + 16384 * 7168 + 7168); // output projection
    expect(expected).toBe(379_696_768);
    expect(totals(ops).bytes).toBe(expected);
  });

  it('absorption reads fewer bytes than decompressing the cache, more so as context grows', () => {
    for (const [batch, context, tp] of [[1, 4096, 1], [1, 4096, 8], [32, 2048, 8], [8, 32768, 8]] as const) {
      const absorbed = totals(mlaOps('absorbed', 'decode', batch, context - 1, 1, tp)).bytes;
      const naive = totals(mlaOps('naive', 'decode', batch, context - 1, 1, tp)).bytes;
      expect(absorbed).toBeLessThan(naive);
    }
    // At 32k context on tp 8, the naive form writes and re-reads 16 heads · 256 decompressed values per token,
    // the absorbed form reads 576 latent values per token: several times fewer bytes.
    const a = totals(mlaOps('absorbed', 'decode', 8, 32767, 1, 8)).bytes;
    const n = totals(mlaOps('naive', 'decode', 8, 32767, 1, 8)).bytes;
    expect(n / a).toBeGreaterThan(5);
  });

  it('the graph uses the naive form in prefill and the absorbed form in decode', () => {
    const names = (phase: Phase) => {
      const e = new GraphEmitter({ config: v3, phase, batch: 1, pastTokens: phase === 'decode' ? 99 : 0, newTokens: phase === 'decode' ? 1 : 100, tp: 1, ep: 1, precision: bf16, flash: true });
      mlaMixer.emit(e, 1);
      return e.ops.map((o) => o.name);
    };
    expect(names('prefill')).toContain('mla kv up projection');
    expect(names('decode')).toContain('mla absorb W_UK into query');
    expect(names('decode')).not.toContain('mla kv up projection');
  });
});

describe('MLA cache', () => {
  it('one layer caches d_c + d_R = 576 values per token, the same on every TP rank (replicated latent)', () => {
    for (const tp of [1, 2, 8]) {
      expect(mlaMixer.deviceCacheBytes({ config: v3, tp, ep: 1, precision: bf16 }, 1)).toBe(576 * 2);
    }
    expect(mlaMixer.deviceCacheBytes({ config: v3, tp: 8, ep: 1, precision: { ...bf16, kvBits: 8 } }, 1000)).toBe(1000 * 576);
  });

  it('DeepSeek-V3 on 8x-h200-hgx, tp 8: KV bytes per token with MLA vs plain attention', () => {
    // Plain-attention stand-in: the same model with 'attention' mixers, 128 KV heads (MHA) and one head width
    // for K and V of d_h + d_R = 192 — conservative, since real decompressed V heads are 128 wide.
    const request = { hardware: '8x-h200-hgx', tp: 8, dtype: 'fp8', kvbits: 16, batch: 8, inputTokens: 2048, outputTokens: 256 } as const;
    const plain: TransformerConfigInput = {
      ...v3, id: 'deepseek-v3-plain-attention', name: 'DeepSeek-V3 with plain MHA', numKvHeads: 128, headDim: 192,
      layers: v3.layers!.map((l) => ({ ...l, mixers: ['attention'] })),
    };
    const mla = estimate({ ...request, model: 'deepseek-v3' }).memory.kvBytesPerToken;
    const mha = estimate({ ...request, model: plain }).memory.kvBytesPerToken;
    // MLA: 61 layers · 576 · 2 B = 70,272 B on each GPU (replicated). MHA: 61 · 2 · (128/8) · 192 · 2 B = 749,568 B.
    expect(mla).toBe(70_272);
    expect(mha).toBe(749_568);
    expect(mha / mla).toBeCloseTo(10.67, 2);
    // Without TP (one copy of the cache): 61 · 2 · 128 · 192 · 2 = 5,996,544 B vs 70,272 B, 85× smaller.
    expect(estimate({ ...request, devices: 8, tp: 1, model: plain }).memory.kvBytesPerToken / estimate({ ...request, tp: 1, model: 'deepseek-v3' }).memory.kvBytesPerToken)
      .toBeCloseTo(5_996_544 / 70_272, 6);
  });
});

describe('DeepSeek-V3 serving on 8x-h200-hgx (fp8 weights and activations, bf16 KV)', () => {
  const request = { model: 'deepseek-v3', hardware: '8x-h200-hgx', dtype: 'fp8', kvbits: 16, batch: 32, inputTokens: 2048, outputTokens: 512 } as const;

  it('fits with tp 8 (weights ≈ 671 GB / 8 plus the replicated down-projections) and not in bf16', () => {
    const r = estimate({ ...request, tp: 8 });
    expect(r.feasible).toBe(true);
    expect(r.memory.weightsBytes / 1e9).toBeGreaterThan(83.9);
    expect(r.memory.weightsBytes / 1e9).toBeLessThan(87);
    // KV: 32 sequences · 2560 tokens · 70,272 B on every GPU.
    expect(r.memory.kvCacheBytes).toBe(32 * 2560 * 70_272);
    expect(r.ttftS).toBeGreaterThan(0);
    expect(r.tpotS).toBeGreaterThan(0);
    expect(estimate({ ...request, tp: 8, dtype: 'bf16' }).feasible).toBe(false);
  });

  it('expert parallelism across replicas (tp 1, dp 8, ep 8) dispatches tokens with all-to-all and keeps 1/8 of the KV cache per GPU', () => {
    const tp8 = estimate({ ...request, tp: 8 });
    const ep = estimate({ ...request, tp: 1, ep: 8 });
    expect(ep.feasible).toBe(true);
    expect(ep.decode.ops.some((o) => o.name === 'moe dispatch all-to-all')).toBe(true);
    expect(ep.memory.kvCacheBytes).toBe(tp8.memory.kvCacheBytes / 8);
    expect(ep.memory.weightsBytes).toBeGreaterThan(tp8.memory.weightsBytes); // attention and dense FFNs whole on each GPU
  });
});

describe('MLA parallelism', () => {
  it('heads that TP does not divide are a GenzError at tp', () => {
    // DeepSeek-V2-Lite has 16 heads.
    expect(mlaMixer.parallelismProblem(findModel('deepseek-v2-lite')!, 3)).toMatch(/does not divide the 16 attention heads/);
    try {
      estimate({ model: 'deepseek-v2-lite', hardware: 'h100-sxm', devices: 6, tp: 3 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(GenzError);
      expect((err as GenzError).path).toEqual(['tp']);
      expect((err as GenzError).message).toMatch(/16 attention heads/);
    }
  });
});
