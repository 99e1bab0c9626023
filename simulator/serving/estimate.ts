// The serving estimate: batch, input and output lengths on a model and a system → TTFT, TPOT, end-to-end
// latency, tokens/s, memory per device, energy per token, and the largest batch that fits.
import { GenzError } from '../../common/errors.ts';
import { COMPUTE_DTYPES, type ComputeDtype } from '../../common/dtype.ts';
import type { TransformerConfig } from '../../models/transformer-schema.ts';
import type { AttentionOp, Op, ParallelGroup } from '../../models/ops.ts';
import type { Precision } from '../../models/precision.ts';
import { buildGraph } from '../../models/graph.ts';
import { expertReplicas } from '../../models/emitter.ts';
import { parallelismProblem } from '../../models/footprint.ts';
import { CALIBRATION_FAMILIES, calibrationFamily, curveErrorReport, dequantizing, misalignedGemm, type CalibrationCurves, type CurveErrorReport } from '../calibration.ts';
import { defaultCalibration } from '../calibration-defaults.ts';
import { paramBreakdown } from '../../models/params.ts';
import { resolveModel } from '../../models/registry.ts';
import { resolveHardware, type ResolvedSystem } from '../../hardware/registry.ts';
import type { Network } from '../../hardware/system-schema.ts';
import type { CostBackend, CostContext } from '../cost.ts';
import { DEFAULT_EFFICIENCY, type EfficiencyProfile } from '../efficiency.ts';
import { energyRates } from '../energy.ts';
import { availableDtype, requestedDtype } from '../dtype-select.ts';
import { backendFor, type EngineId } from '../engines.ts';
import { FRAMEWORK_COSTS, type FrameworkCosts, type ServingFramework } from './frameworks.ts';
import { LUT_MAX_BITS, requireCpu, type LowBitKernel, type LowBitKernelCost } from '../cpu-lowbit.ts';
import { parseEstimateRequest, dtypeBitsOf, type EstimateRequest } from './request.ts';
import { costGraph, stageTimes, opReports, type CostedGraph, type OpReport } from './phase.ts';
import { pipelineCycleS, pipelineLatencyS } from './pipeline.ts';
import { visionStage } from './vlm-serving.ts';
import { resolveVlm, type ResolvedVlm } from '../../models/vision/vlm.ts';
import { vlmIds } from '../../models/vision/registry.ts';
import { vitParallelismProblem } from '../../models/vision/vit-schema.ts';
import { draftPrefill, speculativeReport, type SpeculativeReport, type SpeculativeSettings } from './speculative-serving.ts';
import { memoryReport, maxInputTokens, maxReplicaBatch, type MemoryPlan, type MemoryReport } from './memory.ts';

export interface Scenario {
  batch: number;
  inputTokens: number;
  outputTokens: number;
  tp: number;
  pp: number;
  ep: number;
  dtype: ComputeDtype;
  precision: Precision;
  flash: boolean;
  /** Prefill computes the LM head at every prompt token (a framework's forward pass), not only the last. */
  promptLogits: boolean;
  /** Every sequence is the same prompt: an MoE's sequences route to the same experts (EmitterInput.identicalPrompts). */
  identicalPrompts: boolean;
  workspaceBytes: number;
  /** Also search for the longest prompt that fits (a few dozen memory evaluations). */
  maxContext: boolean;
  speculative?: SpeculativeSettings;
  /** Images per sequence (vision-language models only). */
  images: number;
  /** The serving framework (simulator/serving/frameworks.ts). */
  framework: ServingFramework;
  /**
   * What it adds: its host time (in efficiency: stepOverheadS, sequenceOverheadS), its own all-reduce kernels and its
   * decode attention's KV re-reads (the cost context's ownAllReduce, kvRereadShare); the fitted costs of `framework`,
   * or the request's frameworkCosts.
   */
  frameworkCosts: FrameworkCosts;
  /** CPU devices: threads of the run (absent: all cores). */
  threads?: number;
  /** CPU devices: the kernel family of sub-8-bit weights. */
  lowBitKernel: LowBitKernel;
}

