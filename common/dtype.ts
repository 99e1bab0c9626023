// Compute dtypes a device may list a dense peak for, and their storage size.
// `fp32` is non-tensor FP32 (CUDA cores); `tf32` is the tensor-core format with its own peak.

export const COMPUTE_DTYPES = ['fp64', 'fp32', 'tf32', 'bf16', 'fp16', 'fp8', 'int8', 'int4'] as const;
export type ComputeDtype = (typeof COMPUTE_DTYPES)[number];

/** Bits of one element when stored in memory (tf32 is stored as fp32). */
export const DTYPE_STORAGE_BITS: Readonly<Record<ComputeDtype, number>> = {
  fp64: 64,
  fp32: 32,
  tf32: 32,
  bf16: 16,
  fp16: 16,
  fp8: 8,
  int8: 8,
  int4: 4,
};

export function isComputeDtype(value: string): value is ComputeDtype {
  return (COMPUTE_DTYPES as readonly string[]).includes(value);
}
