// Low-bit weight GEMMs on a CPU (a device with a `cpu` block): the two kernel families that run them, priced by
// vector operations per weight and activation row in FP32 FLOP equivalents of the cores' SIMD peak.
//   dequant: llama.cpp's k-quant / Q4_0 dot products unpack each weight, scale it and multiply-add it (about the same
//            work at every width: the unpacking, not the bits, dominates).
//   lut:     T-MAC (EuroSys'25, arXiv 2407.00088) splits a b-bit weight into b one-bit planes and looks up precomputed
//            partial sums of 4 activations per plane: work grows linearly in the bits, and there is no multiply.
// The constants are fitted by calibrate/fit-cpu-lowbit.ts on T-MAC's decode runs (data/tmac_lut_cpu_tokens_per_s_jetson_surface7.csv:
// Jetson AGX Orin and Snapdragon X Elite, 1–12 threads, BitNet-3B and Llama-2-7B at 2 and 4 bits); docs/accuracy.md
// has the fit and its error.
import { z } from 'zod';
import { GenzError } from '../common/errors.ts';
import type { Device } from '../hardware/device-schema.ts';

export const LOW_BIT_KERNELS = ['dequant', 'lut'] as const;
export type LowBitKernel = (typeof LOW_BIT_KERNELS)[number];

export const LowBitKernelSchema = z.enum(LOW_BIT_KERNELS)
  .describe('CPU kernel for sub-8-bit weights: dequant (llama.cpp: unpack, scale, multiply-add) or lut (T-MAC: table lookups per bit plane)');

/** Vector ops per weight per activation row: a + b × bits (fitted; see the file comment). */
export interface LowBitKernelCost {
  opsPerWeight: number;
  opsPerWeightBit: number;
}

export const CPU_LOW_BIT_KERNEL_COST: Readonly<Record<LowBitKernel, LowBitKernelCost>> = {
  // 2026-11-27, training split (92 rows), with each fitted CPU's speed on the kernels (hardware/presets/cpu.ts): 7.19;
  // 0.90 + 0.136 × bits. Held-out median / p90 % error in docs/accuracy.md.
  dequant: { opsPerWeight: 7.19, opsPerWeightBit: 0 },
  lut: { opsPerWeight: 0.9, opsPerWeightBit: 0.136 },
};

/** Refuses a CPU-only request field (`key`: threads, lowBitKernel) that was given for a device without a cpu block. */
export function requireCpu(device: Device, key: string, given: unknown): void {
  if (given !== undefined && device.cpu === undefined) {
    throw new GenzError('invalid_input', `${key} applies to CPU devices (a spec with a cpu block); ${device.id} has none`, [key]);
  }
}

/** Weights narrower than this take a low-bit kernel on a CPU; 8-bit and wider run as ordinary GEMMs. */
export const LOW_BIT_MAX_BITS = 8;

/** T-MAC's kernels take 1- to 4-bit weights (bit planes of a 4-bit index table). */
export const LUT_MAX_BITS = 4;

/** FP32-equivalent vector ops of a low-bit GEMM of `weightBits` (as the op stores them: the scales' share included). */
export function lowBitOps(kernel: LowBitKernel, weightBits: number, batch: number, m: number, n: number, k: number,
  costs: Readonly<Record<LowBitKernel, LowBitKernelCost>> = CPU_LOW_BIT_KERNEL_COST): number {
  const cost = costs[kernel];
  return batch * m * n * k * (cost.opsPerWeight + cost.opsPerWeightBit * weightBits);
}
