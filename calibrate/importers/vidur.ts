// Vidur's profiling data (microsoft/vidur, MIT) as measurements. Three file kinds, told apart by header:
// - mlp.csv: fp16 per-op median ms of Llama-style layers vs token count (one row → one measurement per op column),
//   each GEMM sharded as Megatron/Sarathi tensor parallelism does where the file has a tp column,
// - attention.csv: FlashAttention prefill/decode median ms,
// - collectives (all_reduce / send_recv): NCCL median ms vs fp16 element count.
// Both the columns of ../shared/data's extracts (`<op>_median_ms`, tp, size_elems, device/network_device) and those
// of Vidur's own files (`time_stats.<op>.median`, num_tensor_parallel_workers, size; the device is their folder) are
// read. A file that does not name its device takes it from the caller, or from a Vidur device folder name in its
// path (…/compute/h100/…, vidur_attention_a100_…csv); otherwise it is an error, not a guess.
// The op shapes follow calibrate/accuracy/vidur.ts, so imported rows and the accuracy replay agree.
import { GenzError } from '../../common/errors.ts';
import { FLOPS_PER_ELEMENT } from '../../models/emitter.ts';
import type { BlasLayout } from '../../models/ops.ts';
import { causalPairs } from '../../simulator/work.ts';
import type { KernelName, Measurement } from '../measurement-schema.ts';
import { DTYPE_BYTES, ImportProblems, leaveOut, gemmCost, measurement, msToS, parseCsvTable, requireColumns, type CsvRecord, type ImportOptions } from './table.ts';

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

/** What a caller may say about a Vidur file that its columns do not. */
export interface VidurImportOptions extends ImportOptions {
  /** The device (or network) folder name of a file without a device column: a100, h100, a40, h100_dgx … */
  device?: string;
}

/**
 * The device folder a file without a device column was measured on: the caller's (a Vidur folder name), else the
 * nearest folder of its path that is one (…/compute/h100/…/mlp.csv, …/network/h100_dgx/all_reduce.csv), else a whole
 * `_`/`-`/`.`-separated token of the file's own name (vidur_attention_a100_…csv; the longest name that fits).
 */
function fileDevice(options: VidurImportOptions, fileName: string | undefined, what: string): string {
  const names = Object.keys(VIDUR_DEVICES).sort((a, b) => b.length - a.length);
  if (options.device !== undefined) {
    if (!(options.device in VIDUR_DEVICES)) {
      throw new GenzError('invalid_input', `unknown Vidur device "${options.device}"; expected one of ${names.join(', ')}`, ['device']);
    }
    return options.device;
  }
  const segments = (fileName ?? '').split(/[\\/]/);
  const base = segments.pop() ?? '';
  for (const folder of segments.reverse()) if (folder in VIDUR_DEVICES) return folder;
  const token = names.find((name) => new RegExp(`(^|[_.-])${name}([_.-]|$)`).test(base));
  if (token !== undefined) return token;
  throw new GenzError('invalid_input',
    `${what} has no device column and its path names no Vidur device (${names.join(', ')}): give the device (genz calibrate import vidur FILE --device NAME)${fileName ? ` (in ${fileName})` : ''}`,
    ['device']);
}

/**
 * The device folder of every row of a file without `column`; undefined where the column names each row's (then a
 * caller's --device is a mistake, not a default).
 */
function wholeFileDevice(header: readonly string[], column: string, options: VidurImportOptions, fileName: string | undefined, what: string): string | undefined {
  if (!header.includes(column)) return fileDevice(options, fileName, what);
  if (options.device !== undefined) {
    throw new GenzError('invalid_input', `--device ${options.device} given, but the file names its devices (its ${column} column)${fileName ? ` (in ${fileName})` : ''}`, ['device']);
  }
  return undefined;
}

/**
 * The header of Vidur's own files renamed to the extracts' (`time_stats.mlp_up_proj.median` → `mlp_up_proj_median_ms`,
 * num_tensor_parallel_workers → tp; a collective's `time_stats.all_reduce.median` → median_ms, size → size_elems).
 */
