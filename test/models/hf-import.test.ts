import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importHfConfig, slug } from '../../models/hf-import.ts';
import { MODEL_PRESETS } from '../../models/presets/index.ts';
import { TransformerConfigSchema } from '../../models/transformer-schema.ts';
import type { TransformerConfig } from '../../models/transformer-schema.ts';
import { activeParams, paramBreakdown } from '../../models/params.ts';
import { GenzError } from '../../common/errors.ts';
import type { GenzErrorCode } from '../../common/errors.ts';
import { parseWith } from '../../common/zod-errors.ts';
import { shapeOf, expectGenzError } from '../helpers.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'hf');

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

function load(name: string): TransformerConfig {
  return importHfConfig(fixture(name));
}

const REQUIRED_FIXTURES = [
  'Llama-2-7b-hf', 'Meta-Llama-3-8B', 'Mistral-7B-v0.1', 'Qwen2-7B', 'Qwen3-8B', 'Mixtral-8x7B-v0.1', 'gemma-2b',
  'gemma-2-9b-it', 'Phi-3-mini-4k-instruct', 'gpt2', 'pythia-410m', 'opt-125m', 'Qwen3-30B-A3B',
];

describe('importHfConfig on real config.json files', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));

  it('has the required fixtures', () => {
    for (const name of REQUIRED_FIXTURES) expect(files).toContain(`${name}.json`);
  });

  it.each(files)('%s imports into a valid config', (file) => {
    const c = importHfConfig(JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')));
    expect(TransformerConfigSchema.safeParse(c).success).toBe(true);
    expect(c.id).toMatch(/^[a-z0-9][a-z0-9._-]*$/);
  });

  it('Llama-2-7b-hf equals the llama-2-7b preset on every shape field', () => {
    const imported = load('Llama-2-7b-hf');
    const presetInput = MODEL_PRESETS.find((p) => p.id === 'llama-2-7b');
    const presetConfig = parseWith(TransformerConfigSchema, presetInput);
    expect(shapeOf(imported)).toEqual(shapeOf(presetConfig));
    expect(imported.id).toBe('llama-2-7b-hf');
    expect(imported.source).toBe('huggingface.co/meta-llama/Llama-2-7b-hf config.json');
  });

  it('Meta-Llama-3-8B, Mistral-7B and Qwen2-7B equal their presets on shape fields', () => {
    const byId = (id: string) => shapeOf(parseWith(TransformerConfigSchema, MODEL_PRESETS.find((p) => p.id === id)));
    expect(shapeOf(load('Meta-Llama-3-8B'))).toEqual(byId('llama-3-8b'));
    expect(shapeOf(load('Mistral-7B-v0.1'))).toEqual(byId('mistral-7b'));
    expect(shapeOf(load('Qwen2-7B'))).toEqual(byId('qwen2-7b'));
    expect(shapeOf(load('Qwen2.5-0.5B'))).toEqual(byId('qwen2.5-0.5b'));
    expect(shapeOf(load('Mixtral-8x7B-v0.1'))).toEqual(byId('mixtral-8x7b'));
  });

  it('maps family-specific fields', () => {
    const gemma = load('gemma-2b');
    expect([gemma.family, gemma.headDim, gemma.numKvHeads, gemma.activation, gemma.tieWordEmbeddings]).toEqual(['gemma', 256, 1, 'gelu-tanh', true]);
    const gemma2 = load('gemma-2-9b-it');
    expect([gemma2.family, gemma2.headDim, gemma2.numHeads! * gemma2.headDim!, gemma2.activation, gemma2.tieWordEmbeddings])
      .toEqual(['gemma2', 256, 4096, 'gelu-tanh', true]);
    const phi3 = load('Phi-3-mini-4k-instruct');
    expect([phi3.family, phi3.numKvHeads, phi3.headDim, phi3.mlp, phi3.parallelAttentionMlp]).toEqual(['phi3', 32, 96, 'gated', false]);
    const gpt2 = load('gpt2');
    expect([gpt2.intermediateSize, gpt2.activation, gpt2.positional, gpt2.norm, gpt2.tieWordEmbeddings, gpt2.qkvBias, gpt2.mlpBias])
      .toEqual([3072, 'gelu-tanh', 'learned', 'layernorm', true, true, true]);
    const neox = load('pythia-410m');
    expect([neox.family, neox.positional, neox.parallelAttentionMlp, neox.tieWordEmbeddings, neox.mlp]).toEqual(['gpt-neox', 'rope', true, false, 'plain']);
    const opt = load('opt-125m');
    expect([opt.family, opt.intermediateSize, opt.activation, opt.positional, opt.tieWordEmbeddings]).toEqual(['opt', 3072, 'relu', 'learned', true]);
    expect(load('Qwen3-8B').qkvBias).toBe(false);
    expect(load('Qwen2-7B').qkvBias).toBe(true);
    expect(load('Qwen3-30B-A3B').moe).toEqual({ numExperts: 128, topK: 8, expertIntermediateSize: 768, sharedExperts: 0, sharedIntermediateSize: 0 });
    expect(load('Qwen1.5-MoE-A2.7B').moe).toEqual({ numExperts: 60, topK: 4, expertIntermediateSize: 1408, sharedExperts: 1, sharedIntermediateSize: 5632 });
  });

  it('maps sliding-window attention the way each family applies it', () => {
    const windowed = (c: TransformerConfig) => (c.layers ?? []).map((l) => (l.mixers.includes('sliding-attention') ? 'S' : 'F')).join('');
    const mistral = load('Mistral-7B-v0.1');
    expect([mistral.slidingWindow, windowed(mistral)]).toEqual([4096, 'S'.repeat(32)]);
    // Gemma-2: even layers slide (HF Gemma2DecoderLayer.is_sliding = not layer_idx % 2), odd layers are global.
    const gemma2 = load('gemma-2-9b-it');
    expect([gemma2.slidingWindow, windowed(gemma2)]).toEqual([4096, 'SF'.repeat(21)]);
    // Phi-3-mini: a 2047-token window on every layer.
    expect(load('Phi-3-mini-4k-instruct').slidingWindow).toBe(2047);
    // Mixtral's sliding_window is null; Qwen2 has a window but use_sliding_window false.
    for (const name of ['Mixtral-8x7B-v0.1', 'Qwen2-7B', 'Llama-2-7b-hf']) expect([name, load(name).slidingWindow, load(name).layers]).toEqual([name, undefined, undefined]);
    // Qwen2 with use_sliding_window: layers from max_window_layers on slide.
    const qwen = importHfConfig({ ...fixture('Qwen2-7B'), use_sliding_window: true, sliding_window: 4096, max_window_layers: 20 });
    expect([qwen.slidingWindow, windowed(qwen)]).toEqual([4096, 'F'.repeat(20) + 'S'.repeat(8)]);
    // A window no shorter than the context is no window.
    expect(importHfConfig({ ...fixture('Mistral-7B-v0.1'), sliding_window: 32768 }).slidingWindow).toBeUndefined();
    expectGenzError(() => importHfConfig({ ...fixture('Mistral-7B-v0.1'), sliding_window: -1 }), 'invalid_input', ['sliding_window']);
  });

  // Published totals: gpt2 124,439,808 (exact, the HF checkpoint's parameter count); pythia-410m 405,334,016
  // (Biderman et al. 2023, Table 1 "405M"; exact count of the HF checkpoint); gemma-2b 2.51B (Gemma report,
  // Table 2: 524M embedding + 1981M non-embedding); Phi-3-mini 3.82B (Abdin et al. 2024); Qwen3-8B 8.2B,
  // Qwen3-30B-A3B 30.5B total / 3.3B active (Qwen3 model cards); Qwen1.5-MoE-A2.7B 14.3B total / 2.7B active
  // (Qwen blog "Qwen1.5-MoE"); Mistral-7B 7.24B (HF safetensors count). Tolerance 1.5%, 2.5% for rounded
  // one-decimal totals.
  const TOTALS: [name: string, total: number, active: number | undefined, tol: number][] = [
    ['gpt2', 124_439_808, undefined, 1e-9],
    ['pythia-410m', 405_334_016, undefined, 1e-9],
    ['gemma-2b', 2.506e9, undefined, 0.015],
    ['Phi-3-mini-4k-instruct', 3.82e9, undefined, 0.015],
    ['Mistral-7B-v0.1', 7.24e9, undefined, 0.015],
    ['Qwen3-8B', 8.2e9, undefined, 0.025],
    ['Qwen3-30B-A3B', 30.5e9, 3.3e9, 0.025],
    ['Qwen1.5-MoE-A2.7B', 14.3e9, 2.7e9, 0.025],
  ];
  it.each(TOTALS)('%s parameter count matches the published total', (name, total, active, tol) => {
    const c = load(name);
    expect(Math.abs(paramBreakdown(c).total / total - 1)).toBeLessThanOrEqual(tol);
    if (active !== undefined) expect(Math.abs(activeParams(c) / active - 1)).toBeLessThanOrEqual(tol);
  });
});

