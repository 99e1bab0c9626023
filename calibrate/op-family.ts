// A measurement as the estimator sees it: its calibration family and the genz Op it measured, so the fit
// computes the roofline floor with the same opWork the estimator uses.
//
// Shape conventions (measurement.shape, first name found wins; importers and kernels-ref write the first):
//   gemm kernels:    m|M, n|N, k|K, batch|B (default 1); gemv is y = W·x: kernels-ref's {m: W rows, k} is genz's
//                    m = 1 token, n = W rows (a gemv with n given reads m as tokens, default 1)
//   attention-*:     batch|B (1), queryLen|q, kvLen|kv, numHeads|heads, numKvHeads|kvHeads (= heads),
//                    headDim (128), causal (1 = yes, default 1); attention-flash is the fused kernel
//   softmax, norms, add, mul, silu, gelu, silu-mul, rope:
//                    elements|n (kernels-ref's add/mul/silu/gelu), or rows|M|tokens × cols|N|hidden|width
//                    (elements written); reads, writes override
//                    the kernel's operand counts (add, mul, silu-mul read 2, the rest 1; all write 1)
//   embedding:       rows|tokens, width|hidden|cols
//   all-reduce:      bytes (or elements × dtype bits / 8), groupSize|devices|workers, devicesPerNode (= groupSize)
//   send-recv:       bytes (or elements), devicesPerNode < 2 means across nodes
// Kernels without a calibration family (memcpy, empty, selective-scan, conv1d, lut-gemv) are not ops here.
import type { ComputeDtype } from '../common/dtype.ts';
import { ROW_WISE_FUNCTIONS, type Op } from '../models/ops.ts';
import { FLOPS_PER_ELEMENT } from '../models/emitter.ts';
import { calibrationFamily, type CalibrationFamily } from '../simulator/calibration.ts';
import type { KernelName, Measurement } from './measurement-schema.ts';

/** The calibration family of each kernel, or null where no curve applies. */
export const KERNEL_FAMILY: Readonly<Record<KernelName, CalibrationFamily | null>> = {
  'gemm-naive': 'gemm', 'gemm-smem': 'gemm', 'gemm-tensor': 'gemm', 'gemm-blas': 'gemm', gemm: 'gemm', 'batched-gemm': 'gemm',
  gemv: 'gemm', 'flat-gemm': 'gemm', 'attention-naive': 'attention', 'attention-flash': 'attention', softmax: 'softmax',
  rmsnorm: 'norm', layernorm: 'norm', add: 'elementwise', mul: 'elementwise', silu: 'elementwise', gelu: 'elementwise',
  'silu-mul': 'elementwise', rope: 'elementwise', embedding: 'embedding', 'all-reduce': 'collective', 'send-recv': 'collective',
  'selective-scan': null, conv1d: null, 'lut-gemv': null, memcpy: null, empty: null,
};

const DTYPE_BITS: Readonly<Record<Measurement['dtype'], number>> = {
  fp64: 64, fp32: 32, tf32: 32, bf16: 16, fp16: 16, fp8: 8, int8: 8, int4: 4, int3: 3, int2: 2,
};

export interface MeasuredOp {
  family: CalibrationFamily;
  op: Op;
  /** Base dtype of the cost context the op is priced in (the measurement's dtype where it is a compute dtype). */
  baseDtype: ComputeDtype;
}

export type MeasuredOpResult = MeasuredOp | { problem: string };

function pick(shape: Record<string, number>, names: readonly string[]): number | undefined {
  for (const name of names) {
    const v = shape[name];
    if (v !== undefined) return v;
  }
  return undefined;
}

class ShapeProblem extends Error {}

function need(shape: Record<string, number>, names: readonly string[], fallback?: number): number {
  const v = pick(shape, names) ?? fallback;
  if (v === undefined) throw new ShapeProblem(`shape needs ${names.join(' or ')}`);
  return v;
}

function baseDtypeOf(dtype: Measurement['dtype']): ComputeDtype {
  return dtype === 'int3' || dtype === 'int2' ? 'int4' : dtype;
}

const TWO_INPUTS = new Set<KernelName>(['add', 'mul', 'silu-mul']);