export interface ResolvedInputs {
  /** The cost engine the request named (estimateResolved's default backend). */
  engine: EngineId;
  /** Calibration curves pricing the ops of their families on this device, if any. */
  calibration?: CalibrationCurves;
  /** Work per weight of the CPU low-bit kernels, when not the shipped constants (a fit varies them). */
  lowBitCosts?: Readonly<Record<LowBitKernel, LowBitKernelCost>>;
  /** The language model (a VLM's decoder). */
  model: TransformerConfig;
  /** The whole VLM, when the request names one. */
  vlm?: ResolvedVlm;
  system: ResolvedSystem;
  scenario: Scenario;
  efficiency: EfficiencyProfile;
}

export interface PhaseReport {
  latencyS: number;
  /** Energy of all devices for this phase (prefill: the whole prompt; decode: one step). */
  energyJ: number;
  ops: OpReport[];
}

export interface EstimateReport {
  feasible: boolean;
  reason?: string;
  warnings: string[];
  /** Time to first token: the prefill of the whole batch (the first token comes out of it). */
  ttftS: number;
  /** Time per output token after the first, averaged over the output as the KV cache grows. */
  tpotS: number;
  /** ttftS + (outputTokens − 1) · tpotS. */
  e2eS: number;
  /** batch × outputTokens / e2eS, for the whole system. */
  outputTokensPerS: number;
  outputTokensPerSPerDevice: number;
  /** All devices' energy for the request (prefill + every decode step) per output token. */
  energyJPerToken: number;
  /** Largest batch (whole system) whose memory fits at these lengths. */
  maxBatchThatFits: number;
  /** A VLM's vision tower and projector: their share of TTFT, the image tokens each sequence's prompt gains, their ops. */
  vision?: { latencyS: number; imageTokens: number; ops: OpReport[] };
  /** Speculative decoding at the mean context, when requested: expected tokens per step, speedup, draft and verify times. */
  speculative?: SpeculativeReport;
  /** Longest prompt (input tokens, with this output length and batch) whose memory fits; 0 if none. Only with `maxContext`. */
  maxContextTokens?: number;
  memory: MemoryReport;
  prefill: PhaseReport;
  decode: PhaseReport & { contextTokens: number };
  parallel: {
    devices: number; tp: number; pp: number; ep: number; dp: number; replicaBatch: number; microBatches: number;
    /** Fraction of device time the pipeline leaves idle during prefill (fill and drain), 0 without PP. */
    prefillBubbleFraction: number;
    /**
     * The slowest prefill stage of one micro-batch with its hand-off: how often the pipeline takes another micro-batch
     * (a runtime that streams more prompt passes through the stages, as llama.cpp's layer split does).
     */
    prefillStageIntervalS: number;
    /** Host time of one forward pass of the replica's batch (the framework's per step, per sequence and per pipeline boundary). */
    hostStepS: number;
  };
  inputs: {
    model: TransformerConfig;
    hardware: ResolvedSystem;
    scenario: Scenario;
    efficiency: EfficiencyProfile;
    /**
     * The calibration profile in use, the op families it has curves for, and whether some GEMMs widen their operands
     * first (dequantizing: no curve prices them, the efficiency factors do); null: the efficiency factors alone.
     */
    calibration: CalibrationSummary | null;
    backend: string;
  };
}

