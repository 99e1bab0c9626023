// Costs one operator on a device: the `genz op` command and its JSONL batch interface.
import { z } from 'zod';
import { COMPUTE_DTYPES, DTYPE_STORAGE_BITS } from '../common/dtype.ts';
import { parseWith } from '../common/zod-errors.ts';
import { GenzError } from '../common/errors.ts';
import { BLAS_LAYOUTS, type Op } from '../models/ops.ts';
import { resolveHardware } from '../hardware/registry.ts';
import type { CostBackend, CostContext, OpCost } from './cost.ts';
import { DEFAULT_EFFICIENCY } from './efficiency.ts';
import { energyRates } from './energy.ts';
import { EngineSchema, backendFor } from './engines.ts';
import { DEFAULT_HARDWARE } from './serving/request.ts';
import { curveErrorReport, type CalibrationCurves, type CurveErrorReport } from './calibration.ts';
import { defaultCalibration } from './calibration-defaults.ts';
import { requireCpu } from './cpu-lowbit.ts';

const dim = (what: string) => z.number().int(`${what} must be a whole number`).positive(`${what} must be positive`).max(1e9, `${what} must be at most 1e9`);
const common = {
  hardware: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).default(DEFAULT_HARDWARE),
  dtype: z.enum(COMPUTE_DTYPES).default('fp16'),
  calibration: z.union([z.literal('default'), z.literal('none'), z.record(z.string(), z.unknown())]).default('default')
    .describe("'default' (the device's shipped profile, if any), 'none', or calibration curves"),
  engine: EngineSchema.default('roofline'),
  threads: z.number().int('threads must be a whole number').min(1, 'threads must be at least 1').max(4096, 'threads must be at most 4096').optional()
    .describe('CPU devices: threads the op runs on (default: all cores)'),
};

export const SingleOpRequestSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('gemm'), m: dim('m'), n: dim('n'), k: dim('k'), batch: dim('batch').default(1),
    layout: z.enum(BLAS_LAYOUTS).optional().describe("transposes of the BLAS call (weight, activations); default 'TN' as torch.nn.Linear"),
    ...common,
  }).strict(),
  z.object({
    kind: z.literal('attention'), batch: dim('batch').default(1), queryLen: dim('queryLen'), kvLen: dim('kvLen'),
    heads: dim('heads'), kvHeads: dim('kvHeads').optional(), headDim: dim('headDim').default(128),
    causal: z.boolean().default(true), flash: z.boolean().default(true), ...common,
  }).strict(),
  z.object({
    kind: z.literal('elementwise'), elements: dim('elements'), reads: z.number().int().min(0).max(16).default(1),
    writes: z.number().int().min(0).max(16).default(1), flopsPerElement: z.number().min(0).max(1e4).default(1), ...common,
  }).strict(),
  z.object({
    kind: z.enum(['all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all', 'p2p']), bytes: z.number().positive().max(1e15),
    devices: dim('devices').default(8), ...common,
  }).strict(),
]);

export type SingleOpRequest = z.input<typeof SingleOpRequestSchema>;

export interface SingleOpResult extends OpCost {
  kind: string;
  hardware: string;
  /** Achieved FLOP/s (tensor + vector). */
  flopsPerS: number;
  /** DRAM + link bytes, for the contract's single `bytes` field. */
  bytes: number;
  /** What was assumed about the hardware (a collective over more devices than a preset system holds: its network). */
  notes?: string[];
  /**
   * Where a calibration curve priced the op (pricedBy 'curve'): that curve's kernel-time error on the measurements
   * its profile held out (absolute %; the device whose rows they were), if its profile recorded any.
   */
  heldOutError?: CurveErrorReport;
}