describe('importHfConfig options and inference', () => {
  it('takes id, name and source from options', () => {
    const c = importHfConfig(fixture('gpt2'), { id: 'my-gpt2', name: 'My GPT-2', source: 'local file' });
    expect([c.id, c.name, c.source]).toEqual(['my-gpt2', 'My GPT-2', 'local file']);
  });

  it('defaults the id to the model_type when there is no _name_or_path', () => {
    const c = load('Qwen3-30B-A3B');
    expect(c.id).toBe('qwen3_moe');
    expect(c.source).toBe('Hugging Face config.json');
  });

  it('infers model_type from an unambiguous architectures entry', () => {
    const { model_type: _omit, ...rest } = fixture('Mistral-7B-v0.1');
    expect(importHfConfig(rest).family).toBe('mistral');
  });

  it('ignores unknown keys such as _genz_note', () => {
    expect(importHfConfig({ ...fixture('gpt2'), _genz_note: 'x', some_future_field: { a: 1 } }).hiddenSize).toBe(768);
  });

  it('defaults num_key_value_heads to the head count and head_dim to hidden/heads', () => {
    const { num_key_value_heads: _kv, ...rest } = fixture('Llama-2-7b-hf');
    const c = importHfConfig(rest);
    expect([c.numKvHeads, c.headDim]).toEqual([32, 128]);
  });

  it('slugs names into ids', () => {
    expect(slug('Meta-Llama-3-8B')).toBe('meta-llama-3-8b');
    expect(slug('__My Model (v2)!')).toBe('my-model-v2');
  });
});

