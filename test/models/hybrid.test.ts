// Hybrid attention / SSM models from their layer patterns: presets and their published sizes, KV cache only from
// the attention layers, shared-weight accounting (Zamba2), HF import of mamba, mamba2, jamba, zamba2 and
// falcon_h1 config.json files with HF-named error paths, and the Transformer/SSM prefill crossover.
//   Jamba: Lieber et al. 2024 (arXiv:2403.19887) §2 — attention:Mamba 1:7 (a = 8, attention at offset 4),
//     MoE every e = 2 layers, 16 experts top-2; 52B total / 12B active.
//   Zamba2: Glorioso et al. 2024 (arXiv:2411.15242); HF Zamba2HybridLayer (shared block + per-layer LoRA + linear).
//   Falcon-H1: parallel attention + Mamba-2 in every layer (HF FalconH1DecoderLayer).
//   Hymba: Dong et al. 2024 (arXiv:2411.13676) §2 — fused attention + SSM heads, 3 global attention layers.
//   Samba: Ren et al. 2024 (arXiv:2406.07522) §2.1 and Table 10.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importHfConfig } from '../../models/hf-import.ts';
import { findModel } from '../../models/registry.ts';
import { paramBreakdown } from '../../models/params.ts';
import { buildGraph } from '../../models/graph.ts';
import { averageLayerCacheBytes } from '../../models/footprint.ts';
import { TransformerConfigSchema } from '../../models/transformer-schema.ts';
import type { TransformerConfig } from '../../models/transformer-schema.ts';
import { parseWith } from '../../common/zod-errors.ts';
import { GenzError } from '../../common/errors.ts';
import type { GenzErrorCode } from '../../common/errors.ts';
import { estimate } from '../../simulator/serving/estimate.ts';
import { HYBRID_PRESETS } from '../../models/presets/hybrid.ts';
import { SSM_PRESETS } from '../../models/presets/ssm.ts';
import { shapeOf, expectGenzError } from '../helpers.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'hf');
const bf16 = { weightBits: 16, actBits: 16, kvBits: 16, embeddingBits: 16, groupSize: 128 };

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

function model(id: string): TransformerConfig {
  const c = findModel(id);
  if (!c) throw new Error(`no preset ${id}`);
  return c;
}

describe('hybrid presets', () => {
  it.each([...SSM_PRESETS, ...HYBRID_PRESETS].map((p) => [p.id, p] as const))('%s parses and names a source', (_id, p) => {
    const c = parseWith(TransformerConfigSchema, p, ['presets', p.id]);
    expect(c.source.length).toBeGreaterThan(20);
    expect(c.layers!.length).toBe(c.numLayers);
  });

  // Published totals (active where MoE), tolerance 2%:
  //   jamba-v0.1 51.6B / 12B active (HF safetensors count; paper: 52B / 12B); zamba2-1.2b 1.22B (HF count);
  //   falcon-h1-7b 7.59B (HF count of tiiuae/Falcon-H1-7B-Base); hymba-1.5b 1.52B (paper Table 2);
  //   samba-3.8b 3.8B (paper Table 10).
  const PUBLISHED: [string, number, number?][] = [
    ['jamba-v0.1', 51.6e9, 12e9], ['zamba2-1.2b', 1.22e9], ['falcon-h1-7b', 7.59e9], ['hymba-1.5b', 1.52e9], ['samba-3.8b', 3.8e9],
  ];
  it.each(PUBLISHED)('%s parameter count matches the published total', (id, total, active) => {
    const b = paramBreakdown(model(id));
    expect(Math.abs(b.total / total - 1)).toBeLessThan(0.02);
    if (active !== undefined) expect(Math.abs(b.active / active - 1)).toBeLessThan(0.02);
  });

  it('Jamba: attention at layers 4, 12, 20, 28; MoE on the odd layers; Mamba-1 elsewhere', () => {
    const layers = model('jamba-v0.1').layers!;
    expect(layers.flatMap((l, i) => (l.mixers[0] === 'attention' ? [i] : []))).toEqual([4, 12, 20, 28]);
    expect(layers.every((l, i) => l.ffn === (i % 2 === 1 ? 'moe' : 'dense'))).toBe(true);
    expect(layers.filter((l) => l.mixers[0] === 'mamba').length).toBe(28);
  });
});