/** Validates the request, resolves ids, and returns everything the estimate needs. */
export function resolveInputs(request: EstimateRequest | undefined): ResolvedInputs {
  const req = parseEstimateRequest(request);
  const vlm = isVlm(req.model) ? resolveVlm(req.model) : undefined;
  const model = vlm ? vlm.languageModel : resolveModel(req.model);
  let system = resolveHardware(req.hardware, req.devices);
  if (req.devices === undefined && system.deviceCount === 1 && req.tp * req.pp > 1) {
    system = resolveHardware(req.hardware, req.tp * req.pp);
  }
  const abits = req.abits ?? dtypeBitsOf(req.dtype);
  const precision: Precision = {
    weightBits: req.wbits ?? model.weightBits ?? abits,
    actBits: abits,
    kvBits: req.kvbits ?? abits,
    embeddingBits: Math.max(abits, 16),
    groupSize: req.groupSize,
  };
  const frameworkCosts = req.frameworkCosts ?? FRAMEWORK_COSTS[req.framework];
  const scenario: Scenario = {
    batch: req.batch, inputTokens: req.inputTokens, outputTokens: req.outputTokens, tp: req.tp, pp: req.pp, ep: req.ep,
    dtype: req.dtype, precision, flash: req.flash, promptLogits: req.promptLogits, identicalPrompts: req.identicalPrompts,
    workspaceBytes: req.workspaceBytes, maxContext: req.maxContext,
    images: vlm ? req.images ?? 1 : 0,
    framework: req.framework,
    frameworkCosts,
    ...(req.threads === undefined ? {} : { threads: req.threads }),
    lowBitKernel: req.lowBitKernel ?? 'dequant',
  };
  for (const key of ['threads', 'lowBitKernel'] as const) requireCpu(system.device, key, req[key]);
  if (req.lowBitKernel === 'lut' && precision.weightBits > LUT_MAX_BITS) {
    throw new GenzError('invalid_input', `the lut kernel (T-MAC) takes 1- to ${LUT_MAX_BITS}-bit weights; these are ${precision.weightBits}-bit`, ['lowBitKernel']);
  }
  if (!vlm && req.images !== undefined) throw new GenzError('invalid_input', `${model.id} takes no images; images apply to vision-language models`, ['images']);
  if (req.speculative) {
    const spec = req.speculative;
    const chosen = [spec.gamma, spec.treeBranching, spec.treeSize].filter((x) => x !== undefined).length;
    if (chosen > 1) throw new GenzError('invalid_input', 'give one of gamma, treeBranching and treeSize', ['speculative']);
    scenario.speculative = {
      draft: resolveModel(spec.draft, ['speculative', 'draft']), acceptance: spec.acceptance,
      ...(spec.gamma === undefined ? {} : { gamma: spec.gamma }),
      ...(spec.treeBranching === undefined ? {} : { treeBranching: spec.treeBranching }),
      ...(spec.treeSize === undefined ? {} : { treeSize: spec.treeSize }),
    };
  }
  checkParallelism(model, system, scenario);
  if (vlm) {
    const problem = vitParallelismProblem(vlm.vision, scenario.tp);
    if (problem) throw new GenzError('invalid_input', problem, ['tp']);
  }
  // Shipped profiles apply by default, unless the caller overrides efficiency factors (then they want that model).
  const mode = req.calibration ?? (req.efficiency ? 'none' : 'default');
  const calibration = mode === 'default' ? defaultCalibration(system.device.id)
    : mode === 'none' ? undefined : (mode as unknown as CalibrationCurves);
  return {
    engine: req.engine, model, system, scenario, ...(vlm ? { vlm } : {}),
    efficiency: withHostTime({ ...DEFAULT_EFFICIENCY, ...req.efficiency }, frameworkCosts),
    ...(calibration ? { calibration } : {}),
  };
}

/** The framework's host time per step and per sequence come on top of the efficiency factors' own. */
function withHostTime(efficiency: EfficiencyProfile, costs: FrameworkCosts): EfficiencyProfile {
  return { ...efficiency, stepOverheadS: efficiency.stepOverheadS + costs.stepS, sequenceOverheadS: (efficiency.sequenceOverheadS ?? 0) + costs.sequenceS };
}

function checkParallelism(model: TransformerConfig, system: ResolvedSystem, s: Scenario): void {
  const fail = (path: string, message: string): never => {
    throw new GenzError('invalid_input', message, [path]);
  };
  const mixerProblem = parallelismProblem({ config: model, tp: s.tp });
  if (mixerProblem) fail('tp', mixerProblem);
  if (s.pp > model.numLayers) fail('pp', `pp ${s.pp} exceeds the ${model.numLayers} layers of ${model.id}`);
  if (system.deviceCount % (s.tp * s.pp) !== 0) {
    fail('devices', `${system.deviceCount} devices cannot be split into tp ${s.tp} × pp ${s.pp} groups`);
  }
  if (s.ep > 1) {
    if (!model.moe) fail('ep', `ep ${s.ep} needs a mixture-of-experts model; ${model.id} is dense`);
    const dp = system.deviceCount / (s.tp * s.pp);
    if (s.tp % s.ep !== 0 && (s.ep % s.tp !== 0 || dp % (s.ep / s.tp) !== 0)) {
      fail('ep', `ep ${s.ep} must divide tp ${s.tp} (experts within the TP group) or be tp × a divisor of dp ${dp} (experts across replicas)`);
    }
    if (model.moe!.numExperts % s.ep !== 0) fail('ep', `ep ${s.ep} does not divide the ${model.moe!.numExperts} experts`);
  }
}

