// Default microarchitecture per GPU generation, for the fields a datasheet preset does not carry. Each value is a
// whitepaper figure where one exists; the rest are engineering estimates, marked so (docs/cycle.md has the table).
// tensorEfficiency comes from measured Maximum Achievable Matmul FLOPS (data/mamf_bf16_matmul_measured.csv: the best
// BF16 GEMM over a shape sweep, stas00/ml-engineering's MAMF table): ampere-ga100 ← A100 SXM 0.859, hopper ← H100 SXM
// 0.801, cdna2 ← MI250X (one GCD) 0.767, cdna3 ← MI300X 0.601; the other generations keep labelled estimates.
// dramEfficiency and kernelLaunchS were checked against the training split of the accuracy data
// (calibrate/accuracy/cycle-accuracy.ts), never the held-out rows.
import type { Device, GpuGeneration, MemoryTechnology } from '../../../hardware/device-schema.ts';

export interface GenerationDefaults {
  /** Shared memory per SM usable by blocks (whitepapers: V100 96 KB, T4 64 KB, A100 164 KB, GA10x/Ada 100 KB, H100 228 KB, CDNA LDS 64 KB). */
  smemPerSmBytes: number;
  /** Shared-memory bandwidth per SM per clock: 32 banks × 4 B on every NVIDIA part since Volta; CDNA LDS 128 B/clk. */
  smemBytesPerClk: number;
  maxCtasPerSm: number;
  maxThreadsPerSm: number;
  /** L2 bandwidth per SM per clock (GA100: 5120 B/clk over 108 SMs per LLMCompass configs/GA100.json; CDNA 2/3 whitepapers: 16 channels × 128 B/clk per GCD/XCD; others estimates). */
  l2BytesPerClkPerSm: number;
  /** L2 slice size in bytes (A100: 80 × 512 KB). */
  l2SliceBytes: number;
  l2HitCycles: number;
  dramLatencyS: number;
  /** Sustained fraction of the tensor peak on large GEMMs: MAMF where measured (see the file comment), else an estimate. */
  tensorEfficiency: number;
  vectorEfficiency: number;
  maxStages: number;
  /**
   * Thread-instructions an SM issues per clock: 4 schedulers × 1 warp-instruction × 32 threads on NVIDIA since Volta
   * (Volta/Ampere/Hopper whitepapers); CDNA: 4 SIMDs, one 64-wide wavefront instruction per SIMD every 4 clocks = 64.
   * Streaming kernels whose threads wait on memory in lockstep pay their instruction issue on top of the latency.
   */
  issueThreadInstrPerClk: number;
  /** FP32 FLOP per SM per clock: only to derive a clock the preset does not state. */
  fp32FlopsPerClkPerSm: number;
  /** Warp tile (rows × columns of C one warp or warpgroup owns): how often A and B are re-read from shared memory. */
  warpTileM: number;
  warpTileN: number;
  /** CTAs of a thread-block cluster that share one L2 read of an operand tile (Hopper TMA multicast): 1 = none. */
  clusterMulticast: number;
}

/**
 * Measured MAMF / theoretical peak (BF16 dense) from data/mamf_bf16_matmul_measured.csv (stas00/ml-engineering,
 * compute/accelerator/README.md, CC-BY-SA-4.0): A100 SXM 267.9/312, H100 SXM 792.1/989, MI250X one GCD 147.0/191.5,
 * MI300X 781.9/1300. Transcribed here because the core reads no files; a test checks them against the CSV.
 */
export const MAMF_EFFICIENCY = { a100Sxm: 0.859, h100Sxm: 0.801, mi250xGcd: 0.767, mi300x: 0.601 } as const;

const NVIDIA_BASE = { smemBytesPerClk: 128, issueThreadInstrPerClk: 128, l2SliceBytes: 512 * 1024, l2HitCycles: 200, vectorEfficiency: 0.8, warpTileM: 64, warpTileN: 64, clusterMulticast: 1 };

