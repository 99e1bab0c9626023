// T-MAC's end-to-end decode runs (microsoft/T-MAC, MIT; assets/e2e_threads.zip, concatenated in
// data/tmac_lut_cpu_tokens_per_s_jetson_surface7.csv): tokens/s of token generation on a CPU against the threads used,
// for T-MAC's LUT kernels and llama.cpp's dequantizing ones, on BitNet b1.58 3B and Llama-2-7B at 2 and 4 bits; mean
// and standard deviation of the runs. genz prices one decode step of one sequence at a short context on the device's
// CPU preset with that many threads and that kernel family, and compares time per token (1 / tokens/s).
// The weight formats are those T-MAC compares (its docs/profiling_data.md): T-MAC 2-bit against llama.cpp Q2_K for
// BitNet and Llama-2-7B W2, T-MAC 4-bit against Q4_0 for W4; T-MAC's Llama-2 weights are GPTQ (EfficientQAT) with a
// scale per 128 weights, BitNet's one scale per tensor. The LM head stays 16-bit in all of them (genz's default; llama.cpp
// writes it as Q6_K: genz counts 4–8 % more bytes per step than its files hold, which the fitted bandwidths absorb).
import { GenzError, estimateResolved, resolveInputs, type EstimateRequest, type LowBitKernel, type LowBitKernelCost } from '../../index.ts';
import { parseCsvTable } from '../importers/table.ts';
import { positive } from './csv.ts';
import type { Sample } from './error-stats.ts';

/** T-MAC's device folder names → genz CPU presets (case-insensitive). */
export const TMAC_DEVICES: Readonly<Record<string, string>> = {
  jetson: 'jetson-agx-orin-cpu',
  surface7: 'snapdragon-x-elite',
  m2: 'apple-m2-ultra',
  'm2-ultra': 'apple-m2-ultra',
};

/** T-MAC's framework names → the low-bit kernel family genz prices them with. */
export const TMAC_FRAMEWORKS: Readonly<Record<string, LowBitKernel>> = { tmac: 'lut', llamacpp: 'dequant' };

/** Model and weight format of each (model, kernel) pair: bits per weight and weights per 16-bit scale. */
interface Format { model: string; wbits: number; groupSize: number; format: string }
const NO_GROUPS = 1_000_000; // one scale per tensor: a negligible share of the bits
/**
 * llama.cpp's Q2_K files mix tensor types (Q2_K blocks of 2.625 bits, Q3_K/Q4_K for some projections): Llama-2-7B's Q2_K
 * GGUF is 2.83 GB for 6.74 B parameters (TheBloke/Llama-2-7B-GGUF), 3.35 bits per weight over the whole model.
 */
const Q2_K_MIX_BITS = 3.35;

export const TMAC_MODELS: Readonly<Record<string, Readonly<Record<LowBitKernel, Format>>>> = {
  bitnet: {
    lut: { model: 'bitnet-b1.58-3b', wbits: 2, groupSize: NO_GROUPS, format: 'ternary as 2-bit, a scale per tensor' },
    dequant: { model: 'bitnet-b1.58-3b', wbits: Q2_K_MIX_BITS, groupSize: NO_GROUPS, format: 'llama.cpp Q2_K mix (3.35 bits per weight)' },
  },
  'llama-2-7b-w2': {
    lut: { model: 'llama-2-7b', wbits: 2, groupSize: 128, format: 'GPTQ 2-bit, a scale per 128 weights' },
    dequant: { model: 'llama-2-7b', wbits: Q2_K_MIX_BITS, groupSize: NO_GROUPS, format: 'llama.cpp Q2_K mix (3.35 bits per weight)' },
  },
  'llama-2-7b-w4': {
    lut: { model: 'llama-2-7b', wbits: 4, groupSize: 128, format: 'GPTQ 4-bit, a scale per 128 weights' },
    // Q4_0: blocks of 32 4-bit weights and one fp16 scale = 4.5 bits.
    dequant: { model: 'llama-2-7b', wbits: 4, groupSize: 32, format: 'Q4_0 (4.5 bits per weight)' },
  },
};