function groupLinks(system: ResolvedSystem, s: Scenario): Record<ParallelGroup, Network> {
  const up = system.scaleUp.network;
  const out = system.scaleOut ?? up;
  const within = (size: number): Network => (size <= system.scaleUp.devicesPerDomain ? up : out);
  return { tp: within(s.tp), ep: within(Math.max(s.tp, s.ep)), pp: within(s.tp * s.pp), dp: within(system.deviceCount) };
}

/** Decode contexts to evaluate and their weights: exact for short outputs, 16 midpoints otherwise. */
function decodeSamples(inputTokens: number, steps: number): { context: number; weight: number }[] {
  if (steps <= 32) {
    return Array.from({ length: steps }, (_, j) => ({ context: inputTokens + j + 1, weight: 1 }));
  }
  const segments = 16;
  const samples: { context: number; weight: number }[] = [];
  for (let i = 0; i < segments; i++) {
    const from = Math.floor((i * steps) / segments);
    const to = Math.floor(((i + 1) * steps) / segments);
    samples.push({ context: inputTokens + 1 + (from + to - 1) / 2, weight: to - from });
  }
  return samples;
}

/** A VLM preset id, or a spec object that says kind 'vlm'. */
function isVlm(model: unknown): boolean {
  if (typeof model === 'string') return vlmIds().includes(model.toLowerCase());
  return typeof model === 'object' && model !== null && (model as { kind?: unknown }).kind === 'vlm';
}

