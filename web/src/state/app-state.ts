// Everything a view shows follows from this state; it lives in the URL, so a link reproduces the view.

export const VIEWS = ['estimate', 'roofline', 'whatif', 'compare', 'sweep'] as const;
export type View = (typeof VIEWS)[number];

export const VIEW_LABELS: Record<View, string> = {
  estimate: 'Estimate', roofline: 'Roofline', whatif: 'What-if', compare: 'Compare', sweep: 'Sweep',
};

/** The compute dtypes of the core (checked against its type in request.ts). */
export const DTYPES = ['fp64', 'fp32', 'tf32', 'bf16', 'fp16', 'fp8', 'int8', 'int4'] as const;

export const SWEEP_AXES = ['batch', 'context', 'tp'] as const;
export type SweepAxis = (typeof SWEEP_AXES)[number];
export const PARETO_COSTS = ['energy', 'cost'] as const;
export type ParetoCost = (typeof PARETO_COSTS)[number];
export const PHASES = ['both', 'prefill', 'decode'] as const;
export type Phase = (typeof PHASES)[number];
/** How operators are priced: the device's shipped calibration profile (where it has one), or efficiency factors alone. */
export const CALIBRATIONS = ['default', 'none'] as const;
export type Calibration = (typeof CALIBRATIONS)[number];
/** The cost engine: the analytical roofline, or the cycle-level simulator (uncalibrated, ≈0.1–1 s per estimate). */
export const ENGINES = ['roofline', 'cycle'] as const;
export type Engine = (typeof ENGINES)[number];
/** The serving framework whose costs (host time per step and per sequence, all-reduce kernels, KV re-reads) are added (the core's SERVING_FRAMEWORKS). */
export const FRAMEWORKS = ['none', 'vllm', 'tensorrt-llm', 'deepspeed-mii', 'llama.cpp'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** A CPU's kernel for sub-8-bit weights (the core's LOW_BIT_KERNELS): llama.cpp's dequantizing one or T-MAC's lookups. */
export const LOW_BIT_KERNELS = ['dequant', 'lut'] as const;
export type LowBitKernelChoice = (typeof LOW_BIT_KERNELS)[number];

/** Speculative decoding with a draft model: α is the chance a draft token is accepted, γ the drafts per step. */
export interface SpeculativeState {
  draft: string;
  acceptance: number;
  /** Draft tokens per step of the chain; the core's default (4) when not given. */
  gamma?: number;
}

export const DEFAULT_SPECULATIVE: SpeculativeState = { draft: 'llama-3.2-1b', acceptance: 0.7 };

/** The serving scenario, as the CLI flags. Numbers are kept as typed so the core reports bad ones at the field. */
export interface ScenarioState {
  batch: number;
  inputTokens: number;
  outputTokens: number;
  tp: number;
  pp: number;
  dtype: string;
  flash: boolean;
  wbits?: number;
  kvbits?: number;
  calibration: Calibration;
  engine: Engine;
  framework: Framework;
  speculative?: SpeculativeState;
  /** Images per sequence, for a vision-language model (the core's default, 1, when not given). */
  images?: number;
  /** CPU devices: threads of the run (all cores when not given); the worker drops it for other hardware (Compare). */
  threads?: number;
  /** CPU devices: the low-bit kernel (the core's default, dequant, when not given). */
  lowBitKernel?: LowBitKernelChoice;
  /**
   * Every sequence of the batch is the same prompt (benchmarks that repeat one): a mixture of experts routes them
   * alike (the request's identicalPrompts; false when not given).
   */
  identicalPrompts?: boolean;
}

/** The id of the uploaded spec in the model and hardware pickers. */
export const CUSTOM = 'custom';

export interface AppState {
  view: View;
  /** A preset id, or CUSTOM for `customModel`. */
  model: string;
  hardware: string;
  customModel?: Record<string, unknown>;
  customHardware?: Record<string, unknown>;
  scenario: ScenarioState;
  /** What-if overrides by knob key ('hw.memBw', 'model.numLayers', 'scenario.batch', 'eff.memory'), in SI units. */
  overrides: Record<string, number>;
  /** Hardware ids side by side in Compare (and the hardware of the Pareto scatter). */
  compare: string[];
  sweepAxis: SweepAxis;
  paretoCost: ParetoCost;
  /** Price per device-hour by hardware id for the cost axis; 1 where none is given. */
  prices: Record<string, number>;
  phase: Phase;
}

export const DEFAULT_STATE: AppState = {
  view: 'estimate',
  model: 'llama-3.1-8b',
  hardware: 'h100-sxm',
  scenario: { batch: 1, inputTokens: 1024, outputTokens: 256, tp: 1, pp: 1, dtype: 'bf16', flash: true, calibration: 'default', engine: 'roofline', framework: 'none' },
  overrides: {},
  compare: ['h100-sxm', 'h200', 'mi300x', 'a100-80gb-sxm'],
  sweepAxis: 'batch',
  paretoCost: 'energy',
  prices: {},
  phase: 'both',
};
