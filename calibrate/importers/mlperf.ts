// MLPerf Inference v4.1, Dell's Llama-2-70B submission on AMD MI300X (mlcommons/inference_results_v4.1, Apache-2.0):
// the hipBLASLt tuning table, columns M,N,K,libtype,solidx,soltimems,indtype,outdtype. soltimems is the measured
// time of the chosen solution. FP8 (e4m3fnuz) inputs, FP16 output. In vLLM's ROCm GEMM tuning M is the weight's
// output features and N the tokens (57344 = 2 × 28672, Llama-2-70B's fused gate and up), so in genz's convention
// (models/ops.ts: m tokens, a k×n weight) m = N and n = M. The layout is torch.nn.Linear's ('TN'): vLLM's tuned
// GEMM replaces F.linear. The file names no device: Dell's is an MI300X (the default); a tuning table of another
// submission names its device through the caller (genz calibrate import mlperf FILE --device ID, a genz preset).
import { GenzError } from '../../common/errors.ts';
import { closestNames } from '../../common/closest.ts';
import { DEVICE_PRESETS } from '../../hardware/presets/index.ts';
import type { Measurement } from '../measurement-schema.ts';
import { DTYPE_BYTES, ImportProblems, gemmCost, measurement, msToS, requireColumns, type ImportOptions } from './table.ts';

const SOURCE = 'mlperf';

const DTYPES: Readonly<Record<string, Measurement['dtype']>> = {
  'torch.float8_e4m3fnuz': 'fp8', 'torch.float8_e4m3fn': 'fp8', 'torch.float8_e5m2fnuz': 'fp8', 'torch.float8_e5m2': 'fp8',
  'torch.float16': 'fp16', 'torch.bfloat16': 'bf16', 'torch.float32': 'fp32', 'torch.int8': 'int8',
};

/** The file carries no device column: every row is the MI300X of Dell's submission unless the caller says otherwise. */
export const MLPERF_DEVICE: Measurement['device'] = { name: 'AMD Instinct MI300X', id: 'mi300x', backend: 'hip' };

/** The device of every row: a genz preset id (its name, and the backend its vendor's libraries run on), else MI300X. */
function mlperfDevice(id: string | undefined): Measurement['device'] {
  if (id === undefined) return MLPERF_DEVICE;
  const preset = DEVICE_PRESETS.find((d) => d.id === id.toLowerCase());
  if (!preset || preset.kind !== 'gpu') {
    const gpus = DEVICE_PRESETS.filter((d) => d.kind === 'gpu').map((d) => d.id);
    throw new GenzError('unknown_id', `--device ${JSON.stringify(id)} is not a genz GPU preset (closest: ${closestNames(id, gpus).join(', ')})`, ['device']);
  }
  return { name: preset.name, id: preset.id, backend: preset.vendor === 'AMD' ? 'hip' : preset.vendor === 'NVIDIA' ? 'cuda' : 'other' };
}

/** Shape {m: N, n: M, k: K, batch: 1}; dtype is the input type; bytes read A and B (input type) and write C (output type). */
export function importMlperf(text: string, fileName?: string, options: ImportOptions & { device?: string } = {}): Measurement[] {
  const device = mlperfDevice(options.device);
  const table = requireColumns(text, ['M', 'N', 'K', 'libtype', 'soltimems', 'indtype', 'outdtype'], 'an MLPerf GEMM tuning CSV', fileName);
  const problems = new ImportProblems(SOURCE, fileName, options);
  const known = Object.keys(DTYPES);
  const out: Measurement[] = [];
  for (const record of table.records) {
    const [m, n, k] = (['M', 'N', 'K'] as const).map((c) => problems.num(record, c, { positive: true, integer: true })) as [number, number, number];
    const ms = problems.num(record, 'soltimems', { positive: true });
    const indtype = problems.oneOf(record, 'indtype', known);
    const outdtype = problems.oneOf(record, 'outdtype', known);
    if (!indtype || !outdtype || [m, n, k, ms].some(Number.isNaN)) continue;
    const inType = DTYPES[indtype]!;
    const outType = DTYPES[outdtype]!;
    const lib = (record.cells.libtype ?? '').trim() || 'unknown';
    out.push(measurement({
      source: SOURCE, device, kernel: 'gemm', variant: `${lib} ${outType}-out`, shape: { m: n, n: m, k, batch: 1 }, layout: 'TN',
      dtype: inType, medianS: msToS(ms), ...gemmCost(n, m, k, 1, { a: DTYPE_BYTES[inType], b: DTYPE_BYTES[inType], c: DTYPE_BYTES[outType], sharedB: true }),
    }));
  }
  problems.throwIfAny();
  return out;
}
