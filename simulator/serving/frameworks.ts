// Serving frameworks: the host-side time a framework spends per engine step and per sequence in it (scheduling,
// sampling, detokenizing, Python and launch gaps) on top of the GPU kernels, what its all-reduce calls cost and how
// much more its decode attention reads.
// Kernel calibration profiles price the kernels (Vidur's per-op timings, each op timed alone); what a framework adds
// around them shows up only end to end, so it is fitted there:
// calibrate/fit-frameworks.ts, on the training split (4 of every 5 rows) of LLM-Inference-Bench's A100 runs
// (argonne-lcf/LLM-Inference-Bench, 2024 framework versions), with the shipped calibration profiles in place;
// llama.cpp's multi-GPU runs as it splits them by default, by layers (pp), the others as tensor parallel, and its
// rows as one sequence whose prompt goes in n_batch-token passes (the file's batch column; every pass pays the step).
import { z } from 'zod';
import type { OwnAllReduce } from '../collectives.ts';

export const SERVING_FRAMEWORKS = ['none', 'vllm', 'tensorrt-llm', 'deepspeed-mii', 'llama.cpp'] as const;
export type ServingFramework = (typeof SERVING_FRAMEWORKS)[number];

/** What a serving framework adds to the kernels and how its kernels differ, fitted end to end (calibrate/fit-frameworks.ts). */
export interface FrameworkCosts {
  /** Host time per forward pass (scheduling, Python and launch gaps), seconds. */
  stepS: number;
  /**
   * Host time per sequence in each forward pass (preparing its inputs, sampling, detokenizing, output bookkeeping),
   * seconds: the CPU work that grows with the batch, which a constant per step cannot follow.
   */
  sequenceS: number;
  /** Its own all-reduce kernels; null: it calls NCCL/RCCL (the device's pricing), or runs no all-reduces (llama.cpp). */
  allReduce: OwnAllReduce | null;
  /**
   * Time per pipeline boundary in each forward pass, seconds (absent: 0): a runtime that hands activations from one
   * device to the next itself and waits for them (llama.cpp's layer split) pays more than the hand-off's transfer. The
   * file's Llama-2-7B decode steps on A100s take 17.2, 18.1 and 20.3 ms on 1, 2 and 4 GPUs (a review, 2026-11-27).
   */
  stageS?: number;
  /**
   * Decode attention with grouped KV heads (GQA): the share of the extra KV reads that reach DRAM when the kernel reads
   * each KV head once per query head it serves (0–1; extra bytes = KV bytes × (query heads per KV head − 1) × share).
   * vLLM's 2024 paged-attention kernels run one thread block per query head (csrc/attention/attention_kernels.cu), so
   * the query heads of a group each read their KV head, from L2 or DRAM; FlashAttention, whose timings the attention
   * curves and defaults are fitted on, and TensorRT-LLM's XQA kernels read it once. The extra bytes stretch the decode
   * attention's memory time (simulator/roofline/roofline-backend.ts kvRereadBytes; roofline engine only). Fitted end to
   * end, so it also carries what else in a framework's decode attention costs with the group size.
   */
  kvRereadShare: number;
}

const CUSTOM_ALL_REDUCE = { maxBytes: 8 * 1024 * 1024, groupSizes: [2, 4, 6, 8], vendors: ['NVIDIA'] } as const;

/**
 * Per framework (none: the kernels alone), fitted 2026-11-27. Before, one host-time constant per step (vLLM 1.5 ms,
 * TensorRT-LLM 0, DeepSpeed-MII 6.25 ms, llama.cpp 6.25 ms) left batch-1 tensor-parallel runs priced at 1.2–1.4× their
 * time and batch-64 runs of GQA models at 0.7–0.8× (docs/accuracy.md has the errors before and after). DeepSpeed-MII
 * calls NCCL: an exploration fit (not kept) with a free per-call time put its all-reduce at 24 µs, NCCL's ≈25 µs, so it
 * keeps the device's pricing. TensorRT-LLM's KV re-read share (0.15) is a fitted number, not its kernel's design: its XQA
 * kernels read a KV head once, so the share stands for whatever else in its runs grows with the group size.
 */
export const FRAMEWORK_COSTS: Readonly<Record<ServingFramework, FrameworkCosts>> = {
  none: { stepS: 0, sequenceS: 0, allReduce: null, kvRereadShare: 0 },
  vllm: { stepS: 0.75e-3, sequenceS: 70e-6, allReduce: { callS: 8e-6, ...CUSTOM_ALL_REDUCE }, kvRereadShare: 0.2 },
  'tensorrt-llm': { stepS: 0.25e-3, sequenceS: 15e-6, allReduce: { callS: 9e-6, ...CUSTOM_ALL_REDUCE }, kvRereadShare: 0.15 },
  'deepspeed-mii': { stepS: 3.75e-3, sequenceS: 95e-6, allReduce: null, kvRereadShare: 0.45 },
  // One sequence per run (its batch column is n_batch), so its host time is all per step.
  'llama.cpp': { stepS: 5.5e-3, sequenceS: 0, allReduce: null, stageS: 1e-3, kvRereadShare: 1 },
};

/** A framework's costs of one's own (another version of it, another host CPU), in place of the fitted ones. */
export const FrameworkCostsSchema = z.object({
  stepS: z.number().min(0).max(10).describe('host time per forward pass, seconds'),
  sequenceS: z.number().min(0).max(1).describe('host time per sequence in each forward pass, seconds'),
  allReduce: z.object({
    callS: z.number().min(0).max(1).describe('fixed time of one call, seconds'),
    maxBytes: z.number().min(0).describe('messages it takes are smaller than this, bytes'),
    groupSizes: z.array(z.number().int().min(2)).readonly().describe('group sizes it supports'),
    vendors: z.array(z.string().min(1)).readonly().describe('device vendors it runs on (the device spec\'s vendor, any case)'),
  }).strict().nullable().default(null).describe("the framework's own all-reduce kernels; null or absent: NCCL's (the device's pricing)"),
  stageS: z.number().min(0).max(1).optional().describe('time per pipeline boundary in each forward pass (a runtime that hands activations between devices itself), seconds'),
  kvRereadShare: z.number().min(0).max(1).default(0)
    .describe('decode attention with grouped KV heads: share of the extra KV reads (one per query head) that reach DRAM'),
}).strict();

export const FrameworkSchema = z.enum(SERVING_FRAMEWORKS)
  .describe("serving framework whose costs are added (host time per step and per sequence, its own all-reduce kernels, its decode attention's KV re-reads): none (kernels only), vllm, tensorrt-llm, deepspeed-mii, llama.cpp (fitted on LLM-Inference-Bench A100 runs)");
