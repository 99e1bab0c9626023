// The measurement format shared by kernels-ref (which writes it) and calibrate/ (which reads it): JSON Lines,
// one measured kernel per line. Every reader validates each line with this schema and reports bad lines by number.
import { z } from 'zod';
import { BLAS_LAYOUTS } from '../models/ops.ts';

export const MEASUREMENT_SCHEMA_ID = 'genz.measurement.v1';

/** Kernels kernels-ref runs, and the public datasets' operators, by name. */
export const KERNELS = [
  'gemm-naive', 'gemm-smem', 'gemm-tensor', 'gemm-blas', 'gemm', 'batched-gemm', 'gemv', 'flat-gemm',
  'attention-naive', 'attention-flash', 'softmax', 'rmsnorm', 'layernorm', 'add', 'mul', 'silu', 'gelu', 'silu-mul',
  'rope', 'embedding', 'selective-scan', 'conv1d', 'lut-gemv', 'memcpy', 'empty', 'all-reduce', 'send-recv',
] as const;
export type KernelName = (typeof KERNELS)[number];

/** The operator family a kernel belongs to: what a calibration profile fits one curve for. */
export const FAMILIES = ['gemm', 'attention', 'softmax', 'norm', 'elementwise', 'embedding', 'scan', 'conv', 'lut-gemv', 'memcpy', 'launch', 'collective'] as const;
export type KernelFamily = (typeof FAMILIES)[number];

export const FAMILY_OF: Readonly<Record<KernelName, KernelFamily>> = {
  'gemm-naive': 'gemm', 'gemm-smem': 'gemm', 'gemm-tensor': 'gemm', 'gemm-blas': 'gemm', gemm: 'gemm', 'batched-gemm': 'gemm',
  gemv: 'gemm', 'flat-gemm': 'gemm', 'attention-naive': 'attention', 'attention-flash': 'attention', softmax: 'softmax',
  rmsnorm: 'norm', layernorm: 'norm', add: 'elementwise', mul: 'elementwise', silu: 'elementwise', gelu: 'elementwise',
  'silu-mul': 'elementwise', rope: 'elementwise', embedding: 'embedding', 'selective-scan': 'scan', conv1d: 'conv',
  'lut-gemv': 'lut-gemv', memcpy: 'memcpy', empty: 'launch', 'all-reduce': 'collective', 'send-recv': 'collective',
};

const seconds = z.number().finite('must be a finite number').nonnegative('must not be negative');

export const MeasurementSchema = z
  .object({
    schema: z.literal(MEASUREMENT_SCHEMA_ID),
    source: z.string().min(1).describe('kernels-ref, pytorch (kernels-ref/torch-ops.py), or the public dataset it was imported from (vidur, llmcompass, neusight, deepbench, mlperf)'),
    device: z
      .object({
        name: z.string().min(1).describe('as the runtime reports it, e.g. "NVIDIA H100 80GB HBM3"'),
        id: z.string().optional().describe('the genz hardware preset id this device is, when known (e.g. "a100-80gb-sxm")'),
        backend: z.enum(['cpu', 'cuda', 'hip', 'other']),
        computeUnits: z.number().int().positive().optional().describe('SMs, CUs or CPU threads'),
        clockHz: z.number().positive().optional(),
        memoryBytes: z.number().positive().optional(),
        driver: z.string().optional(),
        runtime: z.string().optional(),
      })
      .strict(),
    system: z.string().min(1).optional()
      .describe('the genz system preset the run was made on, where its fabric matters (collectives: e.g. "8x-h100-hgx", NVSwitch with in-network reduction)'),
    kernel: z.enum(KERNELS),
    variant: z.string().optional().describe('implementation detail, e.g. "tile=32"'),
    shape: z.record(z.string(), z.number().finite().nonnegative()).describe('kernel-specific sizes, e.g. {m, n, k, batch}'),
    layout: z.enum(BLAS_LAYOUTS).optional()
      .describe("GEMM only: transposes of the column-major BLAS call C (n×m) = op(W)·op(X), W the weight ('TN': torch.nn.Linear, its out × in weight read transposed; 'NN': torch.matmul of contiguous row-major tensors); absent: not recorded"),
    dtype: z.enum(['fp64', 'fp32', 'tf32', 'bf16', 'fp16', 'fp8', 'int8', 'int4', 'int3', 'int2']),
    medianS: seconds.positive('must be positive'),
    minS: seconds.optional(),
    maxS: seconds.optional(),
    repeats: z.number().int().positive().optional(),
    flops: z.number().finite().nonnegative().describe('FLOPs of one run (2 per multiply-add)'),
    bytes: z.number().finite().nonnegative().describe('minimum DRAM bytes of one run'),
    achievedFlopsPerS: z.number().finite().nonnegative().optional(),
    achievedBytesPerS: z.number().finite().nonnegative().optional(),
    maxAbsError: z.number().finite().nonnegative().optional().describe('against the CPU reference (kernels-ref only)'),
    measuredAt: z.string().optional().describe('ISO date'),
    timing: z.enum(['graph-replay']).optional()
      .describe("how the time was taken, when not as events around back-to-back calls: 'graph-replay' (kref run --graph), the batch as one CUDA/HIP graph, the device's time without the host's dispatch of each call"),
  })
  .strict();

export type Measurement = z.output<typeof MeasurementSchema>;
