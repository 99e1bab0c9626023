// Vidur's profiling data (microsoft/vidur, MIT) as measurements. Three file kinds, told apart by header:
// - mlp.csv: fp16 per-op median ms of Llama-style layers vs token count (one row → one measurement per op column),
// - attention.csv: FlashAttention prefill/decode median ms,
// - collectives (all_reduce / send_recv): NCCL median ms vs fp16 element count.
// The op shapes follow calibrate/accuracy/vidur.ts, so imported rows and the accuracy replay agree.
import { GenzError } from '../../common/errors.ts';
import { FLOPS_PER_ELEMENT } from '../../models/emitter.ts';
import type { BlasLayout } from '../../models/ops.ts';
import { causalPairs } from '../../simulator/work.ts';
import type { KernelName, Measurement } from '../measurement-schema.ts';
import { DTYPE_BYTES, ImportProblems, gemmCost, measurement, msToS, parseCsvTable, requireColumns, type CsvRecord } from './table.ts';

const SOURCE = 'vidur';
const FP16 = DTYPE_BYTES.fp16;

/**
 * Vidur's network folders that are one of genz's system presets: a DGX's collectives cross its NVSwitch fabric (the
 * H100's third-generation switches reduce in the network, NVLS; the A100's do not), so the fit prices them on it.
 */
export const VIDUR_SYSTEMS: Readonly<Record<string, string>> = { h100_dgx: '8x-h100-hgx', a100_dgx: '8x-a100-hgx' };

/** Vidur's device folder names → genz presets. Vidur's a100 profiles are the 80 GB SXM part. */
export const VIDUR_DEVICES: Readonly<Record<string, { id: string; backend: 'cuda' }>> = {
  a100: { id: 'a100-80gb-sxm', backend: 'cuda' },
  a40: { id: 'a40', backend: 'cuda' },
  h100: { id: 'h100-sxm', backend: 'cuda' },
  h100_dgx: { id: 'h100-sxm', backend: 'cuda' },
  a100_dgx: { id: 'a100-80gb-sxm', backend: 'cuda' },
  a100_pairwise_nvlink: { id: 'a100-80gb-sxm', backend: 'cuda' },
  h100_pairwise_nvlink: { id: 'h100-sxm', backend: 'cuda' },
  a40_pairwise_nvlink: { id: 'a40', backend: 'cuda' },
};

function device(name: string): Measurement['device'] {
  const known = VIDUR_DEVICES[name];
  return known ? { name, id: known.id, backend: known.backend } : { name, backend: 'cuda' };
}

const MLP_COLUMNS = ['device', 'num_tokens', 'n_embd', 'n_expanded_embd', 'n_head', 'n_kv_head'] as const;
const ATTENTION_COLUMNS = ['n_embd', 'n_q_head', 'n_kv_head', 'tp', 'is_prefill', 'batch_size', 'prefill_chunk_size', 'kv_cache_size', 'attn_kernel_median_ms'] as const;
const COLLECTIVE_COLUMNS = ['network_device', 'collective', 'num_workers', 'devices_per_node', 'size_elems', 'median_ms'] as const;

/** Which Vidur file this is, from its header. */
export function vidurFileKind(text: string): 'mlp' | 'attention' | 'collectives' | undefined {
  const header = parseCsvTable(text.slice(0, text.indexOf('\n') + 1 || text.length)).header;
  if (header.includes('attn_kernel_median_ms')) return 'attention';
  if (header.includes('collective') && header.includes('size_elems')) return 'collectives';
  if (header.some((h) => h.endsWith('_median_ms')) && header.includes('num_tokens')) return 'mlp';
  return undefined;
}

/** Any of Vidur's three file kinds, dispatched on the header. */
export function importVidur(text: string, fileName?: string): Measurement[] {
  const kind = vidurFileKind(text);
  if (kind === 'mlp') return importVidurMlp(text, fileName);
  if (kind === 'attention') return importVidurAttention(text, fileName);
  if (kind === 'collectives') return importVidurCollectives(text, fileName);
  throw new GenzError('invalid_input',
    `expected a Vidur profiling CSV (mlp: num_tokens and *_median_ms columns; attention: attn_kernel_median_ms; collectives: collective, size_elems), found header "${text.split('\n')[0]?.trim() ?? ''}"${fileName ? ` (in ${fileName})` : ''}`,
    ['line 1']);
}