/** The genz Op a measurement timed, with its family; or why it cannot be priced. */
export function measurementOp(m: Measurement): MeasuredOpResult {
  const family = KERNEL_FAMILY[m.kernel];
  if (family === null) return { problem: `kernel ${m.kernel} has no calibration family` };
  const s = m.shape;
  const bits = DTYPE_BITS[m.dtype];
  const base = { name: m.kernel, scope: 'layer' as const, block: 'mlp' as const, count: 1 };
  try {
    let op: Op;
    switch (family) {
      case 'gemm': {
        const gemvRows = m.kernel === 'gemv' && pick(s, ['n', 'N']) === undefined ? pick(s, ['m', 'M']) : undefined;
        const m0 = gemvRows !== undefined ? 1 : need(s, ['m', 'M'], m.kernel === 'gemv' ? 1 : undefined);
        op = {
          ...base, kind: 'gemm', m: m0, n: gemvRows ?? need(s, ['n', 'N']), k: need(s, ['k', 'K']), batch: need(s, ['batch', 'B'], 1),
          weightBits: bits, actBits: bits, outBits: pick(s, ['outBits']) ?? bits, ...(m.layout === undefined ? {} : { blasLayout: m.layout }),
        };
        break;
      }
      case 'attention': {
        const numHeads = need(s, ['numHeads', 'heads']);
        op = {
          ...base, block: 'attention', kind: 'attention', batch: need(s, ['batch', 'B'], 1), queryLen: need(s, ['queryLen', 'q']),
          kvLen: need(s, ['kvLen', 'kv']), numHeads, numKvHeads: need(s, ['numKvHeads', 'kvHeads'], numHeads),
          headDim: need(s, ['headDim'], 128), causal: need(s, ['causal'], 1) !== 0, flash: m.kernel === 'attention-flash',
          actBits: bits, kvBits: bits,
        };
        break;
      }
      case 'embedding':
        op = { ...base, block: 'embedding', kind: 'gather', rows: need(s, ['rows', 'tokens']), width: need(s, ['width', 'hidden', 'cols']), bits };
        break;
      case 'collective': {
        const groupSize = m.kernel === 'send-recv' ? 2 : need(s, ['groupSize', 'devices', 'workers']);
        const perNode = need(s, ['devicesPerNode'], groupSize);
        const bytes = pick(s, ['bytes']) ?? (need(s, ['elements']) * bits) / 8;
        op = {
          ...base, block: 'comm', kind: 'collective', collective: m.kernel === 'send-recv' ? 'p2p' : 'all-reduce',
          group: perNode < groupSize ? 'dp' : 'tp', groupSize, bytes,
        };
        break;
      }
      default: {
        const fn = m.kernel as 'softmax' | 'rmsnorm' | 'layernorm' | 'add' | 'mul' | 'silu' | 'gelu' | 'silu-mul' | 'rope';
        // kernels-ref's add/mul/silu/gelu write {n}; a row-wise shape {rows|M, cols|N} wins over a lone n.
        const rows = pick(s, ['rows', 'M', 'tokens']);
        const elements = pick(s, ['elements']) ?? (rows === undefined ? pick(s, ['n']) : undefined)
          ?? need(s, ['rows', 'M', 'tokens']) * need(s, ['cols', 'N', 'hidden', 'width']);
        // Norms and softmax reduce over rows: their row length (cols) is what the estimator's row-wise ops carry.
        const cols = ROW_WISE_FUNCTIONS.has(m.kernel) && rows !== undefined ? pick(s, ['cols', 'N', 'hidden', 'width']) : undefined;
        op = {
          ...base, block: family === 'norm' ? 'norm' : 'mlp', kind: 'elementwise', fn, elements,
          readsPerElement: need(s, ['reads'], TWO_INPUTS.has(m.kernel) ? 2 : 1), writesPerElement: need(s, ['writes'], 1),
          flopsPerElement: FLOPS_PER_ELEMENT[fn], bits, ...(cols === undefined ? {} : { rowLength: cols }),
        };
      }
    }
    // The estimator's family of the op (a GEMM with batch > 1 is a bmm), so fit and estimate pick the same curve.
    return { family: calibrationFamily(op), op, baseDtype: baseDtypeOf(m.dtype) };
  } catch (err) {
    if (err instanceof ShapeProblem) return { problem: `${m.kernel}: ${err.message}` };
    throw err;
  }
}

/** A stable text key of what was measured (device, kernel, variant, dtype, shape): repeats of one shape share it. */
export function measurementKey(m: Measurement, deviceId: string): string {
  return `${deviceId}|${m.kernel}|${m.variant ?? ''}|${m.dtype}|${shapeKey(m)}`;
}

/** The shape of a measurement as `k=…,m=…,n=…` (keys sorted). */
export function shapeKey(m: Measurement): string {
  return Object.keys(m.shape).sort().map((k) => `${k}=${m.shape[k]}`).join(',');
}

/** FNV-1a 32-bit hash: deterministic across runs and platforms. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
