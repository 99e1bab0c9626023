// The public API of genz. cli/ and web/ import only from here.

export { GenzError, formatProblem, formatPath, isGenzError } from './common/errors.ts';
export { closestNames } from './common/closest.ts';
export type { GenzErrorCode, GenzProblem } from './common/errors.ts';
export { COMPUTE_DTYPES, DTYPE_STORAGE_BITS, isComputeDtype } from './common/dtype.ts';
export type { ComputeDtype } from './common/dtype.ts';

export { DeviceSchema, DEVICE_KINDS, MEMORY_TECHNOLOGIES } from './hardware/device-schema.ts';
export type { Device, PeakFlops, MemoryLevel, Link, DeviceKind } from './hardware/device-schema.ts';
export { SystemSchema } from './hardware/system-schema.ts';
export type { SystemSpec, Network } from './hardware/system-schema.ts';
export { listDevices, listSystems, findDevice, findSystem, hardwareIds, resolveHardware } from './hardware/registry.ts';
export type { ResolvedSystem } from './hardware/registry.ts';
export { hardwareJsonSchema, modelJsonSchema } from './hardware/json-schema.ts';

export { TransformerConfigSchema, MODEL_FAMILIES } from './models/transformer-schema.ts';
export type { TransformerConfig, TransformerConfigInput, MoeConfig } from './models/transformer-schema.ts';
export { listModels, findModel, modelIds, resolveModel } from './models/registry.ts';
export { importHfConfig } from './models/hf-import.ts';
export { paramBreakdown, activeParams } from './models/params.ts';
export type { ParamBreakdown } from './models/params.ts';
export { buildGraph } from './models/graph.ts';
export type { GraphRequest } from './models/graph.ts';
export type { Op, OpGraph, OpKind, Phase, GemmOp, AttentionOp, ElementwiseOp, GatherOp, CollectiveOp, BlasLayout } from './models/ops.ts';
export { BLAS_LAYOUTS } from './models/ops.ts';
export type { Precision } from './models/precision.ts';
export { expectedDistinctExperts } from './models/expected-experts.ts';

export type { CostBackend, CostContext, OpCost, Bound } from './simulator/cost.ts';
export { DEFAULT_EFFICIENCY, IDEAL_EFFICIENCY } from './simulator/efficiency.ts';
export type { EfficiencyProfile } from './simulator/efficiency.ts';
export { rooflineBackend } from './simulator/roofline/roofline-backend.ts';
export { ENGINES, backendFor } from './simulator/engines.ts';
export type { EngineId } from './simulator/engines.ts';
export { createCycleBackend, cycleBackend, CycleTrace, cycleStats, resetCycleStats, clearCycleCache } from './simulator/cycle/cycle-backend.ts';
export type { CycleBackendOptions, CycleStats } from './simulator/cycle/cycle-backend.ts';
export { collectiveS, ringAllReduceS, treeAllReduceS } from './simulator/collectives.ts';
export { estimateResolved, resolveInputs } from './simulator/serving/estimate.ts';
export { estimate } from './calibrate/calibrated-estimate.ts';
export type { EstimateReport, PhaseReport, ResolvedInputs, Scenario } from './simulator/serving/estimate.ts';
export { EstimateRequestSchema, DEFAULT_MODEL, DEFAULT_HARDWARE } from './simulator/serving/request.ts';
export { SERVING_FRAMEWORKS, FRAMEWORK_COSTS } from './simulator/serving/frameworks.ts';
export { LOW_BIT_KERNELS, CPU_LOW_BIT_KERNEL_COST, lowBitOps, type LowBitKernel, type LowBitKernelCost } from './simulator/cpu-lowbit.ts';
export type { ServingFramework, FrameworkCosts } from './simulator/serving/frameworks.ts';
export type { OwnAllReduce } from './simulator/collectives.ts';
export type { EstimateRequest } from './simulator/serving/request.ts';
export type { OpReport } from './simulator/serving/phase.ts';
export type { MemoryReport } from './simulator/serving/memory.ts';
export { SingleOpRequestSchema } from './simulator/single-op.ts';
export { estimateOp } from './calibrate/calibrated-estimate.ts';
export type { SingleOpRequest, SingleOpResult } from './simulator/single-op.ts';

// Vision encoders and vision-language models.
export { VitConfigSchema } from './models/vision/vit-schema.ts';
export type { VitConfig, VitConfigInput } from './models/vision/vit-schema.ts';
export { VlmConfigSchema } from './models/vision/vlm-schema.ts';
export type { VlmConfig, VlmConfigInput } from './models/vision/vlm-schema.ts';
export { listVits, vitIds, vlmIds, findVit, findVlmConfig, listVlmConfigs, resolveVit } from './models/vision/registry.ts';
export { resolveVlm, vlmImageTokens, buildVlmVisionGraph, vlmParams } from './models/vision/vlm.ts';
export type { ResolvedVlm } from './models/vision/vlm.ts';
export { buildVitGraph, vitParams, vitFootprint } from './models/vision/vit-graph.ts';
export { VimConfigSchema, vimTokens, vimDims, vimParallelismProblem } from './models/vision/vim-schema.ts';
export type { VimConfig, VimConfigInput } from './models/vision/vim-schema.ts';
export { listVims, vimIds, findVim, resolveVim, resolveVisionEncoder } from './models/vision/registry.ts';
export type { VisionEncoderConfig } from './models/vision/registry.ts';
export { buildVimGraph, vimParams, vimFootprint } from './models/vision/vim-graph.ts';
export type { VimGraphRequest, VimParamBreakdown } from './models/vision/vim-graph.ts';
export { estimateVision, VisionRequestSchema } from './simulator/serving/vision-estimate.ts';
export type { VisionRequest, VisionReport } from './simulator/serving/vision-estimate.ts';

// Speculative decoding math.
export { expectedTokensChain, expectedTokensTree, chainTree, treeFromBranching, kAryTree, sequoiaTree, speculativeStep } from './simulator/serving/speculative.ts';
export type { SpecTree, SpeculativeStep } from './simulator/serving/speculative.ts';

// Measurements and calibration data (pure: no files).
export { MeasurementSchema, MEASUREMENT_SCHEMA_ID, KERNELS, FAMILIES, FAMILY_OF } from './calibrate/measurement-schema.ts';
export type { Measurement, KernelName, KernelFamily } from './calibrate/measurement-schema.ts';
export { parseMeasurements, readMeasurementsStrict, formatMeasurement, measurementKey } from './calibrate/measurements.ts';
export { IMPORTERS, IMPORT_SOURCES, VIDUR_DEVICES } from './calibrate/importers/index.ts';
export type { ImportSource } from './calibrate/importers/index.ts';

// Calibration profiles.
export { crossValidate, fitProfile, fitProfiles, measuredDeviceIds, measurementDeviceId, withoutWorseCurves } from './calibrate/fit.ts';
export { crossValidationTable, largeGemmThroughputSection, largeGemmThroughputTable, reportProfile, rerunDriftTable } from './calibrate/report.ts';
export { ProfileSchema, parseProfile, parseProfileText, profileCurves, profileJsonSchema, profileText } from './calibrate/profile-schema.ts';
export type { CalibrationProfile } from './calibrate/profile-schema.ts';
export type { CalibrationCurves, CalibrationCurve, CurveErrorReport, HeldOutKernelError } from './simulator/calibration.ts';
export { curveErrorLabel, curveErrorsText } from './simulator/calibration.ts';
export { defaultCalibration, shippedCalibrationIds } from './simulator/calibration-defaults.ts';
