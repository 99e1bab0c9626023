// LLMCompass's real-hardware runs (PrincetonUniversity/LLMCompass, BSD-3-Clause, ae/figure5/*/real_hardware) as
// measurements. Two file kinds, told apart by header:
// - matmul: device,op,M,N,K,latency_ms,tflops — fp16 GEMM (M×K · K×N),
// - softmax/layernorm: device,op,M,N,throughput_GBps — fp16 over an M×N tensor. Despite the column name, the
//   value is G elements/s: LLMCompass's test_softmax.py / test_layernorm.py write M*N/latency/1e9 and the plot
//   axis reads "G Elements/s". So latency = M·N / (value·1e9).
// The A100 is the 80 GB SXM part: LLMCompass models it as device_dict["A100_80GB_fp16"] in a 4-GPU NVLink node
// (configs/GA100.json "NVIDIA A100(80GB)x4"), and the measured layernorm reaches 1.5 TB/s, beyond a 40 GB part.
import { GenzError } from '../../common/errors.ts';
import { FLOPS_PER_ELEMENT } from '../../models/emitter.ts';
import type { Measurement } from '../measurement-schema.ts';
import { DTYPE_BYTES, ImportProblems, gemmCost, measurement, msToS, parseCsvTable, requireColumns, type ImportOptions } from './table.ts';

const SOURCE = 'llmcompass';
const FP16 = DTYPE_BYTES.fp16;

export const LLMCOMPASS_DEVICES: Readonly<Record<string, { id: string; backend: 'cuda' | 'hip' }>> = {
  A100: { id: 'a100-80gb-sxm', backend: 'cuda' },
  MI210: { id: 'mi210', backend: 'hip' },
};

function device(name: string): Measurement['device'] {
  const known = LLMCOMPASS_DEVICES[name];
  return known ? { name, id: known.id, backend: known.backend } : { name, backend: 'other' };
}

export function importLlmcompass(text: string, fileName?: string, options: ImportOptions = {}): Measurement[] {
  const header = parseCsvTable(text.slice(0, text.indexOf('\n') + 1 || text.length)).header;
  if (header.includes('latency_ms') && header.includes('K')) return importLlmcompassMatmul(text, fileName, options);
  if (header.includes('throughput_GBps')) return importLlmcompassRowwise(text, fileName, options);
  throw new GenzError('invalid_input',
    `expected an LLMCompass CSV (device,op,M,N,K,latency_ms,tflops or device,op,M,N,throughput_GBps), found header "${header.join(',')}"${fileName ? ` (in ${fileName})` : ''}`,
    ['line 1']);
}

/** matmul_{A100,MI210}: shape {m, n, k, batch: 1}, fp16 in and out; layout 'NN' (torch.matmul of contiguous A·B). */
export function importLlmcompassMatmul(text: string, fileName?: string, options: ImportOptions = {}): Measurement[] {
  const table = requireColumns(text, ['device', 'op', 'M', 'N', 'K', 'latency_ms'], 'an LLMCompass matmul CSV', fileName);
  const problems = new ImportProblems(SOURCE, fileName, options);
  const out: Measurement[] = [];
  for (const record of table.records) {
    problems.oneOf(record, 'op', ['matmul_fp16']);
    const [m, n, k] = (['M', 'N', 'K'] as const).map((c) => problems.num(record, c, { positive: true, integer: true })) as [number, number, number];
    const ms = problems.num(record, 'latency_ms', { positive: true });
    if ([m, n, k, ms].some(Number.isNaN) || record.cells.op!.trim() !== 'matmul_fp16') continue;
    out.push(measurement({
      source: SOURCE, device: device(record.cells.device!.trim()), kernel: 'gemm', shape: { m, n, k, batch: 1 }, layout: 'NN', dtype: 'fp16',
      medianS: msToS(ms), ...gemmCost(m, n, k, 1, { a: FP16, b: FP16, c: FP16, sharedB: true }),
    }));
  }
  problems.throwIfAny();
  return out;
}

/** softmax / layernorm over rows: shape {rows: M, cols: N}; bytes read and write the tensor once (+ γ, β). */
export function importLlmcompassRowwise(text: string, fileName?: string, options: ImportOptions = {}): Measurement[] {
  const table = requireColumns(text, ['device', 'op', 'M', 'N', 'throughput_GBps'], 'an LLMCompass softmax/layernorm CSV', fileName);
  const problems = new ImportProblems(SOURCE, fileName, options);
  const out: Measurement[] = [];
  for (const record of table.records) {
    const op = problems.oneOf(record, 'op', ['softmax', 'layernorm']);
    const rows = problems.num(record, 'M', { positive: true, integer: true });
    const cols = problems.num(record, 'N', { positive: true, integer: true });
    const gElementsPerS = problems.num(record, 'throughput_GBps', { positive: true });
    if (op === undefined || [rows, cols, gElementsPerS].some(Number.isNaN)) continue;
    const elements = rows * cols;
    out.push(measurement({
      source: SOURCE, device: device(record.cells.device!.trim()), kernel: op, shape: { rows, cols }, dtype: 'fp16',
      medianS: elements / (gElementsPerS * 1e9), flops: FLOPS_PER_ELEMENT[op] * elements,
      bytes: (2 * elements + (op === 'layernorm' ? 2 * cols : 0)) * FP16,
    }));
  }
  problems.throwIfAny();
  return out;
}
