// Vidur's measured operator times (microsoft/vidur profiling data, MIT) replayed through a cost backend.
// mlp.csv: Llama-2-7B layer ops (fp16, TP 1) vs token count on A100 and A40 (and any other Vidur device folder the
// importer knows, e.g. the H100 rows of the same file that the project's extract leaves out).
// attention.csv: FlashAttention prefill and decode of Llama-2-70B at TP 2 on A100.
import type { CostBackend, CostContext, EfficiencyProfile, Op } from '../../index.ts';
import { findDevice, rooflineBackend } from '../../index.ts';
import { energyRates } from '../../simulator/energy.ts';
import { VIDUR_DEVICES } from '../importers/vidur.ts';
import { parseCsv, num } from './csv.ts';
import type { Sample } from './error-stats.ts';


export function vidurContext(deviceId: string, efficiency: EfficiencyProfile): CostContext {
  const device = findDevice(deviceId);
  if (!device) throw new Error(`no preset ${deviceId}`);
  const link = { name: 'none', bandwidthBytesPerS: 1e9, latencyS: 1e-6 };
  return { device, efficiency, links: { tp: link, ep: link, pp: link, dp: link }, baseDtype: 'fp16', energy: energyRates(device) };
}

const base = { scope: 'layer' as const, block: 'mlp' as const, count: 1 };

/** The Llama-2-7B ops of one mlp.csv row: column name → op. */
function mlpOps(tokens: number, d: number, ffn: number, heads: number, kvHeads: number): Record<string, Op> {
  const hd = d / heads;
  const gemm = (name: string, n: number, k: number): Op => ({ ...base, name, kind: 'gemm', m: tokens, n, k, batch: 1, weightBits: 16, actBits: 16, outBits: 16 });
  const stream = (name: string, fn: 'rmsnorm' | 'rope' | 'silu-mul' | 'add', elements: number, reads: number, flops: number): Op =>
    ({ ...base, name, kind: 'elementwise', fn, elements, readsPerElement: reads, writesPerElement: 1, flopsPerElement: flops, bits: 16, ...(fn === 'rmsnorm' ? { rowLength: d } : {}) });
  return {
    attn_pre_proj_median_ms: gemm('qkv', (heads + 2 * kvHeads) * hd, d),
    attn_post_proj_median_ms: gemm('out', d, d),
    mlp_up_proj_median_ms: gemm('up+gate', 2 * ffn, d),
    mlp_down_proj_median_ms: gemm('down', d, ffn),
    mlp_act_median_ms: stream('silu-mul', 'silu-mul', tokens * ffn, 2, 5),
    input_layernorm_median_ms: stream('rmsnorm', 'rmsnorm', tokens * d, 1, 4),
    attn_rope_median_ms: stream('rope', 'rope', tokens * (heads + kvHeads) * hd, 1, 3),
    add_median_ms: stream('add', 'add', tokens * d, 2, 1),
    emb_median_ms: { ...base, name: 'embedding', kind: 'gather', rows: tokens, width: d, bits: 16 },
  };
}

const FAMILY: Record<string, string> = {
  attn_pre_proj_median_ms: 'gemm', attn_post_proj_median_ms: 'gemm', mlp_up_proj_median_ms: 'gemm', mlp_down_proj_median_ms: 'gemm',
  mlp_act_median_ms: 'elementwise', add_median_ms: 'elementwise', attn_rope_median_ms: 'elementwise',
  input_layernorm_median_ms: 'norm', emb_median_ms: 'embedding',
};

/** One sample per (row, op column); `keep` picks rows by index (train/held-out split). */
export function vidurMlpSamples(csv: string, efficiency: EfficiencyProfile, keep: (index: number) => boolean,
  backend: CostBackend = rooflineBackend): Sample[] {
  const samples: Sample[] = [];
  const contexts = new Map<string, CostContext>();
  parseCsv(csv).forEach((row, index) => {
    if (!keep(index)) return;
    const deviceKey = row.device!;
    const deviceId = VIDUR_DEVICES[deviceKey]?.id;
    if (!deviceId) return;
    let ctx = contexts.get(deviceId);
    if (!ctx) { ctx = vidurContext(deviceId, efficiency); contexts.set(deviceId, ctx); }
    const ops = mlpOps(num(row, 'num_tokens'), num(row, 'n_embd'), num(row, 'n_expanded_embd'), num(row, 'n_head'), num(row, 'n_kv_head'));
    for (const [column, op] of Object.entries(ops)) {
      const measuredS = num(row, column) / 1e3;
      samples.push({ group: `${FAMILY[column]} ${deviceKey}`, predictedS: backend.cost(op, ctx).latencyS, measuredS });
    }
  });
  return samples;
}

export function vidurAttentionSamples(csv: string, efficiency: EfficiencyProfile, keep: (index: number) => boolean,
  backend: CostBackend = rooflineBackend): Sample[] {
  const ctx = vidurContext('a100-80gb-sxm', efficiency);
  const samples: Sample[] = [];
  parseCsv(csv).forEach((row, index) => {
    if (!keep(index)) return;
    const tp = num(row, 'tp');
    const heads = num(row, 'n_q_head') / tp;
    const kvHeads = Math.max(1, num(row, 'n_kv_head') / tp);
    const prefill = row.is_prefill === 'True';
    const queryLen = prefill ? num(row, 'prefill_chunk_size') : 1;
    const kvLen = num(row, 'kv_cache_size') + (prefill ? queryLen : 0);
    const op: Op = {
      ...base, block: 'attention', name: 'attention', kind: 'attention', batch: num(row, 'batch_size'), queryLen, kvLen,
      numHeads: heads, numKvHeads: kvHeads, headDim: num(row, 'n_embd') / num(row, 'n_q_head'), causal: true, flash: true, actBits: 16, kvBits: 16,
    };
    samples.push({ group: `attention-${prefill ? 'prefill' : 'decode'} a100`, predictedS: backend.cost(op, ctx).latencyS, measuredS: num(row, 'attn_kernel_median_ms') / 1e3 });
  });
  return samples;
}
