// The analytical backend: time = max(compute, memory, network) + launch overhead, per op, with
// efficiency factors applied to the peaks. Work (FLOPs, bytes) comes from ../work.ts. When the context carries a
// calibration curve for the op's family (../calibration.ts), the times at efficiency 1 are scaled by the curve's
// slowdown and its per-kernel overhead replaces the default one.
import type { Op } from '../../models/ops.ts';
import type { CostBackend, CostContext, OpCost, Bound } from '../cost.ts';
import { attentionKeysRead, opWork } from '../work.ts';
import { peakFor } from '../dtype-select.ts';
import { collectiveS, ownAllReduceTakes } from '../collectives.ts';
import { calibratedScaling, calibrationApplies, curveFor, curveSeesShape } from '../calibration.ts';
import { IDEAL_EFFICIENCY, type EfficiencyProfile } from '../efficiency.ts';
import { LOW_BIT_MAX_BITS, lowBitOps } from '../cpu-lowbit.ts';

function shapeFactor(x: number, half: number): number {
  return half <= 0 ? 1 : x / (x + half);
}

const scaling = { slowdown: 1, overheadS: 0 };

/**
 * Extra DRAM bytes of a serving framework's decode attention that reads each grouped KV head once per query head
 * (./serving/frameworks.ts kvRereadShare): that share of the extra reads, on top of the one read of the KV cache. Any
 * pass over a cache (decode, a speculative verify) runs such a kernel; a prompt (no cache before it) does not. Only
 * whole groups of query heads over a KV head: MLA's latent (numKvHeads a fraction of a head) is one shared read. The
 * shares were fitted on GPU runs: GPUs only.
 */
function kvRereadBytes(op: Op, share: number | undefined, onGpu: boolean): number {
  if (!onGpu || share === undefined || share <= 0 || op.kind !== 'attention' || op.queryLen >= op.kvLen) return 0;
  if (!Number.isInteger(op.numKvHeads) || op.numKvHeads < 1 || op.numHeads <= op.numKvHeads) return 0;
  const kvBytes = (2 * op.batch * attentionKeysRead(op) * op.numKvHeads * op.headDim * op.kvBits) / 8;
  return share * (op.numHeads / op.numKvHeads - 1) * kvBytes;
}