export function estimateResolved(inputs: ResolvedInputs, backend: CostBackend = backendFor(inputs.engine)): EstimateReport {
  const { model, system, scenario: s, efficiency, vlm } = inputs;
  const device = system.device;
  const devices = system.deviceCount;
  const dp = devices / (s.tp * s.pp);
  const replicaBatch = Math.ceil(s.batch / dp);
  const microBatches = Math.min(s.pp, replicaBatch);
  const microBatch = Math.ceil(replicaBatch / microBatches);
  const links = groupLinks(system, s);
  const ctx: CostContext = {
    device, efficiency, links, baseDtype: s.dtype, energy: energyRates(device), ...(inputs.calibration ? { calibration: inputs.calibration } : {}),
    ...(s.threads === undefined ? {} : { cpuThreads: s.threads }), lowBitKernel: s.lowBitKernel,
    ...(inputs.lowBitCosts ? { lowBitCosts: inputs.lowBitCosts } : {}),
    // vLLM's and TensorRT-LLM's own all-reduce kernels read peers' memory: within one scale-up domain only.
    ...(s.frameworkCosts.allReduce === null || s.tp > system.scaleUp.devicesPerDomain ? {} : { ownAllReduce: s.frameworkCosts.allReduce }),
    ...(s.frameworkCosts.kvRereadShare > 0 ? { kvRereadShare: s.frameworkCosts.kvRereadShare } : {}),
  };
  const warnings: string[] = [...system.notes];
  // A VLM's images run through the tower first and join the prompt as image tokens.
  const vision = vlm ? visionStage(vlm, microBatch * s.images, s.tp, s.precision, s.flash, backend, ctx) : undefined;
  // With no images the tower holds memory but does no work.
  const visionS = vision && s.images > 0 ? microBatches * vision.latencyS : 0;
  const visionJ = vision && s.images > 0 ? vision.dynamicEnergyJ : 0;
  const prompt = s.inputTokens + (vision ? s.images * vision.imageTokensPerImage : 0);
  const context = prompt + s.outputTokens;
  if (context > model.maxPositionEmbeddings) {
    warnings.push(`context ${context} exceeds the ${model.maxPositionEmbeddings} positions ${model.id} was trained for`);
  }
  if (s.speculative && paramBreakdown(s.speculative.draft).total >= paramBreakdown(model).total) {
    warnings.push(`draft ${s.speculative.draft.id} is not smaller than ${model.id}: speculation cannot pay off`);
  }
  if (s.batch % dp !== 0) warnings.push(`batch ${s.batch} does not split evenly over ${dp} data-parallel replicas`);
  // A dtype the accelerator has no datapath for runs on the next wider one it has (simulator/dtype-select.ts): say so.
  // (A CPU's 16-bit work runs on its fp32 SIMD units as a matter of course; its low-bit kernels are priced apart.)
  const wanted = requestedDtype(s.precision.actBits, s.precision.weightBits, s.dtype);
  const runsOn = availableDtype(wanted, device.peakFlopsPerS);
  const twins = (wanted === 'bf16' && runsOn === 'fp16') || (wanted === 'fp16' && runsOn === 'bf16');
  if (device.kind !== 'cpu' && runsOn !== wanted && !twins) warnings.push(`${device.id} has no ${wanted} datapath: the model's GEMMs run on ${runsOn}, their operands converted first`);
  const groupedKv = (model.numKvHeads ?? 0) > 0 && (model.numKvHeads ?? 0) < (model.numHeads ?? 0);
  if (!backend.usesFrameworkKernels && ((s.frameworkCosts.allReduce !== null && s.tp > 1) || (s.frameworkCosts.kvRereadShare > 0 && groupedKv))) {
    warnings.push(`the ${backend.id} engine adds the framework's host time only, not its own all-reduce kernels or KV re-reads (the roofline engine prices those)`);
  }

  // An expert-parallel group over ep / tp replicas routes at most the whole batch (batch 1 on 8 replicas: 1 sequence).
  const expertGroupBatch = Math.min(microBatch * expertReplicas(s.tp, s.ep), s.batch);
  const graphArgs = { config: model, batch: microBatch, tp: s.tp, ep: s.ep, precision: s.precision, flash: s.flash, identicalPrompts: s.identicalPrompts, expertGroupBatch };
  // A pipeline hand-off is one point-to-point message of the stage's activations, priced as any collective op
  // (by the device's calibrated collective curve where it has one for p2p, else the α–β model and the defaults).
  // Where the pipeline spans scale-up domains its link is the scale-out network, the data-parallel group's too
  // (groupLinks), and the op says so: a calibrated curve keeps scale-out messages apart (neighborCategory).
  const handOffGroup = s.tp * s.pp > system.scaleUp.devicesPerDomain ? 'dp' : 'pp';
  const p2pS = (tokens: number): number => s.pp === 1 ? 0 : backend.cost({
    kind: 'collective', name: 'pipeline hand-off', scope: 'layer', block: 'comm', count: 1, collective: 'p2p', group: handOffGroup, groupSize: 2,
    bytes: (tokens * model.hiddenSize * Math.max(16, s.precision.actBits)) / 8,
  }, ctx).latencyS;

  // Prefill: the whole prompt of every sequence, micro-batched through the pipeline.
  const prefill = costGraph(buildGraph({ ...graphArgs, phase: 'prefill', pastTokens: 0, newTokens: prompt, promptLogits: s.promptLogits }), backend, ctx);
  const prefillStages = stageTimes(prefill, prefill.layerS, model.numLayers, s.pp);
  const prefillHandOffS = p2pS(microBatch * prompt);
  const prefillPipelineS = pipelineLatencyS(prefillStages, prefillHandOffS, microBatches);
  // The draft model (speculative decoding) prefills the prompt too, before the first draft step.
  const draftPrefillPass = s.speculative
    ? draftPrefill(s.speculative, { target: model, scenario: s, microBatch, microBatches, contextTokens: prompt, p2pS: 0, hostStepS: 0, backend, ctx }, prompt)
    : undefined;
  // Host time of one forward pass: per step, per sequence of the replica's batch (each step handles them all), and
  // per pipeline boundary where the framework hands activations over itself (FrameworkCosts.stageS).
  const boundaryS = s.frameworkCosts.stageS ?? 0;
  const hostPassS = efficiency.stepOverheadS + (efficiency.sequenceOverheadS ?? 0) * replicaBatch;
  const hostStepS = hostPassS + boundaryS * (s.pp - 1);
  const ttftS = prefillPipelineS + hostStepS + visionS + (draftPrefillPass?.timeS ?? 0);
  const prefillBusyS = microBatches * prefillStages.reduce((sum, t) => sum + t, 0);
  const prefillBubbleFraction = s.pp === 1 ? 0 : Math.max(0, 1 - prefillBusyS / (s.pp * prefillPipelineS));
  const prefillStageIntervalS = Math.max(...prefillStages.map((t, i) => t + (i < prefillStages.length - 1 ? prefillHandOffS : 0)));

  // Decode: report one step at the mean context; average TPOT over every step as the KV cache grows.
  const steps = s.outputTokens - 1;
  const meanContext = prompt + Math.max(1, Math.ceil(s.outputTokens / 2));
  const decode = costGraph(buildGraph({ ...graphArgs, phase: 'decode', pastTokens: meanContext - 1, newTokens: 1 }), backend, ctx);
  const decodeP2pS = p2pS(microBatch);
  const stepAt = layerTimeAtContext(decode, backend, ctx);
  const decodeStepS = pipelineCycleS(stageTimes(decode, decode.layerS, model.numLayers, s.pp), decodeP2pS, microBatches) + hostStepS;
  // With a single output token there is no decode step: TPOT is 0 (decode still reports the step it would take).
  let tpotS = 0;
  if (steps > 0) {
    let weighted = 0;
    let weights = 0;
    for (const sample of decodeSamples(prompt, steps)) {
      weighted += sample.weight * (pipelineCycleS(stageTimes(decode, stepAt(sample.context), model.numLayers, s.pp), decodeP2pS, microBatches) + hostStepS);
      weights += sample.weight;
    }
    tpotS = weighted / weights;
  }
  // Speculative decoding: the draft + verify step at the mean context gives a speedup over the plain step,
  // applied to the averaged TPOT.
  let speculative: SpeculativeReport | undefined;
  if (s.speculative) {
    speculative = speculativeReport(s.speculative, {
      target: model, scenario: s, microBatch, microBatches, expertGroupBatch, contextTokens: meanContext, p2pS: decodeP2pS, hostStepS: hostPassS, boundaryS, backend, ctx,
    }, decodeStepS);
    if (steps > 0) tpotS /= speculative.speedup;
  }
  const e2eS = ttftS + steps * tpotS;

  // Energy: dynamic work of the graph passes that run (one pass = one micro-batch on one TP rank through all
  // layers; replicas without sequences run none), plus idle power of every device for the whole phase.
  const passes = s.tp * Math.min(dp, s.batch) * microBatches;
  const idleW = ctx.energy.idleW * devices;
  const prefillEnergyJ = (prefill.dynamicEnergyJ + visionJ) * passes + (draftPrefillPass ? draftPrefillPass.dynamicJ * Math.min(dp, s.batch) : 0)
    + idleW * ttftS;
  const decodeDynamicJ = decode.dynamicEnergyJ * passes;
  const decodeStepEnergyJ = decodeDynamicJ + idleW * decodeStepS;
  const perTokenDynamicJ = speculative
    ? (speculative.stepDynamicEnergyJ * Math.min(dp, s.batch)) / speculative.expectedTokensPerStep
    : decodeDynamicJ;
  const totalEnergyJ = prefillEnergyJ + steps * (perTokenDynamicJ + idleW * tpotS);

  const capacityBytes = device.memory[0]!.capacityBytes;
  const plan: MemoryPlan = {
    tp: s.tp, pp: s.pp, ep: s.ep, replicaBatch, microBatch, contextTokens: context, inputTokens: prompt,
    flash: s.flash, promptLogits: s.promptLogits, workspaceBytes: s.workspaceBytes,
    ...(vision ? { stage0Bytes: vision.weightBytes, minActivationBytes: vision.activationBytes } : {}),
  };
  if (s.speculative && speculative) {
    // The draft prefills as a serving engine does (last-token logits), whatever the target does.
    const { stage0Bytes: _tower, minActivationBytes: _towerActivations, promptLogits: _allLogits, ...targetPlan } = plan;
    const draftMemory = memoryReport(s.speculative.draft, s.precision,
      { ...targetPlan, tp: speculative.draftTp, pp: 1, ep: 1, microBatch: replicaBatch, workspaceBytes: 0 }, capacityBytes);
    plan.draftBytes = draftMemory.weightsBytes + draftMemory.kvCacheBytes;
  }
  const memory = memoryReport(model, s.precision, plan, capacityBytes);
  const maxBatchThatFits = maxReplicaBatch(model, s.precision, plan, capacityBytes) * dp;

  const outputTokensPerS = (s.batch * s.outputTokens) / e2eS;
  const maxContextTokens = s.maxContext ? maxInputTokens(model, s.precision, plan, s.outputTokens, capacityBytes) : undefined;
  // Memory is the only limit maxInputTokens knows; a prompt past the model's trained positions is another.
  if (maxContextTokens !== undefined && maxContextTokens + s.outputTokens > model.maxPositionEmbeddings) {
    warnings.push(`the longest prompt that fits in memory (${maxContextTokens} tokens) is past the ${model.maxPositionEmbeddings} positions ${model.id} was trained for (a prompt of at most ${Math.max(0, model.maxPositionEmbeddings - s.outputTokens)} with ${s.outputTokens} out)`);
  }
  const report: EstimateReport = {
    feasible: memory.fits,
    warnings,
    ttftS, tpotS, e2eS, outputTokensPerS, outputTokensPerSPerDevice: outputTokensPerS / devices,
    energyJPerToken: totalEnergyJ / (s.batch * s.outputTokens),
    maxBatchThatFits,
    ...(speculative ? { speculative } : {}),
    ...(vision ? { vision: { latencyS: visionS, imageTokens: s.images * vision.imageTokensPerImage, ops: vision.ops } } : {}),
    ...(maxContextTokens === undefined ? {} : { maxContextTokens }),
    memory,
    prefill: { latencyS: ttftS, energyJ: prefillEnergyJ, ops: opReports(prefill) },
    decode: { latencyS: decodeStepS, energyJ: decodeStepEnergyJ, contextTokens: meanContext, ops: opReports(decode) },
    parallel: { devices, tp: s.tp, pp: s.pp, ep: s.ep, dp, replicaBatch, microBatches, prefillBubbleFraction, prefillStageIntervalS, hostStepS },
    inputs: { model, hardware: system, scenario: s, efficiency, calibration: backend.usesCalibration ? calibrationSummary(inputs.calibration, [prefill, decode]) : null, backend: backend.id },
  };
  assertFinite(report);
  if (!memory.fits) {
    // Enough digits that the two numbers differ (a shortfall of a few MB printed "needs 24.0 GB … has 24.0 GB").
    let digits = 1;
    while (digits < 6 && (memory.perDeviceBytes / 1e9).toFixed(digits) === (capacityBytes / 1e9).toFixed(digits)) digits++;
    report.reason = `needs ${(memory.perDeviceBytes / 1e9).toFixed(digits)} GB per device but ${device.id} has ${(capacityBytes / 1e9).toFixed(digits)} GB`
      + ` (largest batch that fits: ${maxBatchThatFits})`;
  }
  return report;
}

