// Picks the datapath an op's tensor work runs on, from the bits of its operands and what the device has.
// Low-precision operands on a part without that datapath are dequantized to the next wider one it has.
import type { ComputeDtype } from '../common/dtype.ts';
import type { PeakFlops } from '../hardware/device-schema.ts';

const FALLBACK: Readonly<Record<ComputeDtype, readonly ComputeDtype[]>> = {
  int4: ['int4', 'int8', 'fp8', 'fp16', 'bf16', 'fp32'],
  int8: ['int8', 'fp8', 'fp16', 'bf16', 'fp32'],
  fp8: ['fp8', 'fp16', 'bf16', 'fp32'],
  bf16: ['bf16', 'fp16', 'fp32'],
  fp16: ['fp16', 'bf16', 'fp32'],
  tf32: ['tf32', 'fp32'],
  fp32: ['fp32'],
  fp64: ['fp64', 'fp32'],
};

/** The dtype the operands ask for: both ≤ 4 bits → int4, both ≤ 8 → fp8/int8 (by base), else the base dtype. */
export function requestedDtype(actBits: number, weightBits: number | null, base: ComputeDtype): ComputeDtype {
  const widest = Math.max(actBits, weightBits ?? actBits);
  if (widest <= 4) return 'int4';
  if (widest <= 8) return base === 'fp8' ? 'fp8' : base === 'int8' ? 'int8' : base === 'fp16' || base === 'bf16' ? 'int8' : base;
  if (base === 'fp8' || base === 'int8' || base === 'int4') return 'bf16';
  return base;
}

/** The first dtype of the fallback chain the device has a peak for. */
export function availableDtype(want: ComputeDtype, peaks: PeakFlops): ComputeDtype {
  for (const candidate of FALLBACK[want]) {
    if (peaks[candidate] !== undefined) return candidate;
  }
  return 'fp32';
}

export function peakFor(dtype: ComputeDtype, peaks: PeakFlops): number {
  return peaks[dtype] ?? peaks.fp32;
}

export function dtypeBits(dtype: ComputeDtype): number {
  switch (dtype) {
    case 'int4': return 4;
    case 'int8': case 'fp8': return 8;
    case 'bf16': case 'fp16': return 16;
    case 'tf32': case 'fp32': return 32;
    case 'fp64': return 64;
  }
}