export function costOp(op: Op, ctx: CostContext): OpCost {
  const { device, energy } = ctx;
  const peaks = device.peakFlopsPerS;
  const w = opWork(op, peaks, ctx.baseDtype);
  // A framework's KV re-reads stretch the memory time the op is priced at (by its curve or the defaults, chosen on the
  // op's own bytes, so the re-reads never move it from one regime to the other), and its overhead floor's.
  const rereadBytes = kvRereadBytes(op, ctx.kvRereadShare, device.kind === 'gpu');
  const memoryStretch = rereadBytes > 0 && w.dramBytes > 0 ? 1 + rereadBytes / w.dramBytes : 1;
  // A CPU's threads share its cores' SIMD peak (threads beyond the cores add nothing); its cores stream DRAM at the
  // rate they sustain, not the DRAM peak, so its memory efficiency is already in that rate.
  const cpu = device.cpu;
  const coreShare = cpu === undefined ? 1 : Math.min(ctx.cpuThreads ?? cpu.cores, cpu.cores) / cpu.cores;
  // FP32 matrix work runs on matrix units where the part has them for FP32 (CDNA's MFMA: 2× its vector rate).
  const tensorPeak = (w.computeDtype === null ? 0 : w.computeDtype === 'fp32' ? device.matrixFp32FlopsPerS ?? peaks.fp32 : peakFor(w.computeDtype, peaks)) * coreShare;
  const vectorPeak = peaks.fp32 * coreShare;
  // Sub-8-bit weights on a CPU run a low-bit kernel (llama.cpp's dequantizing dot products or T-MAC's lookups) whose
  // work per weight is fitted on measured decode runs (../cpu-lowbit.ts); it replaces the GEMM and dequantization FLOPs.
  const lowBitKernel = ctx.lowBitKernel ?? 'dequant';
  const lowBitWork = cpu !== undefined && op.kind === 'gemm' && op.weightBits !== null && op.weightBits < LOW_BIT_MAX_BITS
    ? lowBitOps(lowBitKernel, op.weightBits, op.batch, op.m, op.n, op.k, ctx.lowBitCosts) : undefined;
  // A CPU whose own runs were fitted may run a kernel faster or slower than the constants fitted across CPUs.
  const lowBitS = lowBitWork === undefined ? undefined : lowBitWork / (vectorPeak * (cpu?.lowBitKernelSpeed?.[lowBitKernel] ?? 1));
  let lowBitChosen = false;
  // A serving framework's own all-reduce kernel (./serving/frameworks.ts) takes small all-reduces: the device's
  // collective curve and per-call overhead describe NCCL's calls, timed one at a time, not it.
  const ownAllReduce = op.kind === 'collective' && op.collective === 'all-reduce' && ownAllReduceTakes(ctx.ownAllReduce, device.vendor, op.groupSize, op.bytes);
  // Times at a set of efficiency factors (the profile's curves start from efficiency 1, the floor).
  const times = (eff: EfficiencyProfile): { computeS: number; memoryS: number; networkS: number; overheadS: number } => {
    let computeEff = 1;
    if (op.kind === 'gemm') {
      // A GPU fills its SMs with output tiles, so small dimensions idle them; a CPU core runs its SIMD lanes along k.
      computeEff = cpu !== undefined ? eff.gemmCompute
        : eff.gemmCompute * shapeFactor(op.m, eff.gemmHalfDim) * shapeFactor(op.n, eff.gemmHalfDim) * shapeFactor(op.k, eff.gemmHalfDim);
    } else if (op.kind === 'attention' && !op.flash && op.queryLen > 1) {
      // Unfused (eager) attention over a prompt runs QK and PV as two batched GEMMs of the BLAS, QK (q × keys, depth
      // d) and PV (q × d, depth keys): the same three dimensions in other roles, so the GEMM efficiency of those
      // dimensions prices both. (The flash kernels' attentionCompute priced the attention of NeuSight's eager FP32
      // forward passes at ~1.6× what the measured passes leave for it.) A decode step's are batched GEMVs, bound by
      // the keys they read, and keep the attention efficiency below.
      computeEff = eff.gemmCompute * shapeFactor(op.queryLen, eff.gemmHalfDim) * shapeFactor(attentionKeysRead(op), eff.gemmHalfDim)
        * shapeFactor(op.headDim, eff.gemmHalfDim);
    } else if (op.kind === 'attention') {
      // Prefill parallelises over query tiles; decode kernels split the KV sequence instead, so they fill the chip.
      const rows = op.queryLen > 1 ? op.batch * op.numHeads * op.queryLen : Number.POSITIVE_INFINITY;
      computeEff = eff.attentionCompute * (rows === Number.POSITIVE_INFINITY ? 1 : shapeFactor(rows, eff.attentionHalfRows));
    }
    const tensorS = w.computeDtype === null || w.flops === 0 ? 0 : w.flops / (tensorPeak * computeEff);
    const vectorS = w.vectorFlops / (vectorPeak * eff.vector);
    const memoryEff = op.kind === 'elementwise' || op.kind === 'gather' ? eff.elementwiseMemory : eff.memory;
    const bandwidth = cpu === undefined ? device.memory[0]!.bandwidthBytesPerS * memoryEff : cpu.streamBandwidthBytesPerS;
    let networkS = 0;
    let overheadS = w.kernels * eff.kernelOverheadS;
    if (op.kind === 'collective') {
      const link = ctx.links[op.group];
      networkS = collectiveS(op.collective, op.bytes, op.groupSize, {
        latencyS: link.latencyS,
        bandwidthBytesPerS: link.bandwidthBytesPerS * eff.network,
        inNetworkReduction: link.inNetworkReduction === true,
      });
      // A serving framework's own all-reduce kernel (in a CUDA graph) replaces NCCL's per-call cost where it takes the call.
      // It is used where it is the cheaper call: an ideal run or a lower override of the per-call overhead keeps that.
      if (op.groupSize > 1 || op.collective === 'p2p') overheadS += ownAllReduce ? Math.min(ctx.ownAllReduce!.callS, eff.collectiveOverheadS) : eff.collectiveOverheadS;
    }
    // The low-bit kernels were fitted on one activation row (decode). A prompt's rows take each kernel once per row
    // (T-MAC's LUT GEMM, llama.cpp without BLAS), unless dequantizing the weights once and running the GEMM is cheaper
    // (a BLAS-backed build), which bounds it: a quantized prompt never costs more than the 16-bit path plus unpacking.
    const ordinaryS = tensorS + vectorS;
    lowBitChosen = lowBitS !== undefined && !(op.kind === 'gemm' && op.m > 1 && ordinaryS < lowBitS);
    const computeS = lowBitChosen ? lowBitS! : ordinaryS;
    return { computeS, memoryS: w.dramBytes / bandwidth, networkS, overheadS };
  };
  // A CPU device is priced by its fitted kernel constants and compute + memory; curves are fitted against max(compute,
  // memory) on other kernels, so they do not apply to it (calibrate fit refuses such a device).
  let curve = cpu === undefined && !ownAllReduce ? curveFor(ctx.calibration, device.id, op, w.computeDtype) : undefined;
  let t = times(curve === undefined ? ctx.efficiency : IDEAL_EFFICIENCY);
  // A curve prices only ops like those it was fitted on: outside its range of compute/memory balance and size,
  // the default efficiencies are the safer model than an extrapolated curve. On a GPU such an op still pays at least
  // its floor plus the curve's fitted per-kernel overhead (the device's measured launch and tail time, not its
  // extrapolated slowdown), which the defaults' 4 µs undercut for small ops. 5-fold CV of the GPU profiles (2026-11-27):
  // MI210 GEMM 3.9/30.4 → 3.9/18.3 %, H100 fp32 GEMM 11.5/31.4 → 11.5/29.3, H200 fp32 8.7/29.2 → 8.7/27.3, attention
  // p90 H100 13.3 → 12.8, H200 17.9 → 15.7; the never-fitted MI250 end to end (LLM-Inference-Bench held-out, MI210
  // profile + host time) vLLM 24.9/38.1 → 12.2/27.5, llama.cpp 38.3/53.3 → 29.4/51.3. Pricing such ops by the whole
  // curve (its slowdown clamped to the fitted range) had jumps at the threshold and bypassed the row-length rule.
  let overheadFloorS = 0;
  let outsideCurve = false;
  if (curve !== undefined && !calibrationApplies(curve, op, t.computeS, t.memoryS, t.networkS)) {
    outsideCurve = true;
    if (device.kind === 'gpu' && curveSeesShape(curve, op)) overheadFloorS = Math.max(t.computeS, t.memoryS * memoryStretch, t.networkS) + curve.overheadS * Math.max(1, w.kernels);
    curve = undefined;
    t = times(ctx.efficiency);
  }
  let { computeS, memoryS, networkS, overheadS } = t;
  if (curve !== undefined) {
    // A collective over one device is a no-op; anything else pays the family's overhead per kernel (a collective is one call).
    const noop = op.kind === 'collective' && op.groupSize <= 1 && op.collective !== 'p2p';
    calibratedScaling(curve, op, computeS, memoryS, networkS, noop ? 0 : curve.overheadS * Math.max(1, w.kernels), device.computeUnits ?? 0, w.computeDtype, scaling);
    overheadS = scaling.overheadS;
    const slowdown = scaling.slowdown;
    computeS *= slowdown;
    memoryS *= slowdown;
    networkS *= slowdown;
  }
  memoryS *= memoryStretch;
  // CPU cores issue their loads and their arithmetic from the same pipelines: in an exploration fit of T-MAC's 116 decode
  // runs (a free work constant per run series, a bandwidth per CPU; not kept in the project) compute + memory fit at
  // 5.2 / 14.0 % median / p90 error, the larger of the two at 8.2 / 20.0 % (docs/accuracy.md).
  const busyS = cpu === undefined ? Math.max(computeS, memoryS, networkS) : Math.max(computeS + memoryS, networkS);
  // The overhead floor of an op its GPU curve does not price (above) lifts the overhead, never the busy time.
  if (busyS + overheadS < overheadFloorS) overheadS = overheadFloorS - busyS;
  const latencyS = busyS + overheadS;
  let bound: Bound = computeS >= memoryS ? 'compute' : 'memory';
  if (networkS > Math.max(computeS, memoryS)) bound = 'network';
  if (overheadS > busyS) bound = 'overhead';
  const dramBytes = w.dramBytes + rereadBytes;
  const onChipBytes = dramBytes + w.extraOnChipBytes;
  // A CPU's low-bit kernel does its work on the SIMD units alone.
  const tensorJ = w.computeDtype === null || lowBitChosen ? 0 : w.flops * (energy.tensorJPerFlop[w.computeDtype] ?? energy.vectorJPerFlop);
  const vectorJ = (lowBitChosen ? lowBitWork! : w.vectorFlops) * energy.vectorJPerFlop;
  // A part cannot draw more than its power limit: cap the op's average power at TDP.
  const energyJ = Math.min(device.power.tdpW * latencyS, tensorJ + vectorJ + dramBytes * energy.dramJPerByte
    + onChipBytes * energy.onChipJPerByte + w.linkBytes * energy.linkJPerByte + energy.idleW * latencyS);
  return {
    latencyS, computeS, memoryS, networkS, overheadS,
    flops: w.flops, vectorFlops: w.vectorFlops, dramBytes, onChipBytes, linkBytes: w.linkBytes,
    bound, energyJ, computeDtype: w.computeDtype, pricedBy: curve !== undefined ? 'curve' : outsideCurve ? 'outside-curve' : 'factors',
  };
}

export const rooflineBackend: CostBackend = {
  usesCalibration: true,
  usesFrameworkKernels: true,
  id: 'roofline',
  supports: ['gemm', 'attention', 'gather', 'elementwise', 'collective'],
  cost: costOp,
};