interface MlpOp {
  kernel: KernelName;
  shape: Record<string, number>;
  layout?: BlasLayout;
  flops: number;
  bytes: number;
}

/** The ops of one mlp.csv row, by column (fp16 throughout). */
function mlpOps(tokens: number, d: number, ffn: number, heads: number, kvHeads: number): Record<string, MlpOp> {
  const hd = d / heads;
  const gemm = (n: number, k: number): MlpOp => {
    const cost = gemmCost(tokens, n, k, 1, { a: FP16, b: FP16, c: FP16, sharedB: true });
    return { kernel: 'gemm', shape: { m: tokens, n, k, batch: 1 }, layout: 'TN', ...cost };
  };
  const stream = (kernel: 'rmsnorm' | 'silu-mul' | 'rope' | 'add', cols: number, reads: number, extraBytes = 0, extraShape: Record<string, number> = {}): MlpOp => ({
    kernel,
    shape: { rows: tokens, cols, ...extraShape },
    flops: FLOPS_PER_ELEMENT[kernel] * tokens * cols,
    bytes: (reads + 1) * tokens * cols * FP16 + extraBytes,
  });
  const rmsnorm = stream('rmsnorm', d, 1, d * FP16); // + the weight vector
  return {
    emb_median_ms: { kernel: 'embedding', shape: { rows: tokens, cols: d }, flops: 0, bytes: 2 * tokens * d * FP16 }, // gather rows, write them
    input_layernorm_median_ms: rmsnorm,
    attn_pre_proj_median_ms: gemm((heads + 2 * kvHeads) * hd, d),
    attn_rope_median_ms: stream('rope', (heads + kvHeads) * hd, 1, 0, { headDim: hd }),
    attn_post_proj_median_ms: gemm(d, d),
    post_attention_layernorm_median_ms: rmsnorm,
    mlp_up_proj_median_ms: gemm(2 * ffn, d), // gate and up fused
    mlp_act_median_ms: stream('silu-mul', ffn, 2),
    mlp_down_proj_median_ms: gemm(d, ffn),
    add_median_ms: stream('add', d, 2),
  };
}

/** mlp.csv: one measurement per (row, known op column); the variant names the op (e.g. "attn_pre_proj"). */
export function importVidurMlp(text: string, fileName?: string): Measurement[] {
  const table = requireColumns(text, MLP_COLUMNS, 'a Vidur mlp.csv', fileName);
  const problems = new ImportProblems(SOURCE, fileName);
  // Op columns this importer does not know (other models' extra ops) are left out, not guessed.
  const known = mlpOps(1, 1, 1, 1, 1);
  const opColumns = table.header.filter((h) => h.endsWith('_median_ms') && h in known);
  const out: Measurement[] = [];
  for (const record of table.records) {
    const tokens = problems.num(record, 'num_tokens', { positive: true, integer: true });
    const d = problems.num(record, 'n_embd', { positive: true, integer: true });
    const ffn = problems.num(record, 'n_expanded_embd', { positive: true, integer: true });
    const heads = problems.num(record, 'n_head', { positive: true, integer: true });
    const kvHeads = problems.num(record, 'n_kv_head', { positive: true, integer: true });
    const times = opColumns.map((c) => problems.num(record, c, { positive: true }));
    if ([tokens, d, ffn, heads, kvHeads, ...times].some(Number.isNaN)) continue;
    const ops = mlpOps(tokens, d, ffn, heads, kvHeads);
    const dev = device(record.cells.device!.trim());
    opColumns.forEach((column, i) => {
      const op = ops[column]!;
      out.push(measurement({
        source: SOURCE, device: dev, kernel: op.kernel, variant: column.replace(/_median_ms$/, ''), shape: op.shape,
        ...(op.layout === undefined ? {} : { layout: op.layout }), dtype: 'fp16',
        medianS: msToS(times[i]!), flops: op.flops, bytes: op.bytes,
      }));
    });
  }
  problems.throwIfAny();
  return out;
}

function bool(problems: ImportProblems, record: CsvRecord, column: string): boolean | undefined {
  const value = problems.oneOf(record, column, ['True', 'False', 'true', 'false', '1', '0']);
  return value === undefined ? undefined : value === 'True' || value === 'true' || value === '1';
}