/** How the calibration priced an estimate (EstimateReport.inputs.calibration). */
export interface CalibrationSummary {
  profile: string;
  families: string[];
  widenedGemms: boolean;
  /**
   * The kernel-time error, on the measurements their profile held out, of the curves that priced this estimate's
   * ops (prefill and decode): one entry per family (and compute dtype, where the profile split it), absolute %.
   * Kernels, not the end to end: docs/accuracy.md has that.
   */
  heldOutError: CurveErrorReport[];
}

// A curve's error depends on the curves, the op's family, datapath and alignment only: one lookup per curves object
// and key, not per op and estimate (sweeps run thousands of estimates).
const curveErrorCache = new WeakMap<CalibrationCurves, Map<number, CurveErrorReport | null>>();

function cachedCurveError(curves: CalibrationCurves, op: Op, computeDtype: ComputeDtype | null): CurveErrorReport | undefined {
  const cache = curveErrorCache.get(curves) ?? curveErrorCache.set(curves, new Map()).get(curves)!;
  const key = (CALIBRATION_FAMILIES.indexOf(calibrationFamily(op)) * 64 + (computeDtype === null ? 63 : COMPUTE_DTYPES.indexOf(computeDtype))) * 2 + (misalignedGemm(op) ? 1 : 0);
  let error = cache.get(key);
  if (error === undefined) cache.set(key, error = curveErrorReport(curves, curves.deviceId, op, computeDtype) ?? null);
  return error ?? undefined;
}