function normalizeHeader(text: string): string {
  const end = text.indexOf('\n');
  const first = end < 0 ? text : text.slice(0, end);
  const names = first.replace(/\r$/, '').split(',');
  if (!names.some((n) => /^time_stats\..+\.median$/.test(n) || n === 'num_tensor_parallel_workers')) return text;
  const collective = names.includes('collective');
  const renamed = names.map((n) => {
    const stat = /^time_stats\.(.+)\.median$/.exec(n);
    if (stat) return collective ? 'median_ms' : `${stat[1]}_median_ms`;
    if (n === 'num_tensor_parallel_workers') return 'tp';
    if (collective && n === 'size') return 'size_elems';
    return n;
  });
  return renamed.join(',') + (end < 0 ? '' : text.slice(end));
}

const MLP_COLUMNS = ['num_tokens', 'n_embd', 'n_expanded_embd', 'n_head', 'n_kv_head'] as const;
const ATTENTION_COLUMNS = ['n_embd', 'n_q_head', 'n_kv_head', 'tp', 'is_prefill', 'batch_size', 'prefill_chunk_size', 'kv_cache_size'] as const;
/** An attention file's time: one column (the extracts), or Vidur's two, one filled per row. */
const ATTENTION_TIMES = ['attn_kernel_median_ms', 'attn_prefill_median_ms', 'attn_decode_median_ms'] as const;
const COLLECTIVE_COLUMNS = ['collective', 'num_workers', 'devices_per_node', 'size_elems', 'median_ms'] as const;

/** Which Vidur file this is, from its header. */
export function vidurFileKind(text: string): 'mlp' | 'attention' | 'collectives' | undefined {
  const header = parseCsvTable(normalizeHeader(text.slice(0, text.indexOf('\n') + 1 || text.length))).header;
  if (ATTENTION_TIMES.some((c) => header.includes(c))) return 'attention';
  if (header.includes('collective') && header.includes('size_elems')) return 'collectives';
  if (header.some((h) => h.endsWith('_median_ms')) && header.includes('num_tokens')) return 'mlp';
  return undefined;
}

/** Any of Vidur's three file kinds, dispatched on the header. */
export function importVidur(text: string, fileName?: string, options: VidurImportOptions = {}): Measurement[] {
  const kind = vidurFileKind(text);
  if (kind === 'mlp') return importVidurMlp(text, fileName, options);
  if (kind === 'attention') return importVidurAttention(text, fileName, options);
  if (kind === 'collectives') return importVidurCollectives(text, fileName, options);
  throw new GenzError('invalid_input',
    `expected a Vidur profiling CSV (mlp: num_tokens and *_median_ms or time_stats.*.median columns; attention: attn_kernel_median_ms or time_stats.attn_prefill/attn_decode.median; collectives: collective, size_elems or size), found header "${text.split('\n')[0]?.trim() ?? ''}"${fileName ? ` (in ${fileName})` : ''}`,
    ['line 1']);
}

interface MlpOp {
  kernel: KernelName;
  shape: Record<string, number>;
  layout?: BlasLayout;
  flops: number;
  bytes: number;
}

/**
 * The ops of one mlp.csv row on one of `tp` ranks, by column (fp16 throughout): QKV, gate/up column-parallel (their
 * outputs split), the attention output and down projections row-parallel (their inputs split); RoPE and the
 * activation run on the rank's share; norms, the residual add and the embedding's output are whole.
 */
