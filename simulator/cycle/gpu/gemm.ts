// GEMM, batched GEMM and GEMV as CUTLASS-like tiled kernels: CTA tile M×N×K, multistage software pipeline, split-K.
// gemmSpec builds the kernel of one tiling; the mapper (gemm-mapper.ts) picks the tiling.
import type { ComputeDtype } from '../../../common/dtype.ts';
import { GenzError } from '../../../common/errors.ts';
import type { GemmTile, GpuParams } from './gpu-params.ts';
import type { KernelSpec } from './kernel-spec.ts';
import { tiledMissFraction } from './l2-reuse.ts';

export interface GemmShape {
  name: string;
  m: number;
  n: number;
  k: number;
  batch: number;
  /** Bytes per element of A (activations), B (weights or a second activation) and C. */
  aBytes: number;
  bBytes: number;
  cBytes: number;
  /** Datapath of the multiply-accumulate. */
  dtype: ComputeDtype;
  /** Operands narrower than the datapath are widened in registers: ~2 vector ops per element. */
  dequantA: boolean;
  dequantB: boolean;
}

/** True for datapaths without tensor cores in this model (SIMT FFMA GEMMs: fp32 with TF32 off, fp64). */
export function isSimt(dtype: ComputeDtype): boolean {
  return dtype === 'fp32' || dtype === 'fp64';
}

export function mmaRate(p: GpuParams, dtype: ComputeDtype): number {
  return p.mmaFlopsPerSPerSm[dtype] ?? p.mmaFlopsPerSPerSm.fp32 ?? p.vectorFlopsPerSPerSm;
}

/** Shared memory one CTA of this tiling needs (all pipeline stages of A and B). */
export function tileSmemBytes(g: GemmShape, t: GemmTile): number {
  return t.stages * t.k * (t.m * g.aBytes + t.n * g.bBytes);
}

export function tileThreads(t: GemmTile): number {
  return 32 * Math.min(8, Math.max(4, Math.round((t.m * t.n) / 4096)));
}

/** CTAs per SM for this tiling, or 0 when one CTA does not fit. */
export function tileOccupancy(p: GpuParams, g: GemmShape, t: GemmTile): number {
  const smem = tileSmemBytes(g, t);
  return Math.min(p.maxCtasPerSm, Math.floor(p.smemPerSmBytes / smem), Math.floor(p.maxThreadsPerSm / tileThreads(t)));
}

/** The tiled kernel of `g` under tiling `t` (throws when the tiling cannot run: a tile larger than shared memory). */
export function gemmSpec(p: GpuParams, g: GemmShape, t: GemmTile): KernelSpec {
  const occupancy = tileOccupancy(p, g, t);
  if (occupancy < 1) {
    throw new GenzError('invalid_input',
      `GEMM tile ${t.m}×${t.n}×${t.k} with ${t.stages} stages needs ${tileSmemBytes(g, t)} B of shared memory; an SM of ${p.deviceId} has ${p.smemPerSmBytes} B`,
      ['hardware', 'microarch', 'gemmTile']);
  }
  const tilesM = Math.ceil(g.m / t.m);
  const tilesN = Math.ceil(g.n / t.n);
  const kIters = Math.ceil(g.k / t.k);
  const splitK = Math.max(1, Math.min(t.splitK, kIters));
  const steps = Math.ceil(kIters / splitK);
  const ctas = g.batch * tilesM * tilesN * splitK;
  // Edge tiles load only their rows (predicated loads) but compute the whole MMA tile.
  const rowsA = g.m / tilesM;
  const colsB = g.n / tilesN;
  const depth = g.k / (kIters);
  // Hopper-class clusters multicast the B tile to the CTAs of a cluster: one L2 read serves them all.
  const multicast = splitK === 1 && tilesM >= p.clusterMulticast ? p.clusterMulticast : 1;
  const stepLoadBytes = depth * (rowsA * g.aBytes + (colsB * g.bBytes) / multicast);
  const rate = mmaRate(p, g.dtype);
  const stepMmaS = (2 * t.m * t.n * t.k) / rate;
  const warpsM = Math.max(1, Math.ceil(t.m / p.warpTileM));
  const warpsN = Math.max(1, Math.ceil(t.n / p.warpTileN));
  // Shared-memory reads per step: each warp column re-reads A, each warp row re-reads B; a SIMT GEMM's 8×8 thread
  // tiles read (8 + 8) values per 64 FMAs.
  const smemBytes = isSimt(g.dtype) ? t.m * t.n * t.k * (g.aBytes / 4)
    : t.k * (t.m * g.aBytes * warpsN + t.n * g.bBytes * warpsM);
  const vector = p.vectorFlopsPerSPerSm;
  const dequantFlops = (g.dequantA ? 2 * t.m * t.k : 0) + (g.dequantB ? 2 * t.n * t.k : 0);
  const waveTiles = Math.min(ctas, p.smCount * occupancy) / splitK;
  const perBatchA = g.m * g.k * g.aBytes;
  const perBatchB = g.k * g.n * g.bBytes;
  const l2Read = tilesM * tilesN * kIters * stepLoadBytes;
  const outTile = rowsA * colsB * g.cBytes;
  return {
    name: g.name,
    ctas,
    steps,
    ctasPerSm: occupancy,
    stages: t.stages,
    prologueLoadBytes: 0,
    stepLoadBytes,
    dramReadFraction: tiledMissFraction({ tilesM, tilesN, waveTiles, aBytes: perBatchA, bBytes: perBatchB, l2ReadBytes: l2Read, l2Bytes: p.l2Bytes }),
    stepMmaS,
    stepSmemS: smemBytes / p.smemBytesPerSPerSm,
    stepVectorS: dequantFlops / vector,
    stepOverheadS: p.kStepOverheadS,
    epilogueVectorS: (t.m * t.n * (splitK > 1 ? 2 : 1)) / vector,
    epilogueL2Bytes: outTile + (splitK > 1 ? rowsA * colsB * 8 : 0),
    epilogueDramBytes: outTile / splitK,
    usefulMmaFlops: 2 * g.batch * g.m * g.n * g.k,
  };
}