/** A run whose standard deviation exceeds this share of its mean is too unstable to score. */
export const TMAC_MAX_RELATIVE_SPREAD = 0.1;
/** Tokens generated after a one-token prompt: the decode steps genz averages (T-MAC's runs generate a short text). */
const DECODE_TOKENS = 128;

export interface TmacRow {
  index: number;
  device: string;
  hardware: string;
  model: string;
  framework: string;
  kernel: LowBitKernel;
  threads: number;
  tokensPerS: number;
}

const COLUMNS = ['device', 'model', 'framework', 'num_threads', 'mean', 'std'] as const;

/** The rows genz can run, and the others with the reason. */
export function readTmac(csv: string): { rows: TmacRow[]; skipped: { index: number; line: number; reason: string }[] } {
  const table = parseCsvTable(csv);
  const missing = COLUMNS.filter((c) => !table.header.includes(c));
  if (missing.length > 0) throw new GenzError('invalid_input', `not a T-MAC tokens/s CSV: no column ${missing.join(', ')}`, ['file']);
  const skipped: { index: number; line: number; reason: string }[] = [];
  const rows = table.records.flatMap((record, index): TmacRow[] => {
    const skip = (reason: string): [] => { skipped.push({ index, line: record.line, reason }); return []; };
    if (record.width !== table.header.length) return skip(`${record.width} cells where the header has ${table.header.length}`);
    const cell = (c: (typeof COLUMNS)[number]): string => record.cells[c]!.trim();
    if (cell('device') === 'device') return skip('a repeated header row (files concatenated with their headers)');
    const device = cell('device').toLowerCase();
    const model = cell('model').toLowerCase();
    const framework = cell('framework').toLowerCase();
    if (!Object.hasOwn(TMAC_DEVICES, device)) return skip(`no genz CPU preset for device "${cell('device')}"`);
    if (!Object.hasOwn(TMAC_FRAMEWORKS, framework)) return skip(`framework "${cell('framework')}" (T-MAC writes tmac or llamacpp)`);
    if (!Object.hasOwn(TMAC_MODELS, model)) return skip(`no genz model for "${cell('model')}"`);
    const threads = positive(cell('num_threads'), true);
    const mean = positive(cell('mean'), false);
    const std = cell('std') === '' ? 0 : Number(cell('std'));
    if (threads === undefined || mean === undefined || !Number.isFinite(std) || std < 0) {
      return skip('threads that are not a positive whole number, or a rate that is not a positive number');
    }
    if (std > TMAC_MAX_RELATIVE_SPREAD * mean) return skip(`an unstable run (standard deviation over ${TMAC_MAX_RELATIVE_SPREAD * 100} % of the mean)`);
    const kernel = TMAC_FRAMEWORKS[framework]!;
    return [{ index, device, hardware: TMAC_DEVICES[device]!, model, framework, kernel, threads, tokensPerS: mean }];
  });
  return { rows, skipped };
}

/** The estimate request of one row. */
export function tmacRequest(row: TmacRow): EstimateRequest {
  const format = TMAC_MODELS[row.model]![row.kernel];
  return {
    model: format.model, hardware: row.hardware, batch: 1, inputTokens: 1, outputTokens: DECODE_TOKENS, dtype: 'fp16',
    wbits: format.wbits, groupSize: format.groupSize, threads: row.threads, lowBitKernel: row.kernel,
  };
}

/**
 * Seconds per generated token genz predicts for `row` (its mean decode step). `hardware` replaces the preset (a fit's
 * trial device spec); `lowBitCosts` the shipped kernel work per weight.
 */
export function tmacPredictedS(row: TmacRow, options: { hardware?: Record<string, unknown>; lowBitCosts?: Readonly<Record<LowBitKernel, LowBitKernelCost>> } = {}): number {
  const inputs = resolveInputs({ ...tmacRequest(row), ...(options.hardware ? { hardware: options.hardware } : {}) });
  return estimateResolved(options.lowBitCosts ? { ...inputs, lowBitCosts: options.lowBitCosts } : inputs).tpotS;
}

/** Samples grouped by device and framework. */
export function tmacSamples(rows: readonly TmacRow[]): Sample[] {
  return rows.map((row) => ({ group: `${row.hardware} ${row.framework}`, predictedS: tmacPredictedS(row), measuredS: 1 / row.tokensPerS }));
}