export const GENERATION_DEFAULTS: Readonly<Record<GpuGeneration, GenerationDefaults>> = {
  volta: { ...NVIDIA_BASE, smemPerSmBytes: 96 * 1024, maxCtasPerSm: 32, maxThreadsPerSm: 2048, l2BytesPerClkPerSm: 24, l2SliceBytes: 192 * 1024, dramLatencyS: 450e-9, tensorEfficiency: 0.85, maxStages: 2, fp32FlopsPerClkPerSm: 128 },
  turing: { ...NVIDIA_BASE, smemPerSmBytes: 64 * 1024, maxCtasPerSm: 16, maxThreadsPerSm: 1024, l2BytesPerClkPerSm: 24, dramLatencyS: 450e-9, tensorEfficiency: 0.8, maxStages: 2, fp32FlopsPerClkPerSm: 128 },
  'ampere-ga100': { ...NVIDIA_BASE, smemPerSmBytes: 164 * 1024, maxCtasPerSm: 32, maxThreadsPerSm: 2048, l2BytesPerClkPerSm: 48, dramLatencyS: 500e-9, tensorEfficiency: MAMF_EFFICIENCY.a100Sxm, maxStages: 5, fp32FlopsPerClkPerSm: 128 },
  'ampere-ga10x': { ...NVIDIA_BASE, smemPerSmBytes: 100 * 1024, maxCtasPerSm: 16, maxThreadsPerSm: 1536, l2BytesPerClkPerSm: 32, dramLatencyS: 450e-9, tensorEfficiency: 0.8, maxStages: 4, fp32FlopsPerClkPerSm: 256 },
  ada: { ...NVIDIA_BASE, smemPerSmBytes: 100 * 1024, maxCtasPerSm: 24, maxThreadsPerSm: 1536, l2BytesPerClkPerSm: 32, dramLatencyS: 450e-9, tensorEfficiency: 0.8, maxStages: 4, fp32FlopsPerClkPerSm: 256 },
  hopper: { ...NVIDIA_BASE, smemPerSmBytes: 228 * 1024, maxCtasPerSm: 32, maxThreadsPerSm: 2048, l2BytesPerClkPerSm: 40, l2HitCycles: 260, dramLatencyS: 500e-9, tensorEfficiency: MAMF_EFFICIENCY.h100Sxm, maxStages: 6, fp32FlopsPerClkPerSm: 256, warpTileN: 128, clusterMulticast: 2 },
  blackwell: { ...NVIDIA_BASE, smemPerSmBytes: 228 * 1024, maxCtasPerSm: 32, maxThreadsPerSm: 2048, l2BytesPerClkPerSm: 48, l2HitCycles: 300, dramLatencyS: 550e-9, tensorEfficiency: 0.8, maxStages: 6, fp32FlopsPerClkPerSm: 256, warpTileN: 128, clusterMulticast: 2 },
  cdna2: { ...NVIDIA_BASE, issueThreadInstrPerClk: 64, smemPerSmBytes: 64 * 1024, maxCtasPerSm: 32, maxThreadsPerSm: 2560, l2BytesPerClkPerSm: 20, l2SliceBytes: 512 * 1024, dramLatencyS: 550e-9, tensorEfficiency: MAMF_EFFICIENCY.mi250xGcd, maxStages: 2, fp32FlopsPerClkPerSm: 128 },
  cdna3: { ...NVIDIA_BASE, issueThreadInstrPerClk: 64, smemPerSmBytes: 64 * 1024, maxCtasPerSm: 32, maxThreadsPerSm: 2560, l2BytesPerClkPerSm: 54, l2SliceBytes: 2 * 1024 * 1024, dramLatencyS: 600e-9, tensorEfficiency: MAMF_EFFICIENCY.mi300x, maxStages: 2, fp32FlopsPerClkPerSm: 256 },
};

/** Fraction of peak DRAM bandwidth a streaming kernel sustains, by technology (estimates: STREAM-like copies reach 85–92%). */
export const DRAM_EFFICIENCY: Readonly<Record<MemoryTechnology, number>> = {
  hbm2: 0.88, hbm2e: 0.88, hbm3: 0.9, hbm3e: 0.9, gddr6: 0.88, gddr6x: 0.88, lpddr5: 0.85, lpddr5x: 0.85, ddr5: 0.85,
};

/** Fixed cost of one kernel on the GPU (launch, first dispatch, drain); estimate, checked on the training split. */
export const DEFAULT_KERNEL_LAUNCH_S = 1e-6;
export const DEFAULT_CTA_LAUNCH_CYCLES = 150;
export const DEFAULT_K_STEP_OVERHEAD_CYCLES = 16;

/**
 * The generation of a device without `microarch.generation`, from what the datasheet fields say: vendor, which
 * dtypes have a tensor path, the memory technology, the L2 size and the BF16 peak.
 */
export function inferGeneration(device: Device): GpuGeneration {
  const p = device.peakFlopsPerS;
  const tech = device.memory[0]!.technology;
  const hbm = tech.startsWith('hbm');
  if (/amd/i.test(device.vendor)) return p.fp8 !== undefined || p.tf32 !== undefined ? 'cdna3' : 'cdna2';
  if (p.fp8 !== undefined) {
    if (!hbm) return 'ada';
    return (p.bf16 ?? p.fp16 ?? 0) >= 1.5e15 ? 'blackwell' : 'hopper';
  }
  if (p.bf16 === undefined && p.tf32 === undefined) return p.int8 === undefined ? 'volta' : 'turing';
  return hbm || device.onChip.l2Bytes >= 32e6 ? 'ampere-ga100' : 'ampere-ga10x';
}
