// Storage precision of a deployed model: weights, activations and KV cache separately.

export interface Precision {
  /** Bits per weight of the quantized linear layers (2–16, 32). */
  weightBits: number;
  /** Bits per activation element between ops. */
  actBits: number;
  /** Bits per KV-cache element. */
  kvBits: number;
  /** Bits of embedding and LM-head weights (kept at activation precision, as GPTQ/AWQ/vLLM do). */
  embeddingBits: number;
  /** Weights per quantization group for sub-8-bit weights (one 16-bit scale per group). */
  groupSize: number;
}

/** Bits per weight including one 16-bit scale per group for sub-8-bit weights. */
export function effectiveWeightBits(p: Precision): number {
  return p.weightBits < 8 ? p.weightBits + 16 / p.groupSize : p.weightBits;
}
