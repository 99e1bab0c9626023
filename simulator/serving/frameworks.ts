// Serving frameworks: the host-side time a framework spends per engine step (scheduling, sampling, detokenizing,
// Python and launch gaps) on top of the GPU kernels. Kernel calibration profiles price the kernels (Vidur's per-op
// timings); what a framework adds around them shows up only end to end, so it is fitted there:
// calibrate/fit-frameworks.ts, on the training split (4 of every 5 rows) of LLM-Inference-Bench's A100 runs
// (argonne-lcf/LLM-Inference-Bench, 2024 framework versions), with the shipped calibration profiles in place;
// llama.cpp's multi-GPU runs as it splits them by default, by layers (pp), the others as tensor parallel, and its
// rows as one sequence whose prompt goes in n_batch-token passes (the file's batch column; every pass pays the step).
import { z } from 'zod';

export const SERVING_FRAMEWORKS = ['none', 'vllm', 'tensorrt-llm', 'deepspeed-mii', 'llama.cpp'] as const;
export type ServingFramework = (typeof SERVING_FRAMEWORKS)[number];

/** Seconds added to every prefill and decode step (none: the kernels alone). */
// Refitted 2026-11-27 when GPU ops outside their curve's range began to pay its per-kernel overhead (roofline-backend.ts):
// vLLM 1.75 → 1.5 ms, TensorRT-LLM 0.25 → 0, llama.cpp 6.5 → 6.25 ms (DeepSpeed-MII unchanged).
export const FRAMEWORK_STEP_OVERHEAD_S: Readonly<Record<ServingFramework, number>> = {
  none: 0,
  vllm: 1.5e-3,
  'tensorrt-llm': 0,
  'deepspeed-mii': 6.25e-3,
  // 6.25 ms also while its batch column was read as concurrent sequences (held-out median/p90 then 17.3/49.2%).
  'llama.cpp': 6.25e-3,
};

export const FrameworkSchema = z.enum(SERVING_FRAMEWORKS)
  .describe("serving framework whose host overhead per step is added: none (kernels only), vllm, tensorrt-llm, deepspeed-mii, llama.cpp (fitted on LLM-Inference-Bench A100 runs)");
