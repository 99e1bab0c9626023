// DeepSeekMoE and Qwen3-MoE: presets against published parameter totals, HF config import, the expected
// number of distinct experts a decode batch touches and what it does to the bytes read, and bad configs.
// DeepSeekMoE (fine-grained routed experts + shared experts): Dai et al. 2024, arXiv:2401.06066; DeepSeek-V2
// §2.2 (arXiv:2405.04434); DeepSeek-V3 §2.1.2 (arXiv:2412.19437).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importHfConfig } from '../../models/hf-import.ts';
import { findModel } from '../../models/registry.ts';
import { MODEL_PRESETS } from '../../models/presets/index.ts';
import { TransformerConfigSchema } from '../../models/transformer-schema.ts';
import type { TransformerConfig } from '../../models/transformer-schema.ts';
import { paramBreakdown } from '../../models/params.ts';
import { buildGraph } from '../../models/graph.ts';
import { estimate, findDevice } from '../../index.ts';
import { energyRates } from '../../simulator/energy.ts';
import { expectedBusiestRankExperts, expectedDistinctExperts } from '../../models/expected-experts.ts';
import { GenzError } from '../../common/errors.ts';
import type { GenzErrorCode } from '../../common/errors.ts';
import type { GemmOp } from '../../models/ops.ts';
import { parseWith } from '../../common/zod-errors.ts';
import { shapeOf, expectGenzError } from '../helpers.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'hf');
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;
const model = (id: string): TransformerConfig => findModel(id)!;

describe('MoE presets match published parameter counts (within 2%)', () => {
  // Totals: DeepSeek-V2 236B / 21B activated and V2-Lite 15.7B / 2.4B (arXiv:2405.04434, §1 and appendix B);
  // DeepSeek-V3 671B / 37B (arXiv:2412.19437 abstract; README_WEIGHTS: "36.6B activated, including 0.9B for the
  // output head"), the multi-token-prediction module excluded; R1 = V3's architecture; Qwen3-30B-A3B 30.5B / 3.3B
  // and Qwen3-235B-A22B 235B / 22B (Qwen3 model cards); Qwen3-8B 8.2B.
  // DeepSeek counts activated parameters without the input embedding (a lookup, no FLOPs) — V3's 36.6B is
  // exactly our active count minus the 0.93B embedding — so DeepSeek's active is compared that way; Qwen's
  // activated counts include embeddings. V2-Lite's "2.4B" is one rounded decimal (we count 2.45B): 2.5%.
  const CASES: [id: string, total: number, active: number, activeTol: number, deepseekActive: boolean][] = [
    ['deepseek-v2', 236e9, 21e9, 0.02, true],
    ['deepseek-v2-lite', 15.7e9, 2.4e9, 0.025, true],
    ['deepseek-v3', 671e9, 37e9, 0.02, true],
    ['deepseek-r1', 671e9, 37e9, 0.02, true],
    ['qwen3-30b-a3b', 30.5e9, 3.3e9, 0.02, false],
    ['qwen3-235b-a22b', 235e9, 22e9, 0.02, false],
    ['qwen3-8b', 8.2e9, 8.2e9, 0.02, false],
  ];
  it.each(CASES)('%s', (id, total, active, activeTol, deepseekActive) => {
    const b = paramBreakdown(model(id));
    expect(Math.abs(b.total / total - 1)).toBeLessThan(0.02);
    const counted = deepseekActive ? b.active - b.embedding : b.active;
    expect(Math.abs(counted / active - 1)).toBeLessThan(activeTol);
  });

  it('DeepSeek-V3 activated parameters are 36.6B without the input embedding (README_WEIGHTS)', () => {
    const b = paramBreakdown(model('deepseek-v3'));
    expect((b.active - b.embedding) / 1e9).toBeCloseTo(36.6, 1);
  });

  it('DeepSeek-V3 layers: 3 dense (18432) then 58 MoE (256 routed top-8 + 1 shared, 2048 wide)', () => {
    const c = model('deepseek-v3');
    expect(c.layers!.filter((l) => l.ffn === 'dense').length).toBe(3);
    expect(c.layers!.slice(0, 3).every((l) => l.ffn === 'dense')).toBe(true);
    expect(c.layers!.filter((l) => l.ffn === 'moe').length).toBe(58);
    expect(c.moe).toEqual({ numExperts: 256, topK: 8, expertIntermediateSize: 2048, sharedExperts: 1, sharedIntermediateSize: 2048 });
    expect([c.hiddenSize, c.numHeads, c.intermediateSize, c.vocabSize]).toEqual([7168, 128, 18432, 129280]);
    expect(c.mla).toEqual({ kvLoraRank: 512, qLoraRank: 1536, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 });
  });
});

