// Attention as kernels. Fused (flash) attention:
// - prefill: FlashAttention-2's grid (query tile, batch, head), a CTA per Br query rows streaming Bc-key K/V
//   tiles; a causal CTA stops at the diagonal (its step count depends on its query tile), a window skips old tiles;
//   diagonal tiles are computed whole. K/V of a KV head are shared by the heads of its GQA group through L2.
// - decode (few query rows): flash-decoding, a CTA per (batch, KV head, KV split) holding the group's query rows
//   (padded to the MMA's 16), then a combine kernel over the splits.
// Unfused (eager) attention: QK GEMM, softmax over the score matrix, PV GEMM (three kernels through DRAM).
import type { ComputeDtype } from '../../../common/dtype.ts';
import type { AttentionOp } from '../../../models/ops.ts';
import { dtypeBits } from '../../dtype-select.ts';
import type { GpuParams } from './gpu-params.ts';
import { mmaRate, type GemmShape } from './gemm.ts';
import type { KernelSpec } from './kernel-spec.ts';
import { L2_REUSE_FRACTION } from './l2-reuse.ts';
import type { StreamShape } from './stream.ts';

export type AttentionKernel = { kind: 'spec'; spec: KernelSpec } | { kind: 'gemm'; shape: GemmShape } | { kind: 'stream'; shape: StreamShape };

const FLASH_WARPS = 4;

function occupancy(p: GpuParams, smemBytes: number, threads: number): number {
  return Math.max(1, Math.min(p.maxCtasPerSm, Math.floor(p.smemPerSmBytes / Math.max(1, smemBytes)), Math.floor(p.maxThreadsPerSm / threads)));
}

/** Fraction of K/V loads served by DRAM when `sharers` consecutive CTAs read the same `kvBytesPerHead`. */
function kvMissFraction(p: GpuParams, sharers: number, waveCtas: number, kvBytesPerHead: number): number {
  if (sharers <= 1) return 1;
  const headsInWave = Math.max(1, Math.ceil(waveCtas / sharers));
  return headsInWave * kvBytesPerHead <= L2_REUSE_FRACTION * p.l2Bytes ? 1 / sharers : 1;
}

