// NeuSight's training set (sitar-lab/NeuSight, MIT): FP32 torch.nn.Linear and torch.bmm times, PyTorch 2.1 with
// CUDA 12.1, columns device,op,B,M,N,K,latency_ms. linear is (B×M×K) · (K×N) with one shared weight → gemm with
// batch B; bmm is B independent (M×K) · (K×N) → batched-gemm. The project ships a stratified subsample
// (data/neusight_linear_bmm_fp32_subsample.csv, made by subsample-neusight.ts); the importer takes either.
import type { Measurement } from '../measurement-schema.ts';
import { DTYPE_BYTES, ImportProblems, gemmCost, measurement, msToS, requireColumns, type ImportOptions } from './table.ts';

const SOURCE = 'neusight';
const FP32 = DTYPE_BYTES.fp32;

/**
 * The devices of NeuSight's device configs (data/neusight_device_configs.json, checked by a test): the five of its
 * training set in data/, and the four more it lists (A100 SXM4 40 GB, A100 80 GB PCIe, H100, L4), whose rows a file of
 * the same source may bring. SM count, clock and memory (Dev_Mem, GB) from the configs. None is mapped to a genz preset, so each gets a
 * calibration profile of its own (calibrate fit infers its spec from the best achieved rates):
 * - NeuSight times torch.nn.Linear / torch.bmm calls, PyTorch dispatch included (≈ 35–65 µs for the smallest ops),
 *   where DeepBench times the cuBLAS call: fitting both into one T4 curve doubled its held-out p90.
 * - A100-PCIE-40GB is not a100-40gb-sxm: same GA100 die, but the PCIe card's 250 W cap (400 W on SXM) lowers
 *   sustained clocks under load. V100-PCIE-32GB is not v100 (the SXM2 preset): 1380 MHz boost vs 1530 MHz, 250 W vs 300 W.
 */
export const NEUSIGHT_DEVICES: Readonly<Record<string, { computeUnits: number; clockHz: number; memoryBytes: number }>> = {
  'NVIDIA A100-PCIE-40GB': { computeUnits: 108, clockHz: 1410e6, memoryBytes: 40e9 },
  'Tesla V100-PCIE-32GB': { computeUnits: 80, clockHz: 1370e6, memoryBytes: 32e9 },
  'Tesla T4': { computeUnits: 40, clockHz: 1590e6, memoryBytes: 15e9 },
  'Tesla P100-PCIE-16GB': { computeUnits: 56, clockHz: 1380e6, memoryBytes: 16e9 },
  'Tesla P4': { computeUnits: 40, clockHz: 1113e6, memoryBytes: 8e9 },
  'NVIDIA A100-SXM4-40GB': { computeUnits: 108, clockHz: 1410e6, memoryBytes: 40e9 },
  'NVIDIA A100 80GB PCIe': { computeUnits: 108, clockHz: 1410e6, memoryBytes: 80e9 },
  'NVIDIA H100 80GB HBM3': { computeUnits: 132, clockHz: 1980e6, memoryBytes: 80e9 },
  'NVIDIA L4': { computeUnits: 60, clockHz: 2040e6, memoryBytes: 24e9 },
};

const RUNTIME = 'PyTorch 2.1, CUDA 12.1';

function device(name: string): Measurement['device'] {
  const known = NEUSIGHT_DEVICES[name];
  if (!known) return { name, backend: 'cuda', runtime: RUNTIME };
  return { name, backend: 'cuda', computeUnits: known.computeUnits, clockHz: known.clockHz, memoryBytes: known.memoryBytes, runtime: RUNTIME };
}

/**
 * Shape {batch: B, m: M, n: N, k: K}; fp32 throughout; bytes read A and B once and write C once. Layout: Linear
 * issues 'TN' (its weight is stored out × in), bmm of contiguous tensors 'NN'.
 */
export function importNeusight(text: string, fileName?: string, options: ImportOptions = {}): Measurement[] {
  const table = requireColumns(text, ['device', 'op', 'B', 'M', 'N', 'K', 'latency_ms'], 'a NeuSight linear/bmm CSV', fileName);
  const problems = new ImportProblems(SOURCE, fileName, options);
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
      shape: { batch, m, n, k }, layout: op === 'linear' ? 'TN' : 'NN', dtype: 'fp32', medianS: msToS(ms),
      ...gemmCost(m, n, k, batch, { a: FP32, b: FP32, c: FP32, sharedB: op === 'linear' }),
    }));
  }
  problems.throwIfAny();
  return out;
}