describe('HF import of DeepSeek and Qwen3-MoE config.json', () => {
  const preset = (id: string) => shapeOf(parseWith(TransformerConfigSchema, MODEL_PRESETS.find((p) => p.id === id)));

  it('DeepSeek-V3, R1, V2(.5) and V2-Lite equal their presets on every shape field', () => {
    expect(shapeOf(importHfConfig(fixture('DeepSeek-V3')))).toEqual(preset('deepseek-v3'));
    expect(shapeOf(importHfConfig(fixture('DeepSeek-R1')))).toEqual(preset('deepseek-r1'));
    // DeepSeek-V2.5 keeps DeepSeek-V2's architecture and shape.
    expect(shapeOf(importHfConfig(fixture('DeepSeek-V2.5')))).toEqual(preset('deepseek-v2'));
    expect(shapeOf(importHfConfig(fixture('DeepSeek-V2-Lite')))).toEqual(preset('deepseek-v2-lite'));
  });

  it('infers deepseek_v3 from architectures and reads q_lora_rank null as a full-rank query', () => {
    const { model_type: _omit, ...rest } = fixture('DeepSeek-V3');
    expect(importHfConfig(rest).family).toBe('deepseek-v3');
    expect(importHfConfig(fixture('DeepSeek-V2-Lite')).mla!.qLoraRank).toBe(0);
  });

  it('n_routed_experts null gives an all-dense MLA model; moe_layer_freq spaces MoE layers', () => {
    const dense = importHfConfig({ ...fixture('DeepSeek-V2-Lite'), n_routed_experts: null });
    expect(dense.moe).toBeUndefined();
    expect(dense.layers!.every((l) => l.ffn === 'dense')).toBe(true);
    const every2 = importHfConfig({ ...fixture('DeepSeek-V2-Lite'), moe_layer_freq: 2 });
    expect(every2.layers!.map((l) => l.ffn).slice(0, 5)).toEqual(['dense', 'dense', 'moe', 'dense', 'moe']);
  });

  it('Qwen3-30B-A3B and Qwen3-235B-A22B equal their presets (HF intermediate_size aside: no dense layers)', () => {
    for (const [file, id] of [['Qwen3-30B-A3B', 'qwen3-30b-a3b'], ['Qwen3-235B-A22B', 'qwen3-235b-a22b']] as const) {
      const { intermediateSize: _unused, ...imported } = shapeOf(importHfConfig(fixture(file)));
      expect(imported).toEqual(preset(id));
    }
    expect(shapeOf(importHfConfig(fixture('Qwen3-8B')))).toEqual(preset('qwen3-8b'));
  });
});