export function attentionKernels(p: GpuParams, op: AttentionOp, dtype: ComputeDtype): AttentionKernel[] {
  const hd = op.headDim;
  const aB = op.actBits / 8;
  const kvB = op.kvBits / 8;
  const group = Math.max(1, Math.round(op.numHeads / op.numKvHeads));
  const window = op.windowTokens ?? Number.POSITIVE_INFINITY;
  const keys = Math.min(op.kvLen, window + op.queryLen - 1);
  if (!op.flash) {
    const heads = op.batch * op.numHeads;
    const base = { dequantA: false, dequantB: op.kvBits < dtypeBits(dtype), dtype, aBytes: aB, bBytes: kvB, cBytes: aB };
    return [
      { kind: 'gemm', shape: { ...base, name: `${op.name} QK`, m: op.queryLen, n: keys, k: hd, batch: heads } },
      { kind: 'stream', shape: { name: `${op.name} softmax`, elements: heads * op.queryLen * keys, readBytesPerElement: aB, writeBytesPerElement: aB, vectorFlopsPerElement: 5 } },
      { kind: 'gemm', shape: { ...base, name: `${op.name} PV`, m: op.queryLen, n: hd, k: keys, batch: heads } },
    ];
  }
  const rate = mmaRate(p, dtype);
  const vector = p.vectorFlopsPerSPerSm;
  const dequantPerKey = op.kvBits < dtypeBits(dtype) ? 2 * 2 * hd : 0;
  const rows = op.queryLen * group;
  if (op.queryLen <= 16 && rows <= 128) {
    // Flash-decoding.
    const br = Math.max(16, 16 * Math.ceil(rows / 16));
    const bc = 64;
    const kvTiles = Math.max(1, Math.ceil(keys / bc));
    const heads = op.batch * op.numKvHeads;
    const splits = Math.max(1, Math.min(kvTiles, Math.ceil((2 * p.smCount) / heads)));
    const steps = Math.ceil(kvTiles / splits);
    const stepBytes = 2 * bc * hd * kvB;
    const smem = 2 * stepBytes + br * hd * aB;
    const threads = 32 * FLASH_WARPS;
    const partialBytes = splits > 1 ? br * hd * 4 + br * 8 : rows * hd * aB;
    const main: KernelSpec = {
      name: op.name, ctas: heads * splits, steps, ctasPerSm: occupancy(p, smem, threads), stages: 2,
      prologueLoadBytes: rows * hd * aB, stepLoadBytes: stepBytes, dramReadFraction: 1,
      stepMmaS: (4 * br * bc * hd) / rate, stepSmemS: (2 * stepBytes) / p.smemBytesPerSPerSm,
      stepVectorS: (5 * br * bc + dequantPerKey * bc) / vector, stepOverheadS: p.kStepOverheadS,
      epilogueVectorS: (br * hd) / vector, epilogueL2Bytes: partialBytes, epilogueDramBytes: partialBytes,
      usefulMmaFlops: 4 * op.batch * op.numHeads * op.queryLen * keys * hd,
    };
    const out: AttentionKernel[] = [{ kind: 'spec', spec: main }];
    if (splits > 1) {
      out.push({ kind: 'stream', shape: {
        name: `${op.name} combine`, elements: op.batch * op.numHeads * op.queryLen * hd,
        readBytesPerElement: 4 * splits, writeBytesPerElement: aB, vectorFlopsPerElement: 3 * splits,
      } });
    }
    return out;
  }
  // Prefill: FlashAttention-2 tiles (Br × Bc): 128 × 64 up to head dim 128, 64 × 64 beyond, 128 × 128 at ≤ 64.
  const br = hd <= 128 ? 128 : 64;
  const bc = hd <= 64 ? 128 : 64;
  const qTiles = Math.ceil(op.queryLen / br);
  const ctas = op.batch * op.numHeads * qTiles;
  const past = op.kvLen - op.queryLen;
  const allTiles = Math.ceil(op.kvLen / bc);
  const stepsOf = new Int32Array(ctas);
  let totalSteps = 0;
  for (let q = 0; q < qTiles; q++) {
    const lastRow = past + Math.min(op.queryLen, (q + 1) * br) - 1;
    const firstRow = past + q * br;
    const end = op.causal ? Math.ceil((lastRow + 1) / bc) : allTiles;
    const start = Number.isFinite(window) ? Math.max(0, Math.floor((firstRow - window + 1) / bc)) : 0;
    const s = Math.max(1, end - start);
    for (let c = q; c < ctas; c += qTiles) stepsOf[c] = s;
    totalSteps += s * op.batch * op.numHeads;
  }
  const stepBytes = 2 * bc * hd * kvB;
  const smem = 2 * stepBytes + br * hd * aB;
  const threads = 32 * FLASH_WARPS * (br / 64);
  const perSm = occupancy(p, smem, threads);
  let stepMmaS = (4 * br * bc * hd) / rate;
  if (op.selectionBlockSize !== undefined) {
    // Block selection scores every block's mean key first: its FLOPs spread over the steps.
    const blocks = Math.ceil(op.kvLen / op.selectionBlockSize);
    stepMmaS += (2 * op.batch * op.numHeads * hd * op.queryLen * blocks) / rate / Math.max(1, totalSteps);
  }
  const uniqueKv = 2 * op.batch * op.numKvHeads * keys * hd * kvB;
  const kvPerHead = 2 * keys * hd * kvB;
  const miss = Math.max(uniqueKv / Math.max(1, totalSteps * stepBytes), kvMissFraction(p, group * qTiles, Math.min(ctas, p.smCount * perSm), kvPerHead));
  return [{
    kind: 'spec',
    spec: {
      name: op.name, ctas, steps: stepsOf[0] ?? 1, stepsOf, ctasPerSm: perSm, stages: 2,
      prologueLoadBytes: br * hd * aB, stepLoadBytes: stepBytes, dramReadFraction: Math.min(1, miss),
      stepMmaS, stepSmemS: (FLASH_WARPS * stepBytes) / p.smemBytesPerSPerSm,
      stepVectorS: (5 * br * bc + dequantPerKey * bc) / vector, stepOverheadS: p.kStepOverheadS,
      epilogueVectorS: (br * hd) / vector, epilogueL2Bytes: br * hd * aB, epilogueDramBytes: br * hd * aB,
      usefulMmaFlops: 4 * op.batch * op.numHeads * hd * op.queryLen * keys,
    },
  }];
}
