// Efficiency factors: the fraction of a datasheet peak that real kernels reach. The defaults were fitted
// to measured A100/A40 operator times (Vidur) and LLM-Inference-Bench serving runs; see docs/accuracy.md.
// Calibration profiles (later) replace them per device.

export interface EfficiencyProfile {
  /** Fraction of the dtype's tensor peak that large GEMMs reach. */
  gemmCompute: number;
  /** GEMM dimension (m, n or k) at which tile under-use halves compute efficiency: eff·x/(x + half). */
  gemmHalfDim: number;
  /** Fraction of the tensor peak fused attention reaches on its matmuls, for long prompts. */
  attentionCompute: number;
  /** Query rows (batch × heads × new tokens) at which attention's compute efficiency halves (too few tiles to fill the chip). */
  attentionHalfRows: number;
  /** Fraction of the FP32 vector peak elementwise work reaches. */
  vector: number;
  /** Fraction of DRAM bandwidth GEMM and attention kernels reach. */
  memory: number;
  /** Fraction of DRAM bandwidth elementwise and gather kernels (norms, activations, RoPE, adds, embedding) reach. */
  elementwiseMemory: number;
  /** Host-side launch and kernel ramp per kernel, in seconds. */
  kernelOverheadS: number;
  /** Fraction of link bandwidth collectives reach. */
  network: number;
  /** Fixed software cost per collective call (NCCL/RCCL launch and sync), in seconds. */
  collectiveOverheadS: number;
  /** Serving-engine cost per forward pass (scheduling, sampling, host sync), in seconds. */
  stepOverheadS: number;
  /**
   * Serving-engine cost per sequence in each forward pass (preparing its inputs, sampling, detokenizing, bookkeeping),
   * in seconds (absent: 0). A serving framework sets it (./serving/frameworks.ts).
   */
  sequenceOverheadS?: number;
}

/**
 * Fitted by `npx tsx calibrate/fit-defaults.ts` on the training split (4 rows of 5) of Vidur's A100/A40
 * operator times and H100 DGX collectives, and LLM-Inference-Bench's A100 vLLM/TensorRT-LLM runs; held-out
 * errors in docs/accuracy.md. `vector` is not constrained by that data and keeps an engineering guess.
 */
export const DEFAULT_EFFICIENCY: Readonly<EfficiencyProfile> = {
  gemmCompute: 0.7,
  gemmHalfDim: 32,
  attentionCompute: 0.3,
  attentionHalfRows: 1024,
  vector: 0.5,
  memory: 0.7,
  elementwiseMemory: 0.5,
  kernelOverheadS: 4e-6,
  // 2026-11-26: refitted after Vidur's collective sizes were read as bytes (they had been read as fp16 elements,
  // twice the message: the fit then chose network 1 and 20 µs).
  network: 0.7,
  collectiveOverheadS: 25e-6,
  stepOverheadS: 0,
  sequenceOverheadS: 0,
};

/** Efficiency 1 and no overheads: the pure roofline, as GenZ (system_eff = 1) and LLM-Viewer compute it. */
export const IDEAL_EFFICIENCY: Readonly<EfficiencyProfile> = {
  gemmCompute: 1,
  gemmHalfDim: 0,
  attentionCompute: 1,
  attentionHalfRows: 0,
  vector: 1,
  memory: 1,
  elementwiseMemory: 1,
  kernelOverheadS: 0,
  network: 1,
  collectiveOverheadS: 0,
  stepOverheadS: 0,
  sequenceOverheadS: 0,
};