describe('expected distinct experts in DeepSeek-V3 decode (uniform routing: E·(1 − (1 − k/E)^tokens))', () => {
  // E = 256, k = 8: 1 − k/E = 31/32.
  const cases: [batch: number, experts: number][] = [
    [1, 8], // exactly top-k
    [8, 256 * (1 - (31 / 32) ** 8)], // ≈ 57.4
    [64, 256 * (1 - (31 / 32) ** 64)], // ≈ 222.4
    [512, 256 * (1 - (31 / 32) ** 512)], // ≈ 256 (all of them)
  ];

  it.each(cases)('batch %i touches %f experts', (batch, experts) => {
    expect(expectedDistinctExperts(256, 8, batch)).toBeCloseTo(experts, 9);
  });

  it('rounded values: 8, 57.4, 222.4, 256.0', () => {
    expect(cases.map(([b]) => Number(expectedDistinctExperts(256, 8, b).toFixed(1)))).toEqual([8, 57.4, 222.4, 256]);
  });

  it('expert weight bytes read per MoE layer grow with the distinct experts, not with batch × top-k', () => {
    // tp 8, ep 1: every GPU holds 1/8 of every expert; a step reads touched × 3·7168·2048/8 weights (fp8, 1 B each).
    const precision = { weightBits: 8, actBits: 8, kvBits: 16, embeddingBits: 16, groupSize: 128 };
    const expertWeightBytes = (batch: number): number => {
      const g = buildGraph({ config: model('deepseek-v3'), phase: 'decode', batch, pastTokens: 2047, newTokens: 1, tp: 8, ep: 1, precision, flash: true });
      const experts = g.ops.filter((o): o is GemmOp => o.kind === 'gemm' && o.name.startsWith('expert '));
      expect(experts.every((o) => o.count === 58)).toBe(true);
      return experts.reduce((sum, o) => sum + (o.batch * o.k * o.n * o.weightBits!) / 8, 0);
    };
    const perExpert = (3 * 7168 * 2048) / 8; // bytes of one expert's shard on one GPU
    for (const [batch, experts] of cases) expect(expertWeightBytes(batch)).toBeCloseTo(experts * perExpert, 0);
    // Batch 512 reads 32× the expert weights of batch 1 (all 256 vs 8), not 512×.
    expect(expertWeightBytes(512) / expertWeightBytes(1)).toBeCloseTo(32, 3);
  });

  it('identical prompts route alike: a decode step reads top-k experts at any batch, a prefill those of one prompt', () => {
    const precision = { weightBits: 8, actBits: 8, kvBits: 16, embeddingBits: 16, groupSize: 128 };
    const experts = (phase: 'prefill' | 'decode', batch: number, newTokens: number, identicalPrompts: boolean): { touched: number; tokens: number } => {
      const g = buildGraph({ config: model('deepseek-v3'), phase, batch, pastTokens: phase === 'decode' ? 2047 : 0, newTokens, tp: 8, ep: 1, precision, flash: true, identicalPrompts });
      const up = g.ops.find((o): o is GemmOp => o.kind === 'gemm' && o.name.startsWith('expert up'))!;
      return { touched: up.batch, tokens: up.batch * up.m };
    };
    expect(experts('decode', 64, 1, true).touched).toBeCloseTo(8, 9);
    expect(experts('decode', 64, 1, false).touched).toBeCloseTo(256 * (1 - (31 / 32) ** 64), 9);
    // Every token still runs through its top-k experts: the work is the batch's, only the weights read shrink.
    expect(experts('decode', 64, 1, true).tokens).toBeCloseTo(64 * 8, 6);
    expect(experts('prefill', 4, 16, true).touched).toBeCloseTo(expectedDistinctExperts(256, 8, 16), 9);
    expect(experts('prefill', 4, 16, false).touched).toBeCloseTo(expectedDistinctExperts(256, 8, 64), 9);
  });
});