describe('KV cache only from attention layers', () => {
  it('Jamba: 4 of 32 layers keep KV (2 · 8 KV heads · 128 · 2 bytes each per token)', () => {
    const r = estimate({ model: 'jamba-v0.1', hardware: 'h200', inputTokens: 8192, outputTokens: 1 });
    expect(r.memory.kvBytesPerToken).toBe(4 * 2 * 8 * 128 * 2);
    const c = model('jamba-v0.1');
    const ctx = { config: c, tp: 1, ep: 1, precision: bf16 };
    // 28 Mamba layers of constant state: conv 3·8192·2 + SSM 8192·16·4 bytes each.
    const state = 28 * (3 * 8192 * 2 + 8192 * 16 * 4);
    expect(averageLayerCacheBytes(ctx, 0) * 32).toBe(state);
    expect(averageLayerCacheBytes(ctx, 1000) * 32).toBe(state + 1000 * 4 * 2 * 8 * 128 * 2);
  });

  it('Falcon-H1: every layer has attention beside Mamba-2, so every layer keeps KV', () => {
    const r = estimate({ model: 'falcon-h1-7b', hardware: 'h200', inputTokens: 4096, outputTokens: 1 });
    expect(r.memory.kvBytesPerToken).toBe(44 * 2 * 2 * 128 * 2);
  });

  it('Hymba: the sliding layers stop growing at the 1024-token window, the 3 global ones keep growing', () => {
    const ctx = { config: model('hymba-1.5b'), tp: 1, ep: 1, precision: bf16 };
    const perToken = 5 * (64 + 128) * 2; // K (d_h 64) + V (d_v = 3200/25 = 128) of 5 KV heads, bf16
    const growth = (a: number, b: number) => (averageLayerCacheBytes(ctx, b) - averageLayerCacheBytes(ctx, a)) * 32;
    expect(growth(0, 1000)).toBe(32 * 1000 * perToken);
    expect(growth(10_000, 20_000)).toBe(3 * 10_000 * perToken);
  });

  it('Samba: sliding-window attention and Mamba, so decode time stops growing past the window', () => {
    const at = (inputTokens: number) => estimate({ model: 'samba-3.8b', hardware: 'rtx-4090', inputTokens, outputTokens: 64 });
    expect(Math.abs(at(32768).tpotS / at(4096).tpotS - 1)).toBeLessThan(0.005);
    expect(at(32768).memory.kvCacheBytes).toBe(at(4096).memory.kvCacheBytes);
  });
});

describe('Zamba2: one shared transformer block, run at each hybrid layer', () => {
  const c = model('zamba2-1.2b');
  it('the shared block is emitted at all 6 hybrid layers, its weights counted once', () => {
    const g = buildGraph({ config: c, phase: 'prefill', batch: 1, pastTokens: 0, newTokens: 256, tp: 1, ep: 1, precision: bf16, flash: true });
    expect(g.ops.find((o) => o.name === 'zamba shared attention')!.count).toBe(6);
    expect(g.ops.find((o) => o.name === 'mamba2 in_proj' && o.count === 32)).toBeDefined();
    // Hand count: Mamba-2 layers (d 2048, E 4096, N 128, H 64) 38 × (2048·8512 + 4352·5 + 192 + 4096 + 4096·2048 + 2048);
    // one shared block 2·2048 + 4096·12288 + 4096·2048 + 2048 + 3·2048·8192; per hybrid layer LoRA
    // 3·(4096·128 + 128·4096) + 2048·128 + 128·16384 and a 2048² linear; tied 32000 × 2048 embedding; final norm.
    const mamba = 38 * (2048 * 8512 + 4352 * 5 + 192 + 4096 + 4096 * 2048 + 2048);
    const shared = 2 * 2048 + 4096 * 12288 + 4096 * 2048 + 2048 + 3 * 2048 * 8192;
    const perUse = 6 * (3 * (4096 * 128 + 128 * 4096) + 2048 * 128 + 128 * 16384 + 2048 * 2048);
    expect(paramBreakdown(c).total).toBeCloseTo(mamba + shared + perUse + 32000 * 2048 + 2048, 0);
  });

  it('each use keeps its own KV cache (2 · 32 heads · 128 · 2 bytes per token, 6 layers)', () => {
    const r = estimate({ model: 'zamba2-1.2b', hardware: 'rtx-4090', inputTokens: 2048, outputTokens: 1 });
    expect(r.memory.kvBytesPerToken).toBeCloseTo(6 * 2 * 32 * 128 * 2, 6);
  });
});

