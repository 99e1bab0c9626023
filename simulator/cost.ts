// The one per-operator cost interface every backend (roofline now, cycle-level later) implements.
import type { ComputeDtype } from '../common/dtype.ts';
import type { Device } from '../hardware/device-schema.ts';
import type { Network } from '../hardware/system-schema.ts';
import type { Op, OpKind, ParallelGroup } from '../models/ops.ts';
import type { CalibrationCurves } from './calibration.ts';
import type { EfficiencyProfile } from './efficiency.ts';
import type { EnergyRates } from './energy.ts';
import type { LowBitKernel, LowBitKernelCost } from './cpu-lowbit.ts';
import type { OwnAllReduce } from './collectives.ts';

export type Bound = 'compute' | 'memory' | 'network' | 'overhead';

export interface OpCost {
  latencyS: number;
  computeS: number;
  memoryS: number;
  networkS: number;
  overheadS: number;
  /** Tensor-unit FLOPs (2 per multiply-add). */
  flops: number;
  /** Vector-unit FLOPs (softmax, norms, activations, dequantization). */
  vectorFlops: number;
  /** Bytes moved to and from off-chip memory. */
  dramBytes: number;
  /** Bytes moved through the on-chip cache/SRAM (includes every DRAM byte once). */
  onChipBytes: number;
  /** Bytes each device sends over links (collectives). */
  linkBytes: number;
  bound: Bound;
  energyJ: number;
  /** Datapath the op's tensor work runs on, or null when it has none. */
  computeDtype: ComputeDtype | null;
  /**
   * What priced it on the roofline engine: a calibration curve; the efficiency factors because the op lies outside
   * the range its family's curve was fitted on (on a GPU the curve's per-kernel overhead still sets a minimum:
   * roofline-backend.ts); or the efficiency factors, no curve applying. Absent on other engines.
   */
  pricedBy?: 'curve' | 'outside-curve' | 'factors';
}

export interface CostContext {
  device: Device;
  efficiency: EfficiencyProfile;
  /** Energy rates of `device` (computed once per estimate). */
  energy: EnergyRates;
  /** Link each parallel group's collectives run over, and the group's topology. */
  links: Readonly<Record<ParallelGroup, Network>>;
  /** Base compute dtype requested for 16/32-bit work (bf16, fp16, fp32, tf32). */
  baseDtype: ComputeDtype;
  /**
   * Fitted per-family curves for `device` (a calibration profile). An op whose family has a curve is priced by
   * it instead of `efficiency`; curves for another device id are ignored.
   */
  calibration?: CalibrationCurves;
  /** A CPU device's threads (default: all its cores); ignored by devices without a `cpu` block. */
  cpuThreads?: number;
  /** A CPU device's kernel for sub-8-bit weights (default dequant). */
  lowBitKernel?: LowBitKernel;
  /** Work per weight of the low-bit kernels (default CPU_LOW_BIT_KERNEL_COST; calibrate/fit-cpu-lowbit.ts varies it). */
  lowBitCosts?: Readonly<Record<LowBitKernel, LowBitKernelCost>>;
  /** The serving framework's own all-reduce kernels, where it has them (./serving/frameworks.ts). */
  ownAllReduce?: OwnAllReduce;
  /** Its decode attention's share of extra KV reads for grouped KV heads (./serving/frameworks.ts kvRereadShare). */
  kvRereadShare?: number;
}

export interface CostBackend {
  readonly id: string;
  /** What the backend can cost, as data (shared code never branches on a backend id). */
  readonly supports: readonly OpKind[];
  /** Whether it prices ops with the context's efficiency factors and calibration curves (absent: it ignores them). */
  readonly usesCalibration?: boolean;
  /** Whether it prices a serving framework's own all-reduce kernels and KV re-reads (the context's ownAllReduce, kvRereadShare). */
  readonly usesFrameworkKernels?: boolean;
  cost(op: Op, ctx: CostContext): OpCost;
}