describe('expert parallelism waits for its busiest rank', () => {
  it('one rank holds every touched expert; many ranks: the busiest holds more than the average, converging as the batch grows', () => {
    expect(expectedBusiestRankExperts(8, 2, 1)).toBe(2);
    // Mixtral, top-2 of 8, batch 1, 8 ranks of one expert: the busiest rank reads one.
    expect(expectedBusiestRankExperts(8, 2, 8)).toBe(1);
    // Two ranks of 4: binomial(4, 1/4) each, the larger of two; a Monte Carlo of the routing gives 1.46.
    expect(expectedBusiestRankExperts(8, 2, 2)).toBeGreaterThan(1.4);
    expect(expectedBusiestRankExperts(8, 2, 2)).toBeLessThan(1.5);
    expect(() => expectedBusiestRankExperts(8, 2, 16)).toThrow(/ep 16 does not divide the 8 experts/);
    // DeepSeek-V3 (256 experts, top-8) over 8 ranks: batch 1 puts ≈2.5 experts on the busiest rank (average 1);
    // at batch 512 every expert is touched and every rank holds 32.
    expect(expectedBusiestRankExperts(256, expectedDistinctExperts(256, 8, 1), 8)).toBeGreaterThan(2);
    expect(expectedBusiestRankExperts(256, expectedDistinctExperts(256, 8, 512), 8)).toBeCloseTo(32, 3);
  });

  it('the busiest rank sets the time; the dynamic energy stays the work all ranks do (energyShare)', () => {
    const precision = { weightBits: 16, actBits: 16, kvBits: 16, embeddingBits: 16, groupSize: 128 };
    const graph = (ep: number) => buildGraph({ config: model('mixtral-8x7b'), phase: 'decode', batch: 1, pastTokens: 255, newTokens: 1, tp: 8, ep, precision, flash: true });
    // ep 8: the busiest rank runs one whole expert, the average rank a quarter of one.
    expect(graph(8).ops.filter((o) => o.name.startsWith('expert')).every((o) => o.energyShare === 0.25)).toBe(true);
    expect(graph(1).ops.filter((o) => o.name.startsWith('expert')).every((o) => o.energyShare === undefined)).toBe(true);
    // The decode step is longer with ep 8, but its dynamic energy (the step's energy less every device's idle power
    // over it) stays within a few % of tp 8's: the group reads the same weights and does the same FLOPs.
    const run = (ep: number) => estimate({ model: 'mixtral-8x7b', hardware: '8x-h100-hgx', tp: 8, ep, batch: 1, inputTokens: 256, outputTokens: 32, calibration: 'none' });
    const idleW = energyRates(findDevice('h100-sxm')!).idleW * 8;
    const dynamicJ = (r: ReturnType<typeof estimate>): number => r.decode.energyJ - idleW * r.decode.latencyS;
    const [tp8, ep8] = [run(1), run(8)];
    expect(ep8.decode.latencyS).toBeGreaterThan(tp8.decode.latencyS * 1.2);
    expect(Math.abs(dynamicJ(ep8) / dynamicJ(tp8) - 1)).toBeLessThan(0.05);
  });

  it('EP across replicas routes only the batch\'s sequences when the batch does not fill every replica', () => {
    // DeepSeek-V2-Lite, tp 1 ep 8 on 8 H100s: 8 replicas in one expert group. Batch 1 is one sequence on one replica,
    // not one on each: its prefill and decode read the experts of one sequence's tokens.
    const run = (batch: number) => estimate({ model: 'deepseek-v2-lite', hardware: '8x-h100-hgx', tp: 1, ep: 8, batch, inputTokens: 128, outputTokens: 32, calibration: 'none' });
    const [one, eight] = [run(1), run(8)];
    expect(one.ttftS).toBeLessThan(eight.ttftS);
    expect(one.tpotS).toBeLessThan(eight.tpotS * 0.95);
    const precision = { weightBits: 16, actBits: 16, kvBits: 16, embeddingBits: 16, groupSize: 128 };
    const decode = (expertGroupBatch?: number) => buildGraph({ config: model('deepseek-v2-lite'), phase: 'decode', batch: 1, pastTokens: 127, newTokens: 1, tp: 1, ep: 8, precision, flash: true,
      ...(expertGroupBatch === undefined ? {} : { expertGroupBatch }) });
    const expertRows = (g: ReturnType<typeof buildGraph>) => g.ops.find((o): o is GemmOp => o.kind === 'gemm' && o.name.startsWith('expert'))!.m;
    // The default group is batch × ep / tp replicas (8 sequences): 48 assignments touch ~34.8 of 64 experts, 1.38
    // tokens each; one sequence's 6 assignments touch 6 experts, one token each.
    expect(expertRows(decode())).toBeCloseTo(48 / (64 * (1 - (1 - 6 / 64) ** 8)), 6);
    expect(expertRows(decode(1))).toBeCloseTo(1, 6);
    // Energy: the one busy replica is charged the group's expert work, which is one sequence's, as without EP.
    const idleW = energyRates(findDevice('h100-sxm')!).idleW * 8;
    const dynamicJ = (ep: number) => {
      const r = estimate({ model: 'mixtral-8x7b', hardware: '8x-h100-hgx', tp: 1, ep, batch: 1, inputTokens: 128, outputTokens: 32, calibration: 'none' });
      return [r.prefill.energyJ - idleW * r.prefill.latencyS, r.decode.energyJ - idleW * r.decode.latencyS];
    };
    const [withEp, withoutEp] = [dynamicJ(8), dynamicJ(1)];
    for (let i = 0; i < 2; i++) expect(Math.abs(withEp[i]! / withoutEp[i]! - 1)).toBeLessThan(0.01);
    // A caller's group smaller than the device's own batch is raised to it.
    expect(expertRows(decode(0))).toBeCloseTo(1, 6);
  });

  it('Mixtral decode at batch 1 on 8 H100s is slower with ep 8 (one whole expert on the busiest rank) than sharded by tp', () => {
    const tpot = (ep: number): number => estimate({ model: 'mixtral-8x7b', hardware: '8x-h100-hgx', tp: 8, ep, batch: 1, inputTokens: 256, outputTokens: 32 }).tpotS;
    expect(tpot(8)).toBeGreaterThan(tpot(1) * 1.2);
  });
});

