// The estimate request: mirrors the CLI flags. Validated once at the API edge.
import { z } from 'zod';
import { COMPUTE_DTYPES, DTYPE_STORAGE_BITS, type ComputeDtype } from '../../common/dtype.ts';
import { parseWith } from '../../common/zod-errors.ts';
import type { EfficiencyProfile } from '../efficiency.ts';
import { EngineSchema } from '../engines.ts';
import { FrameworkCostsSchema, FrameworkSchema } from './frameworks.ts';
import { LowBitKernelSchema } from '../cpu-lowbit.ts';

const int = (min: number, max: number, what: string) =>
  z.number().int(`${what} must be a whole number`).min(min, `${what} must be at least ${min}`).max(max, `${what} must be at most ${max}`).describe(what);

export const DEFAULT_MODEL = 'llama-3.1-8b';
export const DEFAULT_HARDWARE = 'h100-sxm';

export const EfficiencyOverrideSchema = z
  .object({
    gemmCompute: z.number().gt(0).max(1),
    gemmHalfDim: z.number().min(0).max(1e6),
    attentionCompute: z.number().gt(0).max(1),
    attentionHalfRows: z.number().min(0).max(1e12),
    vector: z.number().gt(0).max(1),
    memory: z.number().gt(0).max(1),
    elementwiseMemory: z.number().gt(0).max(1),
    stepOverheadS: z.number().min(0).max(10),
    kernelOverheadS: z.number().min(0).max(1),
    network: z.number().gt(0).max(1),
    collectiveOverheadS: z.number().min(0).max(1),
    sequenceOverheadS: z.number().min(0).max(1),
  })
  .partial()
  .strict();

export const EstimateRequestSchema = z
  .object({
    model: z.union([z.string().min(1), z.record(z.string(), z.unknown())], { error: 'expected a model id or a config object' })
      .default(DEFAULT_MODEL).describe('model id or config object'),
    hardware: z.union([z.string().min(1), z.record(z.string(), z.unknown())], { error: 'expected a device or system id, or a spec object' })
      .default(DEFAULT_HARDWARE).describe('device/system id or spec object'),
    devices: int(1, 1_000_000, 'devices').optional().describe('devices used (default: tp × pp, or all of a system)'),
    tp: int(1, 4096, 'tp').default(1).describe('tensor-parallel degree'),
    pp: int(1, 4096, 'pp').default(1).describe('pipeline-parallel degree'),
    ep: int(1, 4096, 'ep').default(1).describe('expert-parallel degree (within the TP group)'),
    batch: int(1, 1_000_000, 'batch').default(1).describe('concurrent sequences'),
    inputTokens: int(1, 100_000_000, 'inputTokens').default(1024).describe('prompt tokens per sequence'),
    outputTokens: int(1, 100_000_000, 'outputTokens').default(256).describe('generated tokens per sequence'),
    dtype: z.enum(COMPUTE_DTYPES).default('bf16').describe('compute dtype; also the default storage precision'),
    wbits: z.number().min(1, 'wbits must be at least 1').max(32, 'wbits must be at most 32').optional()
      .describe('bits per weight, fractional allowed (1.58 for ternary); default: the model\'s own, else the activation bits (abits, else dtype bits)'),
    abits: int(1, 32, 'abits').optional().describe('activation bits (default: dtype bits)'),
    kvbits: int(1, 32, 'kvbits').optional().describe('KV-cache bits (default: abits)'),
    flash: z.boolean().default(true).describe('fused flash-style attention'),
    promptLogits: z.boolean().default(false)
      .describe('prefill computes logits at every prompt token, as a Hugging Face forward() does (scoring, perplexity); serving engines compute the last token\'s only'),
    identicalPrompts: z.boolean().default(false)
      .describe('every sequence of the batch is the same prompt (benchmarks that repeat one prompt): a mixture of experts routes them alike, so a step reads the experts of one sequence\'s tokens, not of the whole batch\'s'),
    groupSize: int(1, 1_000_000, 'groupSize').default(128).describe('weights per quantization scale for sub-8-bit weights'),
    workspaceBytes: z.number().min(0).max(1e15).default(1e9).describe('per-device runtime reserve: CUDA context, library workspaces, allocator slack'),
    speculative: z
      .object({
        draft: z.union([z.string().min(1), z.record(z.string(), z.unknown())], { error: 'expected a draft model id or config object' })
          .describe('draft model id or config'),
        acceptance: z.union([z.number().min(0).max(1), z.array(z.number().min(0).max(1)).min(1).max(64)])
          .describe('α, the chance a draft token is accepted; or for trees Sequoia\'s positional acceptance vector (rank 1 first)'),
        gamma: int(1, 64, 'gamma').optional().describe('chain speculation: draft tokens per step (default 4)'),
        treeBranching: z.array(int(1, 64, 'treeBranching')).min(1).max(32).optional().describe('tree speculation: children per node at each depth, e.g. [4, 2, 1]'),
        treeSize: int(1, 4096, 'treeSize').optional().describe('tree speculation: the best (Sequoia) tree of this many tokens'),
      })
      .strict()
      .optional()
      .describe('speculative decoding with a draft model (chain or tree verification)'),
    images: int(0, 10_000, 'images').optional().describe('images per sequence for a vision-language model (default 1)'),
    calibration: z
      .union([z.literal('default'), z.literal('none'), z.record(z.string(), z.unknown())])
      .optional()
      .describe("'default' (the shipped profile of the device, if any), 'none', or a calibration profile object; default: 'default' unless `efficiency` is overridden"),
    maxContext: z.boolean().default(false).describe('also report maxContextTokens, the longest prompt that fits'),
    engine: EngineSchema.default('roofline'),
    framework: FrameworkSchema.default('none'),
    frameworkCosts: FrameworkCostsSchema.optional()
      .describe("the serving framework's costs (host time, all-reduce kernels, KV re-reads), in place of the ones fitted for `framework` (another version, another host)"),
    threads: int(1, 4096, 'threads').optional().describe('CPU devices: threads the run uses (default: all cores)'),
    lowBitKernel: LowBitKernelSchema.optional().describe('CPU devices: kernel for sub-8-bit weights (default dequant)'),
    efficiency: EfficiencyOverrideSchema.optional().describe('overrides of the default efficiency factors'),
  })
  .strict();

export type EstimateRequest = z.input<typeof EstimateRequestSchema>;
export type ParsedEstimateRequest = z.output<typeof EstimateRequestSchema>;
export type EfficiencyOverride = Partial<EfficiencyProfile>;

export function parseEstimateRequest(request: unknown): ParsedEstimateRequest {
  return parseWith(EstimateRequestSchema, request ?? {});
}

export function dtypeBitsOf(dtype: ComputeDtype): number {
  return DTYPE_STORAGE_BITS[dtype];
}
