// DeepBench's dense GEMM results (baidu-research/DeepBench, Apache-2.0; results/{train,inference}/*.xlsx rows as CSV):
// device,suite,sheet,precision,application,M,N,K,A_transpose,B_transpose,time_ms,tflops. C (M×N) = op(A) (M×K) ·
// op(B) (K×N) in cuBLAS's column-major terms, A the weights (M = output features) and N the batch of inputs. In
// genz's convention (models/ops.ts: m tokens, a k×n weight) that is m = N, n = M, k = K, and the transposes
// A_transpose, B_transpose are the layout (weight, activations) of the same call; they are also the variant
// ("NN", "TN", "NT"). That reading holds for the forward (inference) GEMMs; DeepBench's training sheets also time
// backward GEMMs in NT/TN, where K is the batch, so the layout feature partly stands for "a backward shape" there.
// Precision column → dtype (the input type):
// - "Float" → fp32,
// - "16 bit inputs, 16 bit multiplication, 32 bit addition" (V100, T4 mixed) → fp16,
// - "16 bit inputs, 32 bit multiplication, 32 bit addition" (P100 "pseudo FP16") → fp16, variant "… fp32-math",
// - "… Int8 multiplication, 32 bit accumulation" (T4 inference) → int8 with an int32 output (DeepBench's
//   int8 GEMM writes 32-bit results), the rest write C in the input type.
import type { BlasLayout } from '../../models/ops.ts';
import type { Measurement } from '../measurement-schema.ts';
import { DTYPE_BYTES, ImportProblems, gemmCost, measurement, msToS, requireColumns, type CsvRecord, type ImportOptions } from './table.ts';

const SOURCE = 'deepbench';

/**
 * DeepBench's device names → genz presets (none for P100 and MI25; which V100 board DeepBench used is not stated)
 * and SM/CU counts (vendor whitepapers: GV100 80 SMs, TU104 in T4 40, GP100 56, Vega 10 in MI25 64 CUs), which the
 * calibration's wave-quantization feature needs.
 */
export const DEEPBENCH_DEVICES: Readonly<Record<string, { id?: string; backend: 'cuda' | 'hip'; computeUnits: number }>> = {
  'NVIDIA V100': { id: 'v100', backend: 'cuda', computeUnits: 80 },
  'NVIDIA T4': { id: 't4', backend: 'cuda', computeUnits: 40 },
  'NVIDIA P100': { backend: 'cuda', computeUnits: 56 },
  'AMD MI25': { backend: 'hip', computeUnits: 64 },
};

function device(name: string): Measurement['device'] {
  const known = DEEPBENCH_DEVICES[name];
  if (!known) return { name, backend: name.startsWith('AMD') ? 'hip' : name.startsWith('NVIDIA') ? 'cuda' : 'other' };
  return { name, ...(known.id ? { id: known.id } : {}), backend: known.backend, computeUnits: known.computeUnits };
}

interface Precision {
  dtype: Measurement['dtype'];
  outBytes: number;
  note?: string;
}

/**
 * The input type of a row, from its precision text (the four wordings above), else from other wordings of the same
 * facts (DeepBench's sheets for other devices are worded by hand: "Int8 inputs …", "FP16 …", "32 bit …"), else from
 * the sheet's name ("Results FP32"); a row none of them types is reported.
 */
function precisionOf(problems: ImportProblems, record: CsvRecord): Precision | undefined {
  const text = (record.cells.precision ?? '').trim().toLowerCase();
  if (text === 'float') return { dtype: 'fp32', outBytes: 4 };
  if (text.includes('int8 multiplication')) return { dtype: 'int8', outBytes: 4, note: 'int32-out' };
  if (text.startsWith('16 bit inputs, 16 bit multiplication')) return { dtype: 'fp16', outBytes: 2 };
  if (text.startsWith('16 bit inputs, 32 bit multiplication')) return { dtype: 'fp16', outBytes: 2, note: 'fp32-math' };
  const typed = (words: string): Precision | undefined => {
    if (/\bint ?8\b|\b8[ -]bit\b/.test(words)) return { dtype: 'int8', outBytes: 4, note: 'int32-out' };
    if (/\b(fp|float) ?16\b|\bhalf\b|\b16[ -]bit\b/.test(words)) return { dtype: 'fp16', outBytes: 2 };
    if (/\b(fp|float) ?32\b|\bfloat\b|\bsingle\b|\b32[ -]bit\b/.test(words)) return { dtype: 'fp32', outBytes: 4 };
    return undefined;
  };
  const typedBy = typed(text) ?? typed((record.cells.sheet ?? '').trim().toLowerCase());
  if (typedBy) return typedBy;
  problems.add(record.line, 'precision', `expected a DeepBench precision ("Float", "16 bit inputs, 16|32 bit multiplication, …", "… Int8 multiplication …", or a sheet named for its type), found ${JSON.stringify(record.cells.precision ?? '')}`);
  return undefined;
}

/** Shape {m: N, n: M, k: K, batch: 1} (genz's m is DeepBench's batch N); FLOPs 2·M·N·K; bytes read A and B and write C once. */
export function importDeepbench(text: string, fileName?: string, options: ImportOptions = {}): Measurement[] {
  const table = requireColumns(text, ['device', 'precision', 'M', 'N', 'K', 'A_transpose', 'B_transpose', 'time_ms'], 'a DeepBench GEMM CSV', fileName);
  const problems = new ImportProblems(SOURCE, fileName, options);
  const out: Measurement[] = [];
  for (const record of table.records) {
    const precision = precisionOf(problems, record);
    const [m, n, k] = (['M', 'N', 'K'] as const).map((c) => problems.num(record, c, { positive: true, integer: true })) as [number, number, number];
    const ta = problems.oneOf(record, 'A_transpose', ['N', 'T']);
    const tb = problems.oneOf(record, 'B_transpose', ['N', 'T']);
    const ms = problems.num(record, 'time_ms', { positive: true });
    if (!precision || !ta || !tb || [m, n, k, ms].some(Number.isNaN)) continue;
    const inBytes = DTYPE_BYTES[precision.dtype];
    out.push(measurement({
      source: SOURCE, device: device(record.cells.device!.trim()), kernel: 'gemm', variant: precision.note ? `${ta}${tb} ${precision.note}` : `${ta}${tb}`,
      shape: { m: n, n: m, k, batch: 1 }, layout: `${ta}${tb}` as BlasLayout, dtype: precision.dtype, medianS: msToS(ms),
      ...gemmCost(n, m, k, 1, { a: inBytes, b: inBytes, c: precision.outBytes, sharedB: true }),
    }));
  }
  problems.throwIfAny();
  return out;
}