describe('importHfConfig errors carry the exact code and HF path', () => {
  it('rejects an unknown model_type, listing the supported ones', () => {
    const e = expectGenzError(() => importHfConfig({ ...fixture('Llama-2-7b-hf'), model_type: 'falcon' }), 'unsupported', ['model_type']);
    expect(e.message).toContain('llama');
    expect(e.message).toContain('gpt_neox');
  });

  it('suggests the closest model_type', () => {
    const e = expectGenzError(() => importHfConfig({ ...fixture('pythia-410m'), model_type: 'gpt-neox' }), 'unsupported', ['model_type']);
    expect(e.message).toContain('did you mean "gpt_neox"');
  });

  it('rejects a missing model_type without architectures', () => {
    const { model_type: _m, architectures: _a, ...rest } = fixture('Llama-2-7b-hf');
    expectGenzError(() => importHfConfig(rest), 'invalid_input', ['model_type']);
  });

  it('rejects a non-object', () => {
    expectGenzError(() => importHfConfig('{"model_type":"llama"}'), 'invalid_input', []);
    expectGenzError(() => importHfConfig([]), 'invalid_input', []);
    expectGenzError(() => importHfConfig(null), 'invalid_input', []);
  });

  it('rejects a missing num_attention_heads', () => {
    const { num_attention_heads: _h, ...rest } = fixture('Llama-2-7b-hf');
    const e = expectGenzError(() => importHfConfig(rest), 'invalid_input', ['num_attention_heads']);
    expect(e.problems).toHaveLength(1);
  });

  it('rejects heads that are not a multiple of kv heads', () => {
    expectGenzError(() => importHfConfig({ ...fixture('Meta-Llama-3-8B'), num_key_value_heads: 5 }), 'invalid_input', ['num_key_value_heads']);
  });

  it('rejects a negative hidden_size', () => {
    expectGenzError(() => importHfConfig({ ...fixture('Llama-2-7b-hf'), hidden_size: -4096 }), 'invalid_input', ['hidden_size']);
  });

  it('rejects a string where a number is expected', () => {
    const e = expectGenzError(() => importHfConfig({ ...fixture('Llama-2-7b-hf'), num_hidden_layers: '32' }), 'invalid_input', ['num_hidden_layers']);
    expect(e.message).toContain('the string "32"');
  });

  it('rejects a non-integer field and reports every bad field at once', () => {
    const e = expectGenzError(
      () => importHfConfig({ ...fixture('gpt2'), n_embd: 768.5, vocab_size: 0 }),
      'invalid_input',
      ['n_embd'],
    );
    expect(e.problems.map((p) => p.path)).toEqual([['n_embd'], ['vocab_size']]);
  });

  it('reports schema limits under the HF field name', () => {
    expectGenzError(() => importHfConfig({ ...fixture('Llama-2-7b-hf'), vocab_size: 1e9 }), 'invalid_input', ['vocab_size']);
  });

  it('rejects OPT-350m-style embedding projections as unsupported', () => {
    expectGenzError(
      () => importHfConfig({ ...fixture('opt-125m'), hidden_size: 1024, ffn_dim: 4096, num_attention_heads: 16, word_embed_proj_dim: 512 }),
      'unsupported',
      ['word_embed_proj_dim'],
    );
  });

  it('rejects hidden sizes that do not split into heads when head_dim is absent', () => {
    expectGenzError(() => importHfConfig({ ...fixture('Llama-2-7b-hf'), hidden_size: 4090 }), 'invalid_input', ['hidden_size']);
  });

  it('rejects an unknown activation as unsupported', () => {
    expectGenzError(() => importHfConfig({ ...fixture('Llama-2-7b-hf'), hidden_act: 'squared_relu' }), 'unsupported', ['hidden_act']);
  });

  it('rejects MoE configs with dense layers', () => {
    expectGenzError(() => importHfConfig({ ...fixture('Qwen3-30B-A3B'), mlp_only_layers: [0, 1] }), 'unsupported', ['mlp_only_layers']);
    expectGenzError(() => importHfConfig({ ...fixture('Qwen1.5-MoE-A2.7B'), decoder_sparse_step: 2 }), 'unsupported', ['decoder_sparse_step']);
  });

  it('rejects a Mixtral config without its expert count', () => {
    const { num_local_experts: _n, ...rest } = fixture('Mixtral-8x7B-v0.1');
    expectGenzError(() => importHfConfig(rest), 'invalid_input', ['num_local_experts']);
  });
});