function mlpOps(tokens: number, d: number, ffnAll: number, headsAll: number, kvHeadsAll: number, tp = 1, gated = true): Record<string, MlpOp> {
  const hd = d / headsAll;
  const heads = headsAll / tp;
  const kvHeads = Math.max(1, kvHeadsAll / tp);
  const ffn = ffnAll / tp;
  const gemm = (n: number, k: number): MlpOp => {
    const cost = gemmCost(tokens, n, k, 1, { a: FP16, b: FP16, c: FP16, sharedB: true });
    return { kernel: 'gemm', shape: { m: tokens, n, k, batch: 1 }, layout: 'TN', ...cost };
  };
  const stream = (kernel: 'rmsnorm' | 'silu-mul' | 'gelu' | 'rope' | 'add', cols: number, reads: number, extraBytes = 0, extraShape: Record<string, number> = {}): MlpOp => ({
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
    attn_post_proj_median_ms: gemm(d, heads * hd),
    post_attention_layernorm_median_ms: rmsnorm,
    // Gated MLPs fuse gate and up (SiLU(gate) · up); Vidur's use_gated_mlp False (phi-2) is one up projection and GELU.
    // The file does not say which norm ran: both are read as RMSNorm (phi-2's LayerNorm is the same family, norm).
    mlp_up_proj_median_ms: gemm((gated ? 2 : 1) * ffn, d),
    mlp_act_median_ms: gated ? stream('silu-mul', ffn, 2) : stream('gelu', ffn, 1),
    mlp_down_proj_median_ms: gemm(d, ffn),
    add_median_ms: stream('add', d, 2),
  };
}

/** mlp.csv: one measurement per (row, known op column); the variant names the op (e.g. "attn_pre_proj"). */
export function importVidurMlp(text: string, fileName?: string, options: VidurImportOptions = {}): Measurement[] {
  const table = requireColumns(normalizeHeader(text), MLP_COLUMNS, 'a Vidur mlp.csv', fileName);
  const problems = new ImportProblems(SOURCE, fileName, options);
  const folder = wholeFileDevice(table.header, 'device', options, fileName, 'a Vidur mlp.csv');
  const fixed = folder === undefined ? undefined : device(folder);
  const hasTp = table.header.includes('tp');
  // Op columns this importer does not know (other models' extra ops) are left out, not guessed.
  const known = mlpOps(1, 1, 1, 1, 1);
  const opColumns = table.header.filter((h) => h.endsWith('_median_ms') && h in known);
  for (const column of table.header.filter((h) => h.endsWith('_median_ms') && !(h in known))) leaveOut(options, `column ${column}: an op genz does not map (its times are not imported)`);
  const out: Measurement[] = [];
  for (const record of table.records) {
    const tokens = problems.num(record, 'num_tokens', { positive: true, integer: true });
    const d = problems.num(record, 'n_embd', { positive: true, integer: true });
    const ffn = problems.num(record, 'n_expanded_embd', { positive: true, integer: true });
    const heads = problems.num(record, 'n_head', { positive: true, integer: true });
    const kvHeads = problems.num(record, 'n_kv_head', { positive: true, integer: true });
    const tp = hasTp ? problems.num(record, 'tp', { positive: true, integer: true }) : 1;
    const times = opColumns.map((c) => problems.num(record, c, { positive: true }));
    if ([tokens, d, ffn, heads, kvHeads, tp, ...times].some(Number.isNaN)) continue;
    if (heads % tp !== 0 || ffn % tp !== 0 || (kvHeads >= tp ? kvHeads % tp : tp % kvHeads) !== 0) {
      problems.add(record.line, 'tp', `expected tp to divide the ${heads} heads, the ${ffn} FFN width and the ${kvHeads} KV heads (or they it), found ${tp}`);
      continue;
    }
    const gated = table.header.includes('use_gated_mlp') ? bool(problems, record, 'use_gated_mlp') : true;
    if (gated === undefined) continue;
    const ops = mlpOps(tokens, d, ffn, heads, kvHeads, tp, gated);
    const dev = fixed ?? device(record.cells.device!.trim());
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
export function importVidurAttention(text: string, fileName?: string, options: VidurImportOptions = {}): Measurement[] {
  const table = requireColumns(normalizeHeader(text), ATTENTION_COLUMNS, 'a Vidur attention.csv', fileName);
  const problems = new ImportProblems(SOURCE, fileName, options);
  const folder = wholeFileDevice(table.header, 'device', options, fileName, 'a Vidur attention.csv');
  const fixed = folder === undefined ? undefined : device(folder);
  const single = table.header.includes('attn_kernel_median_ms');
  if (!single && !(table.header.includes('attn_prefill_median_ms') && table.header.includes('attn_decode_median_ms'))) {
    throw new GenzError('invalid_input', `expected a Vidur attention.csv with attn_kernel_median_ms, or both time_stats.attn_prefill.median and time_stats.attn_decode.median${fileName ? ` (in ${fileName})` : ''}`, ['line 1']);
  }
  const out: Measurement[] = [];
  const backendColumn = table.header.includes('attention_backend');
  for (const record of table.records) {
    // Vidur's own attention.csv also times other backends (FlashInfer …); the extracts keep FlashAttention, as here.
    const backend = (record.cells.attention_backend ?? '').trim();
    if (backendColumn && !/FLASH_ATTENTION$/i.test(backend)) {
      leaveOut(options, `rows of attention backend ${backend || '(empty)'}: the attention curves model FlashAttention`);
      continue;
    }
    const prefill = bool(problems, record, 'is_prefill');
    const [d, qHeads, kvHeadsAll, tp, batch, chunk, cache] = (['n_embd', 'n_q_head', 'n_kv_head', 'tp', 'batch_size', 'prefill_chunk_size', 'kv_cache_size'] as const)
      .map((c) => problems.num(record, c, { positive: c !== 'prefill_chunk_size' && c !== 'kv_cache_size', integer: true })) as [number, number, number, number, number, number, number];
    const ms = problems.num(record, single ? 'attn_kernel_median_ms' : prefill ? 'attn_prefill_median_ms' : 'attn_decode_median_ms', { positive: true });
    const rowDevice = fixed ?? device(record.cells.device!.trim());
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
      source: SOURCE, device: { ...rowDevice, runtime: 'FlashAttention' }, kernel: 'attention-flash', variant: prefill ? 'prefill' : 'decode',
      shape: { batch, queryLen, kvLen, heads, kvHeads, headDim }, dtype: 'fp16', medianS: msToS(ms),
      flops: 4 * pairs * heads * headDim,
      bytes: (2 * batch * queryLen * heads * headDim + 2 * batch * kvLen * kvHeads * headDim) * FP16,
    }));
  }
  problems.throwIfAny();
  return out;
}

