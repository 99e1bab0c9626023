// NeuSight's training set (sitar-lab/NeuSight, MIT): FP32 torch.nn.Linear and torch.bmm times, PyTorch 2.1 with
// CUDA 12.1, columns device,op,B,M,N,K,latency_ms. linear is (B×M×K) · (K×N) with one shared weight → gemm with
// batch B; bmm is B independent (M×K) · (K×N) → batched-gemm. The project ships a stratified subsample
// (data/neusight_linear_bmm_fp32_subsample.csv, made by subsample-neusight.ts); the importer takes either.
import type { Measurement } from '../measurement-schema.ts';
import { DTYPE_BYTES, ImportProblems, gemmCost, measurement, msToS, requireColumns } from './table.ts';

const SOURCE = 'neusight';
const FP32 = DTYPE_BYTES.fp32;

/**
 * The devices of NeuSight's training set: SM count and clock from its device configs (data/neusight_device_configs.json,
 * checked by a test) and the genz preset where one is close. No preset is the exact card:
 * - A100-PCIE-40GB → a100-40gb-sxm: same GA100 die (108 SMs, 1410 MHz boost), 40 GB HBM2 at 1555 GB/s; the PCIe
 *   card's 250 W cap (400 W on SXM) lowers sustained clocks under heavy load.
 * - V100-PCIE-32GB → v100 (the SXM2 preset): same 80 SMs and 900 GB/s, but a 1380 MHz boost (NeuSight: 1370) vs
 *   1530 MHz and 250 W vs 300 W, so about 10% lower peak FLOP/s than the preset.
 * - T4 → t4. P100-PCIE-16GB and P4 have no preset: id left unset.
 */
export const NEUSIGHT_DEVICES: Readonly<Record<string, { id?: string; computeUnits: number; clockHz: number }>> = {
  'NVIDIA A100-PCIE-40GB': { id: 'a100-40gb-sxm', computeUnits: 108, clockHz: 1410e6 },
  'Tesla V100-PCIE-32GB': { id: 'v100', computeUnits: 80, clockHz: 1370e6 },
  'Tesla T4': { id: 't4', computeUnits: 40, clockHz: 1590e6 },
  'Tesla P100-PCIE-16GB': { computeUnits: 56, clockHz: 1380e6 },
  'Tesla P4': { computeUnits: 40, clockHz: 1113e6 },
};

const RUNTIME = 'PyTorch 2.1, CUDA 12.1';

function device(name: string): Measurement['device'] {
  const known = NEUSIGHT_DEVICES[name];
  if (!known) return { name, backend: 'cuda', runtime: RUNTIME };
  return { name, ...(known.id ? { id: known.id } : {}), backend: 'cuda', computeUnits: known.computeUnits, clockHz: known.clockHz, runtime: RUNTIME };
}

/** Shape {batch: B, m: M, n: N, k: K}; fp32 throughout; bytes read A and B once and write C once. */
export function importNeusight(text: string, fileName?: string): Measurement[] {
  const table = requireColumns(text, ['device', 'op', 'B', 'M', 'N', 'K', 'latency_ms'], 'a NeuSight linear/bmm CSV', fileName);
  const problems = new ImportProblems(SOURCE, fileName);
  const devices = new Map<string, Measurement['device']>();
  const out: Measurement[] = [];
  for (const record of table.records) {
    const op = problems.oneOf(record, 'op', ['linear', 'bmm']);
    const [batch, m, n, k] = (['B', 'M', 'N', 'K'] as const).map((c) => problems.num(record, c, { positive: true, integer: true })) as [number, number, number, number];
    const ms = problems.num(record, 'latency_ms', { positive: true });
    if (op === undefined || [batch, m, n, k, ms].some(Number.isNaN)) continue;
    const name = record.cells.device!.trim();
    let dev = devices.get(name);
    if (!dev) devices.set(name, (dev = device(name)));
    out.push(measurement({
      source: SOURCE, device: dev, kernel: op === 'linear' ? 'gemm' : 'batched-gemm', variant: op === 'linear' ? 'torch.nn.Linear' : 'torch.bmm',
      shape: { batch, m, n, k }, dtype: 'fp32', medianS: msToS(ms),
      ...gemmCost(m, n, k, batch, { a: FP32, b: FP32, c: FP32, sharedB: op === 'linear' }),
    }));
  }
  problems.throwIfAny();
  return out;
}