/** The cost of one operator, on the engine the request names (or on `backend`). */
export function estimateOp(request: SingleOpRequest, backend?: CostBackend): SingleOpResult {
  if (typeof request !== 'object' || request === null || !('kind' in request)) {
    throw new GenzError('invalid_input', 'expected an object with a "kind" (gemm, attention, elementwise, all-reduce …)', ['kind']);
  }
  const req = parseWith(SingleOpRequestSchema, request);
  const groupSize = 'devices' in req ? req.devices : 1;
  // A collective runs over its devices' fabric: within one scale-up domain its link, past it the scale-out network
  // (as estimate's TP group over more devices than a domain holds: serving/estimate.ts groupLinks).
  const system = resolveHardware(req.hardware, groupSize > 1 ? groupSize : undefined);
  const scaleOut = groupSize > system.scaleUp.devicesPerDomain;
  const link = scaleOut ? system.scaleOut ?? system.scaleUp.network : system.scaleUp.network;
  const bits = DTYPE_STORAGE_BITS[req.dtype];
  const base = { name: req.kind, scope: 'layer' as const, block: 'attention' as const, count: 1 };
  let op: Op;
  switch (req.kind) {
    case 'gemm':
      op = {
        ...base, block: 'mlp', kind: 'gemm', m: req.m, n: req.n, k: req.k, batch: req.batch, weightBits: bits, actBits: bits, outBits: bits,
        ...(req.layout === undefined ? {} : { blasLayout: req.layout }),
      };
      break;
    case 'attention':
      if (req.kvHeads !== undefined && req.heads % req.kvHeads !== 0) {
        throw new GenzError('invalid_input', `heads (${req.heads}) must be a multiple of kvHeads (${req.kvHeads})`, ['kvHeads']);
      }
      if (req.queryLen > req.kvLen) throw new GenzError('invalid_input', `queryLen (${req.queryLen}) cannot exceed kvLen (${req.kvLen})`, ['queryLen']);
      op = {
        ...base, kind: 'attention', batch: req.batch, queryLen: req.queryLen, kvLen: req.kvLen, numHeads: req.heads,
        numKvHeads: req.kvHeads ?? req.heads, headDim: req.headDim, causal: req.causal, flash: req.flash, actBits: bits, kvBits: bits,
      };
      break;
    case 'elementwise':
      op = {
        ...base, block: 'mlp', kind: 'elementwise', fn: 'add', elements: req.elements, readsPerElement: req.reads,
        writesPerElement: req.writes, flopsPerElement: req.flopsPerElement, bits,
      };
      break;
    default:
      // Over the scale-out network the op is the data-parallel group's, which calibrated curves keep apart.
      op = { ...base, block: 'comm', kind: 'collective', collective: req.kind, group: scaleOut ? 'dp' : 'tp', groupSize, bytes: req.bytes };
  }
  requireCpu(system.device, 'threads', req.threads);
  const ctx: CostContext = {
    device: system.device,
    efficiency: DEFAULT_EFFICIENCY,
    links: { tp: link, ep: link, pp: link, dp: link },
    baseDtype: req.dtype,
    energy: energyRates(system.device),
    ...(req.threads === undefined ? {} : { cpuThreads: req.threads }),
  };
  const curves = req.calibration === 'default' ? defaultCalibration(system.device.id)
    : req.calibration === 'none' ? undefined : (req.calibration as unknown as CalibrationCurves);
  if (curves) ctx.calibration = curves;
  const cost = (backend ?? backendFor(req.engine)).cost(op, ctx);
  const error = cost.pricedBy === 'curve' ? curveErrorReport(curves, system.device.id, op, cost.computeDtype) : undefined;
  return {
    kind: req.kind,
    hardware: system.device.id,
    ...cost,
    bytes: cost.dramBytes + cost.linkBytes,
    flopsPerS: cost.latencyS > 0 ? (cost.flops + cost.vectorFlops) / cost.latencyS : 0,
    ...(system.notes.length > 0 ? { notes: [...system.notes] } : {}),
    ...(error === undefined ? {} : { heldOutError: error }),
  };
}