function calibrationSummary(curves: CalibrationCurves | undefined, phases: readonly CostedGraph[]): CalibrationSummary | null {
  if (!curves) return null;
  const widenedGemms = phases.some((p) => p.graph.ops.some((op, i) => dequantizing(op, p.costs[i]!.computeDtype)));
  // Several keys (datapaths, alignments) can find one entry: one line each.
  const errors = new Map<string, CurveErrorReport>();
  for (const p of phases) {
    for (let i = 0; i < p.graph.ops.length; i++) {
      const cost = p.costs[i]!;
      if (cost.pricedBy !== 'curve') continue;
      const error = cachedCurveError(curves, p.graph.ops[i]!, cost.computeDtype);
      if (error) errors.set(`${error.deviceId} ${error.family} ${error.dtype} ${error.alignment} ${error.pricing}`, error);
    }
  }
  const heldOutError = [...errors.values()].sort((a, b) => a.family.localeCompare(b.family) || (a.dtype ?? '').localeCompare(b.dtype ?? '')
    || (a.alignment ?? '').localeCompare(b.alignment ?? '') || (a.pricing ?? '').localeCompare(b.pricing ?? ''));
  const families = new Set([...Object.keys(curves.families), ...Object.keys(curves.byDtype ?? {})]);
  // A part that borrows a same-silicon part's curves says whose they are.
  const borrowed = (curves.fittedOn ?? []).filter((id) => id !== curves.deviceId);
  const own = curves.fittedOn === undefined || curves.fittedOn.includes(curves.deviceId);
  const profile = borrowed.length === 0 ? curves.deviceId
    : own ? `${curves.deviceId} + ${borrowed.join(' + ')} (same silicon)` : `${borrowed.join(' + ')} (same silicon as ${curves.deviceId})`;
  return { profile, families: [...families].sort(), widenedGemms, heldOutError };
}