/**
 * attention.csv: FlashAttention on one device of a TP group (heads divided by tp). Shape {batch, queryLen, kvLen,
 * heads, kvHeads, headDim}; kvLen is the cache plus the chunk in prefill and the cache in decode (as in the
 * accuracy replay). FLOPs count the causal pairs only (4 per pair per head-dim element); bytes are Q, O, K, V once.
 */
export function importVidurAttention(text: string, fileName?: string, deviceName = 'a100'): Measurement[] {
  const table = requireColumns(text, ATTENTION_COLUMNS, 'a Vidur attention.csv', fileName);
  const problems = new ImportProblems(SOURCE, fileName);
  const dev = device(deviceName);
  const out: Measurement[] = [];
  for (const record of table.records) {
    const prefill = bool(problems, record, 'is_prefill');
    const [d, qHeads, kvHeadsAll, tp, batch, chunk, cache] = (['n_embd', 'n_q_head', 'n_kv_head', 'tp', 'batch_size', 'prefill_chunk_size', 'kv_cache_size'] as const)
      .map((c) => problems.num(record, c, { positive: c !== 'prefill_chunk_size' && c !== 'kv_cache_size', integer: true })) as [number, number, number, number, number, number, number];
    const ms = problems.num(record, 'attn_kernel_median_ms', { positive: true });
    if (prefill === undefined || [d, qHeads, kvHeadsAll, tp, batch, chunk, cache, ms].some(Number.isNaN)) continue;
    const heads = qHeads / tp;
    const kvHeads = Math.max(1, kvHeadsAll / tp);
    const headDim = d / qHeads;
    const queryLen = prefill ? chunk : 1;
    const kvLen = cache + (prefill ? chunk : 0);
    if (queryLen < 1 || kvLen < queryLen) {
      problems.add(record.line, prefill ? 'prefill_chunk_size' : 'kv_cache_size', `expected a prefill chunk of at least 1 and a decode cache of at least 1, found chunk ${chunk}, cache ${cache}`);
      continue;
    }
    const pairs = batch * causalPairs(queryLen, kvLen);
    out.push(measurement({
      source: SOURCE, device: { ...dev, runtime: 'FlashAttention' }, kernel: 'attention-flash', variant: prefill ? 'prefill' : 'decode',
      shape: { batch, queryLen, kvLen, heads, kvHeads, headDim }, dtype: 'fp16', medianS: msToS(ms),
      flops: 4 * pairs * heads * headDim,
      bytes: (2 * batch * queryLen * heads * headDim + 2 * batch * kvLen * kvHeads * headDim) * FP16,
    }));
  }
  problems.throwIfAny();
  return out;
}

/**
 * Collectives: shape {elements, workers, devicesPerNode}, fp16 elements. `bytes` is the message size (2 per
 * element): what a collective model takes; the all-reduce's FLOPs are its reduction adds per rank.
 */
export function importVidurCollectives(text: string, fileName?: string): Measurement[] {
  const table = requireColumns(text, COLLECTIVE_COLUMNS, 'a Vidur collectives CSV', fileName);
  const problems = new ImportProblems(SOURCE, fileName);
  const out: Measurement[] = [];
  for (const record of table.records) {
    const collective = problems.oneOf(record, 'collective', ['all_reduce', 'send_recv']);
    const workers = problems.num(record, 'num_workers', { positive: true, integer: true });
    const perNode = problems.num(record, 'devices_per_node', { positive: true, integer: true });
    const elements = problems.num(record, 'size_elems', { integer: true });
    const ms = problems.num(record, 'median_ms', { positive: true });
    if (collective === undefined || [workers, perNode, elements, ms].some(Number.isNaN)) continue;
    const allReduce = collective === 'all_reduce';
    const network = record.cells.network_device!.trim();
    const system = VIDUR_SYSTEMS[network];
    out.push(measurement({
      source: SOURCE, device: device(network), ...(system === undefined ? {} : { system }), kernel: allReduce ? 'all-reduce' : 'send-recv', variant: 'nccl',
      shape: { elements, workers, devicesPerNode: perNode }, dtype: 'fp16', medianS: msToS(ms),
      flops: allReduce ? (elements * (workers - 1)) / workers : 0, bytes: elements * FP16,
    }));
  }
  problems.throwIfAny();
  return out;
}
