// The spec of one device (a GPU, TPU, NPU or SoC). Rates are what the part sustains under load
// at the clock named in `clock`, dense (not structured-sparse), in SI units.
import { z } from 'zod';

/** A positive rate or size no smaller than `min`: guards against 1e-300 specs whose results overflow. */
const atLeast = (min: number, what: string) => z.number().finite().min(min, `must be at least ${min}`).max(1e21, 'must be at most 1e21').describe(what);

export const DEVICE_KINDS = ['gpu', 'tpu', 'npu', 'soc', 'cpu'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const MEMORY_TECHNOLOGIES = ['hbm2', 'hbm2e', 'hbm3', 'hbm3e', 'gddr6', 'gddr6x', 'lpddr5', 'lpddr5x', 'ddr5'] as const;
export type MemoryTechnology = (typeof MEMORY_TECHNOLOGIES)[number];

export const PeakFlopsSchema = z
  .object({
    fp64: atLeast(1e6, 'FP64 FLOP/s (tensor-core FP64 where the part has it)').optional(),
    fp32: atLeast(1e6, 'non-tensor FP32 FLOP/s (CUDA cores / vector units)'),
    tf32: atLeast(1e6, 'TF32 tensor FLOP/s, dense').optional(),
    bf16: atLeast(1e6, 'BF16 tensor FLOP/s, dense').optional(),
    fp16: atLeast(1e6, 'FP16 tensor FLOP/s with FP32 accumulate, dense').optional(),
    fp8: atLeast(1e6, 'FP8 tensor FLOP/s, dense').optional(),
    int8: atLeast(1e6, 'INT8 tensor OP/s, dense').optional(),
    int4: atLeast(1e6, 'INT4 tensor OP/s, dense').optional(),
  })
  .strict()
  .describe('Dense peak rate per dtype in FLOP/s (OP/s for integers); a missing dtype has no native datapath');

export const MemoryLevelSchema = z
  .object({
    name: z.string().min(1).describe('e.g. "HBM3", "LPDDR5X (Grace)"'),
    technology: z.enum(MEMORY_TECHNOLOGIES).describe('DRAM technology, picks the access energy per bit'),
    capacityBytes: atLeast(1e3, 'usable capacity in bytes (decimal GB x 1e9 unless the datasheet says GiB)'),
    bandwidthBytesPerS: atLeast(1e3, 'peak bandwidth in bytes/s'),
  })
  .strict();

export const OnChipSchema = z
  .object({
    l2Bytes: atLeast(1, 'last-level on-chip cache or SRAM in bytes'),
    bandwidthBytesPerS: atLeast(1e3, 'on-chip (L2/SRAM) bandwidth in bytes/s').optional(),
  })
  .strict();

export const PowerSchema = z
  .object({
    tdpW: atLeast(1e-3, 'board power limit (TDP/TBP) in watts'),
    idleW: atLeast(1e-6, 'power drawn while idle but powered, in watts'),
  })
  .strict();

export const LinkSchema = z
  .object({
    name: z.string().min(1).describe('e.g. "PCIe 5.0 x16", "NVLink 4"'),
    bandwidthBytesPerS: atLeast(1e3, 'bandwidth per direction per device in bytes/s'),
    latencyS: atLeast(1e-12, 'one-hop latency in seconds').optional(),
    inNetworkReduction: z
      .boolean()
      .optional()
      .describe('the switch the link meets reduces all-reduce data itself (NVLink SHARP / NVLS: an SXM GPU on its HGX board)'),
  })
  .strict();

export const GPU_GENERATIONS = ['volta', 'turing', 'ampere-ga100', 'ampere-ga10x', 'ada', 'hopper', 'blackwell', 'cdna2', 'cdna3'] as const;
export type GpuGeneration = (typeof GPU_GENERATIONS)[number];

const fraction = (what: string) => z.number().finite().gt(0, 'must be above 0').max(1, 'must be at most 1').describe(what);
const positive = (what: string) => z.number().finite().positive('must be positive').max(1e21, 'must be at most 1e21').describe(what);
const count = (what: string) => z.number().int('must be a whole number').positive('must be positive').max(1e6, 'must be at most 1e6').describe(what);

/** A GEMM tiling forced on the cycle engine's mapper (for what-if studies); it must fit shared memory. */
export const GemmTileSchema = z
  .object({
    m: count('CTA tile rows (M)'),
    n: count('CTA tile columns (N)'),
    k: count('CTA tile depth (K) per main-loop step'),
    stages: count('software pipeline stages (shared-memory buffers)').optional(),
    splitK: count('K slices computed by separate CTAs, then reduced').optional(),
  })
  .strict();

/**
 * Microarchitecture the cycle-level engine uses beyond the datasheet fields; every field is optional, with a
 * default per GPU generation (docs/cycle.md lists them and their sources). The roofline ignores this object.
 */
export const MicroarchSchema = z
  .object({
    generation: z.enum(GPU_GENERATIONS).describe('GPU generation whose defaults fill the other fields (inferred from the peaks and memory when absent)').optional(),
    clockHz: positive('SM clock in Hz (parsed from `clock` when absent)').optional(),
    smemPerSmBytes: positive('shared memory (LDS) per SM/CU usable by thread blocks, in bytes').optional(),
    smemBytesPerClk: positive('shared-memory bandwidth per SM per clock, in bytes').optional(),
    maxCtasPerSm: count('most thread blocks resident on one SM').optional(),
    maxThreadsPerSm: count('most threads resident on one SM').optional(),
    l2Slices: count('L2 slices (capacity and bandwidth are split evenly over them)').optional(),
    l2BandwidthBytesPerS: positive('aggregate L2 bandwidth in bytes/s (else onChip.bandwidthBytesPerS, else the generation default per SM)').optional(),
    l2HitLatencyS: positive('L2 hit latency seen by an SM, in seconds').optional(),
    dramLatencyS: positive('DRAM access latency seen by an SM (L2 miss), in seconds').optional(),
    dramEfficiency: fraction('fraction of peak DRAM bandwidth a streaming access pattern sustains (refresh, turnarounds)').optional(),
    tensorEfficiency: fraction('fraction of the tensor pipe peak the best kernels sustain in their main loop (issue, clocks under load)').optional(),
    vectorEfficiency: fraction('fraction of the FP32 vector peak a kernel main loop sustains').optional(),
    kernelLaunchS: positive('fixed time of one kernel: launch, first block dispatch, drain, in seconds').optional(),
    ctaLaunchCycles: positive('cycles to dispatch a thread block and run its prologue address setup').optional(),
    kStepOverheadCycles: positive('cycles of synchronization and address arithmetic per main-loop step').optional(),
    maxStages: count('most software pipeline stages (2 without asynchronous copies)').optional(),
    gemmTile: GemmTileSchema.describe('force this GEMM tiling instead of the mapper\'s choice').optional(),
  })
  .strict();

export type Microarch = z.output<typeof MicroarchSchema>;

/**
 * A CPU's cores as the roofline engine prices them: `--threads` of them share the SIMD peak (peakFlopsPerS is all
 * cores together), and together they stream DRAM at `streamBandwidthBytesPerS`, which on SoCs is well below the
 * DRAM peak the GPU or NPU can draw. A device with this block is priced without compute/memory overlap (time =
 * compute + memory, as T-MAC's and llama.cpp's decode runs behave: docs/accuracy.md).
 */
export const CpuSchema = z
  .object({
    cores: count('cores the peak rates count (threads beyond them add nothing)'),
    streamBandwidthBytesPerS: positive('DRAM bandwidth all cores together sustain on a streaming read, in bytes/s'),
    lowBitKernelSpeed: z
      .object({
        dequant: positive('how much faster than the shared constant this CPU runs llama.cpp\'s dequantizing kernels (1: as fitted across CPUs)').optional(),
        lut: positive('the same for T-MAC\'s lookup kernels').optional(),
      })
      .strict()
      .describe('per-CPU speed of the low-bit kernels against the work constants fitted across CPUs (simulator/cpu-lowbit.ts); fitted on the CPU\'s own runs, 1 when absent')
      .optional(),
  })
  .strict();

export type Cpu = z.output<typeof CpuSchema>;

export const DeviceSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]*$/, 'a lowercase kebab-case id such as "h100-sxm"')
      .describe('kebab-case id'),
    name: z.string().min(1).describe('human-readable name'),
    kind: z.enum(DEVICE_KINDS),
    vendor: z.string().min(1),
    processNm: z.number().finite().min(0.5, 'must be at least 0.5').max(1000, 'must be at most 1000').describe('process node in nm (picks compute energy per FLOP)'),
    clock: z.string().min(1).describe('which clock the peak rates assume (boost, sustained under power cap …)'),
    computeUnits: z.number().int().positive().describe('SMs / CUs / cores / tensor cores').optional(),
    peakFlopsPerS: PeakFlopsSchema,
    matrixFp32FlopsPerS: atLeast(1e6, 'FP32 FLOP/s of matrix units that FP32 GEMMs run on (AMD CDNA\'s MFMA FP32, twice its vector rate); absent: peakFlopsPerS.fp32').optional(),
    memory: z.array(MemoryLevelSchema).min(1).describe('off-chip memory levels, main memory first'),
    onChip: OnChipSchema,
    power: PowerSchema,
    hostLink: LinkSchema.describe('link to the host CPU'),
    scaleUp: LinkSchema.describe('device-to-device scale-up link (NVLink, Infinity Fabric, ICI …); PCIe where none').optional(),
    microarch: MicroarchSchema.describe('microarchitecture for the cycle-level engine (optional, defaults per generation)').optional(),
    cpu: CpuSchema.describe('CPU cores and the bandwidth they stream (kind "cpu" parts: threads, low-bit kernels)').optional(),
    sources: z
      .record(z.string(), z.string().min(1))
      .describe('where each number comes from: key = field path prefix (e.g. "peakFlopsPerS.bf16", "memory"), value = source'),
  })
  .strict()
  .superRefine((device, ctx) => {
    if (device.cpu === undefined) return;
    if (device.kind !== 'cpu') ctx.addIssue({ code: 'custom', path: ['cpu'], message: `a cpu block belongs to kind "cpu" devices, not "${device.kind}"` });
    const dram = device.memory[0]!.bandwidthBytesPerS;
    if (device.cpu.streamBandwidthBytesPerS > dram) {
      ctx.addIssue({ code: 'custom', path: ['cpu', 'streamBandwidthBytesPerS'], message: `the cores cannot stream more than the DRAM peak (${dram} B/s)` });
    }
  });

export type Device = z.output<typeof DeviceSchema>;
export type PeakFlops = z.output<typeof PeakFlopsSchema>;
export type MemoryLevel = z.output<typeof MemoryLevelSchema>;
export type Link = z.output<typeof LinkSchema>;
