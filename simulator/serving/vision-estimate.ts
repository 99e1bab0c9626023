// Vision encoders (ViT, DeiT, Vision Mamba) on a device or system: one forward pass over a batch of images —
// latency, images/s, memory and energy. No KV cache and no decode. The model's `kind` picks the graph: a ViT's
// tokens all attend to each other; a Vim's are scanned forward and backward (linear in the patches).
import { z } from 'zod';
import { COMPUTE_DTYPES, DTYPE_STORAGE_BITS } from '../../common/dtype.ts';
import { GenzError } from '../../common/errors.ts';
import { parseWith } from '../../common/zod-errors.ts';
import type { Precision } from '../../models/precision.ts';
import { resolveHardware, type ResolvedSystem } from '../../hardware/registry.ts';
import { resolveVisionEncoder, type VisionEncoderConfig } from '../../models/vision/registry.ts';
import { buildVitGraph, vitFootprint } from '../../models/vision/vit-graph.ts';
import { vitParallelismProblem } from '../../models/vision/vit-schema.ts';
import { buildVimGraph, vimFootprint } from '../../models/vision/vim-graph.ts';
import { vimParallelismProblem } from '../../models/vision/vim-schema.ts';
import type { CostBackend, CostContext } from '../cost.ts';
import { DEFAULT_EFFICIENCY, type EfficiencyProfile } from '../efficiency.ts';
import { energyRates } from '../energy.ts';
import { EngineSchema, backendFor } from '../engines.ts';
import { costGraph, opReports, type OpReport } from './phase.ts';
import { DEFAULT_HARDWARE, EfficiencyOverrideSchema } from './request.ts';

const whole = (min: number, max: number, what: string) => z.number().int(`${what} must be a whole number`).min(min, `${what} must be at least ${min}`).max(max, `${what} must be at most ${max}`);

export const VisionRequestSchema = z
  .object({
    model: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).default('vit-b-16'),
    hardware: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).default(DEFAULT_HARDWARE),
    devices: whole(1, 1_000_000, 'devices').optional(),
    tp: whole(1, 4096, 'tp').default(1),
    batch: whole(1, 10_000_000, 'batch').default(1).describe('images per forward pass, whole system'),
    dtype: z.enum(COMPUTE_DTYPES).default('bf16'),
    wbits: z.number().min(1).max(32).optional(),
    abits: whole(1, 32, 'abits').optional(),
    flash: z.boolean().default(true).describe('fused attention (ViT only; a Vim has no attention)'),
    workspaceBytes: z.number().min(0).max(1e15).default(1e9),
    engine: EngineSchema.default('roofline'),
    efficiency: EfficiencyOverrideSchema.optional().describe('overrides of the default efficiency factors (vision encoders have no calibration profile)'),
  })
  .strict();

export type VisionRequest = z.input<typeof VisionRequestSchema>;

export interface VisionReport {
  feasible: boolean;
  reason?: string;
  /** One forward pass over the batch. */
  latencyS: number;
  imagesPerS: number;
  energyJPerImage: number;
  memory: { weightsBytes: number; activationBytes: number; workspaceBytes: number; perDeviceBytes: number; capacityBytes: number; fits: boolean };
  ops: OpReport[];
  parallel: { devices: number; tp: number; dp: number; replicaBatch: number };
  inputs: { model: VisionEncoderConfig; hardware: ResolvedSystem; batch: number; precision: Precision; efficiency: EfficiencyProfile; backend: string };
}

/** One encoder pass over the batch, on the engine the request names (or on `backend`). */
export function estimateVision(request?: VisionRequest, chosen?: CostBackend): VisionReport {
  const req = parseWith(VisionRequestSchema, request ?? {});
  const backend = chosen ?? backendFor(req.engine);
  const model = resolveVisionEncoder(req.model);
  const system = resolveHardware(req.hardware, req.devices ?? (req.tp > 1 ? req.tp : undefined));
  if (system.deviceCount % req.tp !== 0) throw new GenzError('invalid_input', `${system.deviceCount} devices cannot be split into tp ${req.tp} groups`, ['devices']);
  const problem = model.kind === 'vim' ? vimParallelismProblem(model, req.tp) : vitParallelismProblem(model, req.tp);
  if (problem) throw new GenzError('invalid_input', problem, ['tp']);
  const abits = req.abits ?? DTYPE_STORAGE_BITS[req.dtype];
  const precision: Precision = { weightBits: req.wbits ?? abits, actBits: abits, kvBits: abits, embeddingBits: Math.max(abits, 16), groupSize: 128 };
  const dp = system.deviceCount / req.tp;
  const replicaBatch = Math.ceil(req.batch / dp);
  const link = system.scaleUp.network;
  const efficiency: EfficiencyProfile = { ...DEFAULT_EFFICIENCY, ...req.efficiency };
  const ctx: CostContext = {
    device: system.device, efficiency, links: { tp: link, ep: link, pp: link, dp: system.scaleOut ?? link },
    baseDtype: req.dtype, energy: energyRates(system.device),
  };
  const graph = model.kind === 'vim'
    ? buildVimGraph({ config: model, batch: replicaBatch, tp: req.tp, precision })
    : buildVitGraph({ config: model, batch: replicaBatch, tp: req.tp, precision, flash: req.flash });
  const costed = costGraph(graph, backend, ctx);
  const latencyS = costed.preS + costed.layerS * costed.graph.numLayers + costed.postS + efficiency.stepOverheadS;
  const footprint = model.kind === 'vim' ? vimFootprint(model, precision, req.tp, replicaBatch) : vitFootprint(model, precision, req.tp, replicaBatch, req.flash);
  const capacityBytes = system.device.memory[0]!.capacityBytes;
  const perDeviceBytes = footprint.weightBytes + footprint.activationBytes + req.workspaceBytes;
  const fits = perDeviceBytes <= capacityBytes;
  const energyJ = costed.dynamicEnergyJ * req.tp * Math.min(dp, req.batch) + ctx.energy.idleW * system.deviceCount * latencyS;
  return {
    feasible: fits,
    ...(fits ? {} : { reason: `needs ${(perDeviceBytes / 1e9).toFixed(1)} GB per device but ${system.device.id} has ${(capacityBytes / 1e9).toFixed(1)} GB` }),
    latencyS, imagesPerS: req.batch / latencyS, energyJPerImage: energyJ / req.batch,
    memory: { weightsBytes: footprint.weightBytes, activationBytes: footprint.activationBytes, workspaceBytes: req.workspaceBytes, perDeviceBytes, capacityBytes, fits },
    ops: opReports(costed),
    parallel: { devices: system.deviceCount, tp: req.tp, dp, replicaBatch },
    inputs: { model, hardware: system, batch: req.batch, precision, efficiency, backend: backend.id },
  };
}