/** NaN or Infinity never leaves the core: extreme inputs that overflow are reported as a user error. */
function assertFinite(r: EstimateReport): void {
  const scalars: Record<string, number> = {
    ttftS: r.ttftS, tpotS: r.tpotS, e2eS: r.e2eS, outputTokensPerS: r.outputTokensPerS, energyJPerToken: r.energyJPerToken,
    'memory.perDeviceBytes': r.memory.perDeviceBytes, 'prefill.energyJ': r.prefill.energyJ, 'decode.energyJ': r.decode.energyJ,
    'decode.latencyS': r.decode.latencyS, maxBatchThatFits: r.maxBatchThatFits,
  };
  for (const [name, value] of Object.entries(scalars)) {
    if (!Number.isFinite(value)) {
      throw new GenzError('invalid_input', `these inputs give a non-finite ${name}; check the hardware and model specs for extreme values`, [name]);
    }
  }
}

/** Time of one layer of `costed` (a decode graph) with its attention re-costed at another context length. */
function layerTimeAtContext(costed: CostedGraph, backend: CostBackend, ctx: CostContext): (context: number) => number {
  const ops = costed.graph.ops;
  let attentionS = 0;
  const attention: AttentionOp[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.kind === 'attention' && op.scope === 'layer') {
      attention.push(op);
      attentionS += (costed.costs[i]!.latencyS * op.count) / costed.graph.numLayers;
    }
  }
  const baseS = costed.layerS - attentionS;
  return (context: number) => {
    let layerS = baseS;
    for (const op of attention) layerS += (backend.cost({ ...op, kvLen: context }, ctx).latencyS * op.count) / costed.graph.numLayers;
    return layerS;
  };
}

/** The library entry: validates `request`, resolves ids and returns the estimate. */
/** The estimate of a request, on the engine it names (or on `backend`, e.g. a cycle engine that records a trace). */
export function estimate(request?: EstimateRequest, backend?: CostBackend): EstimateReport {
  const inputs = resolveInputs(request);
  return estimateResolved(inputs, backend ?? backendFor(inputs.engine));
}