describe('HF import of state-space and hybrid configs', () => {
  it.each([
    ['mamba-2.8b-hf', 'mamba-2.8b'],
    ['mamba-130m-hf', 'mamba-130m'],
    ['Jamba-v0.1', 'jamba-v0.1'],
    ['Zamba2-1.2B', 'zamba2-1.2b'],
    ['Falcon-H1-7B-Base', 'falcon-h1-7b'],
  ])('%s equals the %s preset on every shape field', (file, id) => {
    expect(shapeOf(importHfConfig(fixture(file)))).toEqual(shapeOf(model(id)));
  });

  it('Mamba-Codestral-7B (model_type mamba2, 8 groups) imports with 7.29B parameters', () => {
    const c = importHfConfig(fixture('Mamba-Codestral-7B-v0.1'));
    expect(c.family).toBe('mamba2');
    expect(c.mamba).toEqual({ stateSize: 128, convKernel: 4, expand: 2, headDim: 64, numGroups: 8, chunkSize: 256 });
    expect(Math.abs(paramBreakdown(c).total / 7.29e9 - 1)).toBeLessThan(0.01);
  });

  it('infers model_type from architectures', () => {
    const { model_type: _drop, ...rest } = fixture('Jamba-v0.1');
    expect(importHfConfig(rest).family).toBe('jamba');
  });

  it('a hybrid pattern naming an unknown layer kind is refused at its index', () => {
    const z = fixture('Zamba2-1.2B');
    const kinds = [...(z.layers_block_type as string[])];
    kinds[7] = 'attention';
    const err = expectGenzError(() => importHfConfig({ ...z, layers_block_type: kinds }), 'invalid_input', ['layers_block_type', 7]);
    expect(err.message).toMatch(/unknown layer kind "attention"; expected "mamba" or "hybrid"/);
  });

  it('an unknown mixer in a genz layer list is refused with its path', () => {
    const p = HYBRID_PRESETS.find((x) => x.id === 'jamba-v0.1')!;
    const layers = p.layers!.map((l, i) => (i === 3 ? { ...l, mixers: ['mamba3'] } : l));
    expectGenzError(() => parseWith(TransformerConfigSchema, { ...p, layers }), 'invalid_input', ['layers', 3, 'mixers', 0]);
  });

  it('bad configs give one error with the HF field path', () => {
    expectGenzError(() => importHfConfig({ ...fixture('Jamba-v0.1'), num_experts: 0 }), 'invalid_input', ['num_experts']);
    expectGenzError(() => importHfConfig({ ...fixture('Jamba-v0.1'), attn_layer_offset: 8 }), 'invalid_input', ['attn_layer_offset']);
    expectGenzError(() => importHfConfig({ ...fixture('Mamba-Codestral-7B-v0.1'), num_heads: 100 }), 'invalid_input', ['num_heads']);
    expectGenzError(() => importHfConfig({ ...fixture('Mamba-Codestral-7B-v0.1'), state_size: 0 }), 'invalid_input', ['state_size']);
    expectGenzError(() => importHfConfig({ ...fixture('Falcon-H1-7B-Base'), mamba_d_head: 100 }), 'invalid_input', ['mamba_d_head']);
    expectGenzError(() => importHfConfig({ ...fixture('mamba-2.8b-hf'), hidden_size: 'big' }), 'invalid_input', ['hidden_size']);
    expectGenzError(() => importHfConfig({ ...fixture('mamba-2.8b-hf'), expand: -2 }), 'invalid_input', ['expand']);
    expectGenzError(() => importHfConfig({ ...fixture('Zamba2-1.2B'), num_mem_blocks: 2 }), 'unsupported', ['num_mem_blocks']);
    // Heads that do not divide: a schema-level failure reported under the HF name.
    expectGenzError(() => importHfConfig({ ...fixture('Jamba-v0.1'), num_key_value_heads: 5 }), 'invalid_input', ['num_key_value_heads']);
  });

  it('jamba with a single expert per layer has only dense FFNs', () => {
    const c = importHfConfig({ ...fixture('Jamba-v0.1'), num_experts: 1 });
    expect(c.moe).toBeUndefined();
    expect(c.layers!.every((l) => l.ffn === 'dense')).toBe(true);
  });
});

describe('Transformer / SSM prefill crossover on rtx-4090 (batch 1)', () => {
  const ttft = (id: string, inputTokens: number) => estimate({ model: id, hardware: 'rtx-4090', inputTokens, outputTokens: 1 }).ttftS;
  it('Qwen2.5-0.5B prefills faster at short context, Mamba2-780m at long context, crossing between 4k and 64k', () => {
    expect(ttft('qwen2.5-0.5b', 1024)).toBeLessThan(ttft('mamba2-780m', 1024));
    expect(ttft('qwen2.5-0.5b', 65536)).toBeGreaterThan(ttft('mamba2-780m', 65536));
    let lo = 1024;
    let hi = 65536;
    while (hi - lo > 256) {
      const mid = Math.round((lo + hi) / 2);
      if (ttft('qwen2.5-0.5b', mid) < ttft('mamba2-780m', mid)) lo = mid;
      else hi = mid;
    }
    expect(hi).toBeGreaterThan(4096);
    expect(hi).toBeLessThan(65536);
  });

  it('Mamba2-780m prefill time is linear in context; Qwen2.5-0.5B grows faster than linearly', () => {
    const ratio = (id: string) => ttft(id, 65536) / ttft(id, 32768);
    expect(ratio('mamba2-780m')).toBeCloseTo(2, 1);
    expect(ratio('qwen2.5-0.5b')).toBeGreaterThan(2.5);
  });
});