describe('bad MoE / MLA configs are GenzErrors with the field path', () => {
  it('zero routed experts (HF) → n_routed_experts', () => {
    const e = expectGenzError(() => importHfConfig({ ...fixture('DeepSeek-V3'), n_routed_experts: 0 }), 'invalid_input', ['n_routed_experts']);
    expect(e.message).toMatch(/0 routed experts/);
  });

  it('zero experts (genz schema) → moe.numExperts', () => {
    const { id: _id, ...rest } = model('deepseek-v3');
    expectGenzError(() => parseWith(TransformerConfigSchema, { ...rest, id: 'x', moe: { ...rest.moe!, numExperts: 0 } }), 'invalid_input', ['moe', 'numExperts']);
  });

  it('top-k above the expert count → num_experts_per_tok (HF) and moe.topK (genz)', () => {
    const e = expectGenzError(() => importHfConfig({ ...fixture('DeepSeek-V3'), num_experts_per_tok: 300 }), 'invalid_input', ['num_experts_per_tok']);
    expect(e.message).toMatch(/topK \(300\) cannot exceed numExperts \(256\)/);
    expectGenzError(() => importHfConfig({ ...fixture('Qwen3-235B-A22B'), num_experts_per_tok: 129 }), 'invalid_input', ['num_experts_per_tok']);
    const c = model('qwen3-30b-a3b');
    expectGenzError(() => parseWith(TransformerConfigSchema, { ...c, moe: { ...c.moe!, topK: 200 } }), 'invalid_input', ['moe', 'topK']);
  });

  it('missing or malformed MLA fields → their HF names', () => {
    const { kv_lora_rank: _k, ...noKv } = fixture('DeepSeek-V3');
    expectGenzError(() => importHfConfig(noKv), 'invalid_input', ['kv_lora_rank']);
    expectGenzError(() => importHfConfig({ ...fixture('DeepSeek-V3'), qk_rope_head_dim: 0 }), 'invalid_input', ['qk_rope_head_dim']);
  });
});
