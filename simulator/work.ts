// What an op asks of the hardware, independent of how fast the hardware is: FLOPs by unit, bytes by
// memory level, link bytes. Shared by every backend.
import type { ComputeDtype } from '../common/dtype.ts';
import type { PeakFlops } from '../hardware/device-schema.ts';
import type { AttentionOp, GemmOp, Op } from '../models/ops.ts';
import { availableDtype, dtypeBits, requestedDtype } from './dtype-select.ts';
import { collectiveLinkBytes } from './collectives.ts';

export interface OpWork {
  flops: number;
  vectorFlops: number;
  dramBytes: number;
  /** Extra on-chip traffic beyond one pass of the DRAM bytes (flash attention's score tiles). */
  extraOnChipBytes: number;
  linkBytes: number;
  kernels: number;
  computeDtype: ComputeDtype | null;
}

/** Score-matrix entries per head that a causal mask leaves: new token i (1-based) sees past + i keys. */
export function causalPairs(queryLen: number, kvLen: number): number {
  const past = kvLen - queryLen;
  return queryLen * past + (queryLen * (queryLen + 1)) / 2;
}

/** Causal pairs when each query sees at most `window` keys: Σᵢ min(past + i, window). */
export function windowedCausalPairs(queryLen: number, kvLen: number, window: number): number {
  const past = kvLen - queryLen;
  const growing = Math.min(queryLen, Math.max(0, window - past)); // queries whose view is still below the window
  return growing * past + (growing * (growing + 1)) / 2 + (queryLen - growing) * window;
}

function gemmWork(op: GemmOp, peaks: PeakFlops, base: ComputeDtype): OpWork {
  const { m, n, k, batch } = op;
  const weightBits = op.weightBits ?? op.actBits;
  const dtype = availableDtype(requestedDtype(op.actBits, op.weightBits, base), peaks);
  const computeBits = dtypeBits(dtype);
  let vectorFlops = 0;
  // Operands narrower than the datapath are widened first: ~2 vector ops per element (unpack, scale).
  if (weightBits < computeBits) vectorFlops += 2 * batch * k * n;
  if (op.actBits < computeBits) vectorFlops += 2 * batch * m * k;
  return {
    flops: 2 * batch * m * n * k,
    vectorFlops,
    dramBytes: (batch * (m * k * op.actBits + k * n * weightBits + m * n * op.outBits)) / 8,
    extraOnChipBytes: 0,
    linkBytes: 0,
    kernels: 1,
    computeDtype: dtype,
  };
}

/** Keys one attention pass reads: those some query of the pass can see (a window caps them). */
export function attentionKeysRead(op: AttentionOp): number {
  return Math.min(op.kvLen, (op.windowTokens ?? Number.POSITIVE_INFINITY) + op.queryLen - 1);
}

function attentionWork(op: AttentionOp, peaks: PeakFlops, base: ComputeDtype): OpWork {
  const { batch, queryLen, kvLen, numHeads, numKvHeads, headDim } = op;
  const dtype = availableDtype(requestedDtype(op.actBits, null, base), peaks);
  const computeBits = dtypeBits(dtype);
  const window = op.windowTokens ?? Number.POSITIVE_INFINITY;
  // Flash kernels skip fully masked tiles; an unfused (eager) kernel computes the whole matrix, then masks it.
  // A window (sliding, sink, top-k blocks) caps what each query sees, in either kernel.
  let perHeadPairs: number;
  if (Number.isFinite(window)) perHeadPairs = windowedCausalPairs(queryLen, kvLen, window);
  else perHeadPairs = op.causal && op.flash ? causalPairs(queryLen, kvLen) : queryLen * kvLen;
  const pairs = batch * perHeadPairs;
  const keysRead = attentionKeysRead(op);
  const qoBytes = (2 * batch * queryLen * numHeads * headDim * op.actBits) / 8;
  let kvBytes = (2 * batch * keysRead * numKvHeads * headDim * op.kvBits) / 8;
  const kvDequant = op.kvBits < computeBits ? 2 * 2 * batch * keysRead * numKvHeads * headDim : 0;
  let flops = 4 * pairs * numHeads * headDim;
  let softmaxFlops = 5 * pairs * numHeads;
  if (op.selectionBlockSize !== undefined) {
    // Block selection: each query scores every block's mean key, then keeps its top-k blocks.
    // A causal query at position j scores ⌈j / block⌉ blocks: Σ over the pass ≈ causal pairs / block + half a block each.
    const blocks = Math.ceil(kvLen / op.selectionBlockSize);
    const scored = queryLen === 1 ? blocks : causalPairs(queryLen, kvLen) / op.selectionBlockSize + queryLen / 2;
    flops += 2 * batch * numHeads * headDim * scored;
    softmaxFlops += 2 * batch * numHeads * scored;
    kvBytes += (batch * blocks * numKvHeads * headDim * op.kvBits) / 8;
  }
  if (op.flash) {
    return {
      flops, vectorFlops: softmaxFlops + kvDequant, dramBytes: qoBytes + kvBytes,
      extraOnChipBytes: (2 * pairs * numHeads * op.actBits) / 8, linkBytes: 0, kernels: 1, computeDtype: dtype,
    };
  }
  // Unfused: QK writes the scores, softmax reads and writes them, PV reads them.
  const scoreBytes = (pairs * numHeads * op.actBits) / 8;
  return {
    flops, vectorFlops: softmaxFlops + kvDequant, dramBytes: qoBytes + kvBytes + 4 * scoreBytes,
    extraOnChipBytes: 0, linkBytes: 0, kernels: 3, computeDtype: dtype,
  };
}

export function opWork(op: Op, peaks: PeakFlops, base: ComputeDtype): OpWork {
  switch (op.kind) {
    case 'gemm':
      return gemmWork(op, peaks, base);
    case 'attention':
      return attentionWork(op, peaks, base);
    case 'gather':
      return {
        flops: 0, vectorFlops: 0, dramBytes: (2 * op.rows * op.width * op.bits) / 8, extraOnChipBytes: 0,
        linkBytes: 0, kernels: 1, computeDtype: null,
      };
    case 'elementwise': {
      const outBits = op.outBits ?? op.bits;
      return {
        flops: 0,
        vectorFlops: op.elements * op.flopsPerElement,
        dramBytes: (op.elements * (op.readsPerElement * op.bits + op.writesPerElement * outBits)) / 8,
        extraOnChipBytes: 0, linkBytes: 0, kernels: 1, computeDtype: null,
      };
    }
    case 'collective':
      return {
        flops: 0, vectorFlops: 0, dramBytes: 0, extraOnChipBytes: 0,
        linkBytes: collectiveLinkBytes(op.collective, op.bytes, op.groupSize), kernels: 0, computeDtype: null,
      };
  }
}