/**
 * Collectives: shape {elements, workers, devicesPerNode}, fp16 elements. Vidur writes its `size` column (size_elems
 * in the extracts) in bytes: the buffer is `size` fp16 elements and the row records `size * 2  # bytes`
 * (vidur/profiling/collectives/collectives_wrapper.py, collectives_impl.py), whatever the extract's column name says.
 * So `bytes` is that column (the message size a collective model takes) and elements half of it; the all-reduce's
 * FLOPs are its reduction adds per rank. (Before 2026-11-26 the column was read as elements: every message twice its
 * size, which made NCCL look faster than the links' spec rate.)
 */
export function importVidurCollectives(text: string, fileName?: string, options: VidurImportOptions = {}): Measurement[] {
  const table = requireColumns(normalizeHeader(text), COLLECTIVE_COLUMNS, 'a Vidur collectives CSV', fileName);
  const problems = new ImportProblems(SOURCE, fileName, options);
  const fixed = wholeFileDevice(table.header, 'network_device', options, fileName, 'a Vidur collectives CSV');
  const out: Measurement[] = [];
  for (const record of table.records) {
    const collective = problems.oneOf(record, 'collective', ['all_reduce', 'send_recv']);
    const workers = problems.num(record, 'num_workers', { positive: true, integer: true });
    const perNode = problems.num(record, 'devices_per_node', { positive: true, integer: true });
    const sizeBytes = problems.num(record, 'size_elems', { integer: true });
    const ms = problems.num(record, 'median_ms', { positive: true });
    if (collective === undefined || [workers, perNode, sizeBytes, ms].some(Number.isNaN)) continue;
    const elements = sizeBytes / FP16;
    const allReduce = collective === 'all_reduce';
    const network = fixed ?? record.cells.network_device!.trim();
    const system = VIDUR_SYSTEMS[network];
    out.push(measurement({
      source: SOURCE, device: device(network), ...(system === undefined ? {} : { system }), kernel: allReduce ? 'all-reduce' : 'send-recv', variant: 'nccl',
      shape: { elements, workers, devicesPerNode: perNode }, dtype: 'fp16', medianS: msToS(ms),
      flops: allReduce ? (elements * (workers - 1)) / workers : 0, bytes: sizeBytes,
    }));
  }
  problems.throwIfAny();
  return out;
}
