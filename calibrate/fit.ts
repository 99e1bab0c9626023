// `genz calibrate fit`: fits one calibration curve per operator family (simulator/calibration.ts) to measured
// kernel times of one device, on a training split, and records the held-out error before (default efficiencies)
// and after (the curves). For each family:
//   y = ln((measured − overheadS) / floorS) is fitted by ridge least squares on the features φ (mathjs lusolve of
//   the normal equations); overheadS is picked from a small grid (0 … 0.9 × the family's fastest training time)
//   by the training error of the whole prediction, a robust small-op intercept that keeps the fit linear.
//   minSlowdown, the smallest measured/floor of the training rows, bounds every calibrated time from below (at least
//   1, so at the roofline floor; but a collective's, whose floor is a model: FLOOR_MODEL_FAMILIES).
//   The GEMM kernel-regime steps (TILE_FEATURES: tile padding, few-token kernels, power-of-two strides, few
//   tiles), the neighbour correction (its training rows' residuals, simulator/calibration-neighbors.ts) and, for
//   curves on few rows, a richer feature tier (RICH_ROWS_PER_PARAMETER) are kept per curve where a 5-fold
//   cross-validation over the training rows says they help (chooseCurveParts).
// A device without a genz preset gets a spec built from the measurements (best achieved rates), embedded in the profile.
import { lusolve } from 'mathjs';
import { GenzError } from '../common/errors.ts';
import { parseWith } from '../common/zod-errors.ts';
import { DeviceSchema, type Device, type PeakFlops } from '../hardware/device-schema.ts';
import { ASSUMED_SCALE_OUT, DEFAULT_LINK_LATENCY_S, findDevice, findSystem, unknownHardware } from '../hardware/registry.ts';
import type { Network } from '../hardware/system-schema.ts';
import { COLLECTIVE_KINDS, type Op } from '../models/ops.ts';
import {
  ATTENTION_KERNELS, CALIBRATION_FAMILIES, CALIBRATION_FEATURES, CALIBRATION_SCHEMA_ID, FEATURE_COUNT, GEMM_ALIGNMENTS, attentionKernel, calibrationFeature, gemmAlignment,
  misalignedGemm, neighborCategory, twinDtype, type CalibrationCurve, type CalibrationCurves, type CalibrationFamily, type GemmAlignment,
} from '../simulator/calibration.ts';
import { NEIGHBOR_COORDINATES } from '../simulator/calibration-neighbors.ts';
import type { CostContext } from '../simulator/cost.ts';
import { DEFAULT_EFFICIENCY, IDEAL_EFFICIENCY, type EfficiencyProfile } from '../simulator/efficiency.ts';
import { energyRates } from '../simulator/energy.ts';
import { costOp } from '../simulator/roofline/roofline-backend.ts';
import { COMPUTE_DTYPES, type ComputeDtype } from '../common/dtype.ts';
import { absPctError, medianP90, quantile } from './accuracy/error-stats.ts';
import type { Measurement } from './measurement-schema.ts';
import { measurementKey, measurementOp, shapeKey, stableHash } from './op-family.ts';
import type { CalibrationProfile, FamilyError } from './profile-schema.ts';

export interface FitOptions {
  /** Which device's measurements to fit (device.id, else a slug of device.name); needed when there are several. */
  deviceId?: string;
  /** Peaks to fit against: a preset id or a device spec (default: the preset `deviceId` names, else inferred). */
  hardware?: string | Device;
  /** Percent of measurement keys held out for the error table (default 20). */
  heldOutPercent?: number;
  /** The command that made the profile, recorded in it. */
  createdBy: string;
  /** Files or datasets the measurements came from (default: their `source` fields). */
  measurementSources?: string[];
  /** Efficiencies of the uncalibrated estimator the "before" error is measured for (default DEFAULT_EFFICIENCY). */
  before?: EfficiencyProfile;
  /** Keep neighbour tables where cross-validation on the training rows finds they help (default true). */
  neighbors?: boolean;
}

/** One measurement, priced: what the fit and the error table need. */
export interface FitRow {
  family: CalibrationFamily;
  op: Op;
  ctx: CostContext;
  measuredS: number;
  /** Times at efficiency 1. */
  computeS: number;
  memoryS: number;
  networkS: number;
  floorS: number;
  /** Datapath of the op's tensor work (null: none). */
  dtype: ComputeDtype | null;
  heldOut: boolean;
  /** The measurement key (device|kernel|variant|dtype|shape). */
  key: string;
  /**
   * What the held-out split and the cross-validation folds hash (splitKeyOf): the key without its variant, and for
   * GEMMs without the kernel, so one problem timed in several BLAS layouts (DeepBench's NN, NT and TN; kernels-ref's NN
   * and TN) or by several GEMM kernels lands in one fold: a layout twin on the training side would make its held-out sibling look
   * predicted (a review re-salted the folds eight times, 2026-11-27: H100 fp32 GEMM p90 31.2 → 39.2 % grouped this way).
   */
  splitKey: string;
}

/** The device a measurement is of: its genz id when the writer knew it, else a slug of its name. */
export function measurementDeviceId(m: Measurement): string {
  if (m.device.id !== undefined) return m.device.id;
  return m.device.name.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '') || 'device';
}

/**
 * The key the held-out split and the folds hash (FitRow.splitKey): for a GEMM, the measurement key without its kernel
 * and variant (kernels-ref's implementations and BLAS layouts of one product, DeepBench's NN/NT/TN: one problem);
 * for other families the measurement key itself (add and silu of one size are two problems).
 */
export function splitKeyOf(m: Measurement, deviceId: string, family: CalibrationFamily): string {
  if (!TILE_FAMILIES.has(family)) return measurementKey(m, deviceId);
  // A row without a variant of an imported GEMM keeps its measurement key (and its fold).
  const { variant: _, ...problem } = m;
  // kernels-ref's gemv {m, k} is the GEMM {m: 1, n: m, k} its flat-gemm and gemm-blas rows time: one problem.
  const shape = m.kernel === 'gemv' && m.shape.n === undefined ? { m: 1, n: m.shape.m!, k: m.shape.k! } : m.shape;
  return measurementKey({ ...problem, shape, kernel: GEMM_IMPLEMENTATIONS.has(m.kernel) ? 'gemm-blas' : m.kernel }, deviceId);
}

function isHeldOutKey(key: string, percent: number): boolean {
  return stableHash(key) % 100 < percent;
}

/**
 * The GEMM kernel-regime steps (simulator/calibration.ts): the per-dimension tile padding (padN, padK, padM64), the
 * few-token kernels (skinny), power-of-two weight strides (pow2Stride) and GEMMs of few tiles (fewTiles). A family's
 * curves carry them only where cross-validation on the training rows finds they help (chooseCurveParts): NeuSight's
 * batched GEMMs follow the padding closely and DeepBench's P100 and MI25 the others, while on a few hundred
 * grid-shaped rows (the Hopper sweeps) they can fit noise.
 */
const TILE_FEATURES: readonly number[] = (['padN', 'padK', 'padM64', 'skinny', 'pow2Stride', 'fewTiles'] as const).map((f) => CALIBRATION_FEATURES.indexOf(f));

/**
 * The features a curve fitted on a few dozen rows keeps (4 rows per parameter and the overhead: 92 rows when all 22
 * features vary, 40 for these): balance, size, the shape terms (log m, n, k for a GEMM), wave and the layout. In
 * 5-fold CV this tier took the CI machine's CPU GEMMs (53 rows) from 12.7/27.2 to 6.5/23.7 % median/p90 and the H200's
 * fp32 GEMMs (60) from 11.6/40.6 to 11.6/36.0; the H100's fp32 GEMMs moved from 12.1/34.8 to 12.0/37.4.
 */
const MIDDLE_FEATURES: readonly number[] = (['balance', 'size', 'shape1', 'shape2', 'shape3', 'wave', 'transW', 'transX'] as const).map((f) => CALIBRATION_FEATURES.indexOf(f));

/**
 * The GEMM features that depend on the weight's shape (n, k) alone or with m: a curve fits them only where its rows
 * hold WEIGHT_SHAPES_PER_TERM distinct (n, k) pairs per term (24). Vidur's A100 and A40 sweeps time one model's four
 * projections at hundreds of token counts: 1,000 rows, 4 weight shapes (14 with LLMCompass's on the A100), and these
 * terms learned each shape's offset by heart. Holding out every row of one (n, k) pair at a time (the shapes of
 * another model), the A100's curves scored 12.7/27.3 % median/p90 and the A40's 7.7/17.7 (the defaults 3.9–9.1
 * medians); without these terms 7.2/16.0 and 4.4/15.3, while the 5-fold table moves by at most 0.3 points on both
 * (2026-11-27, a review's leave-one-shape-out script). The A100 profile had priced Llama-2-70B's MLP GEMMs at 259–279
 * TFLOP/s, above the best TN GEMM measured on it (248) and MAMF's 268 (data/mamf_bf16_matmul_measured.csv); now
 * 209–223. DeepBench's (29 shapes per dtype), NeuSight's and the Hopper sweeps' curves keep them.
 */
const WEIGHT_SHAPE_FEATURES: readonly number[] = (['shape2', 'shape3', 'mn', 'k2', 'padN', 'padK', 'misalign', 'pow2Stride'] as const).map((f) => CALIBRATION_FEATURES.indexOf(f));
const WEIGHT_SHAPES_PER_TERM = 3;

/** Whether GEMM rows hold enough distinct weight shapes (n, k) for the weight-shape terms; other rows: true. */
export function enoughWeightShapes(rows: readonly FitRow[]): boolean {
  if (!rows.every((r) => r.op.kind === 'gemm')) return true;
  const shapes = new Set(rows.map((r) => (r.op.kind === 'gemm' ? `${r.op.n}x${r.op.k}` : '')));
  return shapes.size >= WEIGHT_SHAPES_PER_TERM * WEIGHT_SHAPE_FEATURES.length;
}

/** Points of mean absolute % error by which the tile features must lower a curve's cross-validated error to be kept. */
const TILE_MARGIN_POINTS = 0.5;

/**
 * Training rows per fitted parameter (the overhead included) a curve's feature tier needs: 4 by default, 2 where
 * cross-validation on the curve's training rows finds the richer tier lowers the mean absolute error by
 * RICH_MARGIN_POINTS (chooseCurveParts). At 4 alone, a curve on a few dozen rows keeps few terms (the Hopper fp32
 * GEMMs' 60 rows: the shape tier without the quadratic, alignment and padding terms). 5-fold CV, median/p90 %
 * (2026-11-26): H100 fp32 GEMMs 12.0/37.4 → 11.5/31.4, H200 fp32 11.6/36.0 → 8.7/29.2, MI210 softmax 6.6/17.6 →
 * 2.2/17.1, the CI CPU's attention 14.7/35.3 → 14.4/27.7 and softmax 15.4/34.2 → 11.0/36.0 and GEMMs 6.5/23.7 →
 * 9.3/23.4 (mean error chose a better p90 for a worse median there); MI210 GEMMs 3.6/30.4 → 3.9/30.4, H200
 * elementwise 5.3/16.8 → 4.8/17.0; every other curve's inner folds keep the default. The margin (1 point; 0.5, 2 and 4
 * tried) was picked by reading that table.
 */
const ROWS_PER_PARAMETER = 4;
const RICH_ROWS_PER_PARAMETER = 2;
const RICH_MARGIN_POINTS = 1;
/** Rows from which every tier is open at ROWS_PER_PARAMETER: larger curves have no richer tier to try. */
const ALL_FEATURES_ROWS = ROWS_PER_PARAMETER * (FEATURE_COUNT + 1);

/**
 * Families whose roofline floor is a model of the algorithm rather than a bound: collectives (an α–β ring, tree or
 * in-switch model over the link's spec rate, which an algorithm NCCL picks may beat). Their curves may price under
 * the floor where the data do, down to the best ratio measured (at least MIN_FLOOR_MODEL_SLOWDOWN); every other
 * family's never. Vidur's H100 DGX rows never do (best 1.28 × the floor): the allowance was made when their sizes were
 * read as fp16 elements (twice the bytes, so NCCL looked 0.64–0.84 × the floor), and kept as the model's honest bound.
 */
const FLOOR_MODEL_FAMILIES: ReadonlySet<CalibrationFamily> = new Set(['collective']);
const MIN_FLOOR_MODEL_SLOWDOWN = 0.05;

/** Training rows a family needs in one dtype for a curve of its own. */
const MIN_DTYPE_ROWS = 20;

/**
 * Training rows each side needs before a 16-bit GEMM dtype curve splits into aligned and misaligned curves
 * (CalibrationCurve.misaligned): 40, the fewest that fit the shape, wave and layout tier (MIDDLE_FEATURES) at
 * ROWS_PER_PARAMETER. Only the Hopper sweeps have so many misaligned rows (342 per card; DeepBench 24 per board).
 * In 5-fold CV (2026-11-27, docs/gpu-runs.md) the split took the aligned fp16 GEMMs (model shapes) from 3.9/18.0 to
 * 3.6/16.8 % median/p90 on the H100 and from 4.6/13.4 to 3.0/10.7 on the H200; the misaligned ones scored about as in
 * one curve (13.0/38.8 → 13.4/39.3 and 13.1/36.6 → 12.9/35.9), before the misalign feature was graded by alignment.
 */
const MIN_ALIGNMENT_SPLIT_ROWS = 40;

/**
 * Whether `rows` (one GEMM family's rows of one 16-bit dtype) hold enough aligned and misaligned rows for a curve
 * each (MIN_ALIGNMENT_SPLIT_ROWS).
 */
function enoughForAlignmentSplit(family: CalibrationFamily, dtype: ComputeDtype, rows: readonly FitRow[]): boolean {
  if (!TILE_FAMILIES.has(family) || (dtype !== 'fp16' && dtype !== 'bf16')) return false;
  const misaligned = rows.filter((r) => misalignedGemm(r.op)).length;
  return misaligned >= MIN_ALIGNMENT_SPLIT_ROWS && rows.length - misaligned >= MIN_ALIGNMENT_SPLIT_ROWS;
}

const GEMM_KERNELS = new Set<Measurement['kernel']>(['gemm-naive', 'gemm-smem', 'gemm-tensor', 'gemm-blas', 'gemm', 'batched-gemm', 'gemv', 'flat-gemm']);
const STREAM_KERNELS = new Set<Measurement['kernel']>(['memcpy', 'add', 'mul', 'silu', 'gelu', 'silu-mul', 'rope', 'rmsnorm', 'layernorm', 'softmax', 'embedding']);
const PEAK_DTYPES: readonly ComputeDtype[] = ['fp64', 'fp32', 'tf32', 'bf16', 'fp16', 'fp8', 'int8', 'int4'];

/**
 * A device spec for a device genz has no preset for, from its measurements: peak FLOP/s per dtype = the best
 * achieved GEMM rate of that dtype (fp32 falls back to the best of any dtype), bandwidth = the best achieved
 * rate of memcpy and streaming kernels. Power, process and cache are placeholders (they only feed energy).
 */
export function inferDevice(measurements: readonly Measurement[], id: string): { device: Device; notes: string[] } {
  const best = new Map<ComputeDtype, number>();
  let streamBytes = 0;
  let gemmBytes = 0;
  for (const m of measurements) {
    if (GEMM_KERNELS.has(m.kernel) && m.flops > 0 && (PEAK_DTYPES as readonly string[]).includes(m.dtype)) {
      const dtype = m.dtype as ComputeDtype;
      best.set(dtype, Math.max(best.get(dtype) ?? 0, m.flops / m.medianS));
    }
    if (STREAM_KERNELS.has(m.kernel) && m.bytes > 0) streamBytes = Math.max(streamBytes, m.bytes / m.medianS);
    if (GEMM_KERNELS.has(m.kernel) && m.bytes > 0) gemmBytes = Math.max(gemmBytes, m.bytes / m.medianS);
  }
  if (best.size === 0) {
    throw new GenzError('invalid_input', `device "${id}" has no genz preset and its measurements have no GEMM rows to infer peak FLOP/s from; give --hardware with a preset id or device spec`, ['hardware']);
  }
  // Without streaming kernels, the best GEMM byte rate (memory-bound skinny GEMMs) is a lower bound of bandwidth.
  const bestBytes = streamBytes > 0 ? streamBytes : gemmBytes;
  const bandwidthFrom = streamBytes > 0 ? 'the best memcpy/streaming rate' : 'the best GEMM byte rate (no streaming kernels measured: a lower bound)';
  if (bestBytes === 0) {
    throw new GenzError('invalid_input', `device "${id}" has no genz preset and its measurements give no byte counts to infer bandwidth from; give --hardware`, ['hardware']);
  }
  const peaks: Record<string, number> = {};
  for (const [dtype, rate] of best) peaks[dtype] = Math.max(1e6, rate);
  peaks.fp32 ??= Math.max(...best.values());
  const first = measurements[0]!.device;
  const cpu = first.backend === 'cpu';
  const name = first.name;
  const vendor = /nvidia/i.test(name) ? 'NVIDIA' : /amd|radeon|instinct|epyc|ryzen/i.test(name) ? 'AMD' : /intel|xeon/i.test(name) ? 'Intel' : 'unknown';
  const inferred = 'inferred by calibrate fit from the measurements';
  const placeholder = 'placeholder: not measured (affects energy only)';
  const capacityPlaceholder = 'placeholder: not measured (affects energy and the memory-fit check)';
  const device = parseWith(DeviceSchema, {
    id, name, kind: cpu ? 'cpu' : 'gpu', vendor, processNm: 7, clock: 'as measured',
    ...(first.computeUnits === undefined ? {} : { computeUnits: first.computeUnits }),
    peakFlopsPerS: peaks as PeakFlops,
    memory: [{ name: 'main memory', technology: cpu ? 'ddr5' : 'hbm2e', capacityBytes: first.memoryBytes ?? 16e9, bandwidthBytesPerS: Math.max(1e3, bestBytes) }],
    onChip: { l2Bytes: 32 * 2 ** 20 },
    power: { tdpW: cpu ? 200 : 300, idleW: cpu ? 30 : 50 },
    hostLink: { name: 'unknown', bandwidthBytesPerS: 32e9 },
    sources: {
      peakFlopsPerS: `${inferred}: best achieved GEMM rate per dtype${best.has('fp32') ? '' : ' (fp32: best of any dtype)'}`,
      'memory.0.bandwidthBytesPerS': `${inferred}: ${bandwidthFrom}`,
      'memory.0.capacityBytes': first.memoryBytes === undefined ? capacityPlaceholder : 'as the runtime or the source reported it',
      processNm: placeholder, power: placeholder, onChip: placeholder, hostLink: placeholder,
    },
  }, ['device']);
  const rates = Object.entries(peaks).map(([d, r]) => `${d} ${(r / 1e12).toPrecision(3)} TFLOP/s`).join(', ');
  return {
    device,
    notes: [`device "${id}" has no genz preset: peaks are the best achieved GEMM rates (${rates}) and bandwidth ${bandwidthFrom} (${(bestBytes / 1e9).toPrecision(3)} GB/s); power, process and cache are placeholders`],
  };
}

/**
 * kernels-ref's implementations of one GEMM problem: naive tiles, shared-memory tiles, tensor cores, vendor BLAS,
 * and the decode kernels (flat GEMM, GEMV) where they ran a shape the others ran too.
 */
const GEMM_IMPLEMENTATIONS = new Set<Measurement['kernel']>(['gemm-naive', 'gemm-smem', 'gemm-tensor', 'gemm-blas', 'flat-gemm', 'gemv', 'batched-gemm']);

/**
 * Keeps, of every GEMM problem (dtype and shape) measured with several of kernels-ref's implementations or tile
 * variants, only the fastest: the estimator models the kernel a library would pick, and a 5× slower teaching kernel
 * of the same shape would only teach the curve noise. Other rows pass unchanged, in order.
 */
export function fastestImplementations(measurements: readonly Measurement[]): { kept: Measurement[]; dropped: number; handWritten: number; ownKernels: number } {
  // One problem = device, dtype and the GEMM genz prices, layout included (so gemv {m, k} meets gemm-blas TN
  // {m: 1, n, k}, not the NN call of that shape); each row's key is priced once.
  const keys = new Map<Measurement, string>();
  const problem = (m: Measurement): string => {
    let key = keys.get(m);
    if (key === undefined) {
      const priced = measurementOp(m);
      const shape = 'problem' in priced || priced.op.kind !== 'gemm' ? shapeKey(m)
        : `m=${priced.op.m},n=${priced.op.n},k=${priced.op.k},batch=${priced.op.batch},layout=${priced.op.blasLayout ?? 'TN'}`;
      keys.set(m, (key = `${measurementDeviceId(m)}|${m.dtype}|${shape}`));
    }
    return key;
  };
  const competes = (m: Measurement): boolean => m.source === 'kernels-ref' && GEMM_IMPLEMENTATIONS.has(m.kernel);
  const fastest = new Map<string, Measurement>();
  const blasProblems = new Set<string>();
  const blasDatapaths = new Set<string>();
  for (const m of measurements) {
    if (!competes(m)) continue;
    const best = fastest.get(problem(m));
    if (best === undefined || m.medianS < best.medianS) fastest.set(problem(m), m);
    if (m.kernel === 'gemm-blas') { blasProblems.add(problem(m)); blasDatapaths.add(`${measurementDeviceId(m)}|${m.dtype}`); }
  }
  // Where the vendor BLAS was measured on a device and dtype, kernels-ref's hand-written GEMMs count only as
  // rivals on the BLAS's own shapes: batched-gemm, flat-gemm, gemv and tile kernels of other shapes are one teaching
  // kernel each, not the tuned library the estimator models (on the CPU they doubled the GEMM p90).
  const handWritten = (m: Measurement): boolean => m.source === 'kernels-ref' && HAND_GEMMS.has(m.kernel)
    && blasDatapaths.has(`${measurementDeviceId(m)}|${m.dtype}`) && !blasProblems.has(problem(m));
  let hand = 0;
  let own = 0;
  const kept = measurements.filter((m) => {
    if (handWritten(m)) { hand++; return false; }
    if (ownGpuKernel(m)) { own++; return false; }
    return !competes(m) || fastest.get(problem(m)) === m;
  });
  return { kept, dropped: measurements.length - kept.length - hand - own, handWritten: hand, ownKernels: own };
}

/**
 * kernels-ref's own attention, softmax and norm kernels on a GPU are teaching kernels, not what a serving stack runs
 * (FlashAttention on tensor cores; fused norms): on the H100 (2026-11-26) its flash-style kernel (scalar arithmetic, no
 * tensor cores) ran a median 12–30× its roofline floor (up to 179×), and its one-block-per-row kernels took 28–32 µs
 * (norms) and 20 µs (softmax) for one 8192-wide row. A curve fitted on them would price a model's attention and norms by them, so they are
 * measured and reported (docs/calibration.md) but not fitted; PyTorch's production kernels timed beside them
 * (kernels-ref/torch-ops.py, source "pytorch") give those curves. On a CPU kernels-ref's kernels are the
 * implementation genz prices, and they stay.
 */
export const OWN_GPU_KERNELS = new Set<Measurement['kernel']>(['attention-naive', 'attention-flash', 'softmax', 'rmsnorm', 'layernorm']);
export function ownGpuKernel(m: Measurement): boolean {
  return m.source === 'kernels-ref' && m.device.backend !== 'cpu' && OWN_GPU_KERNELS.has(m.kernel);
}

/** kernels-ref's own GEMM kernels (every GEMM kernel but the vendor BLAS). */
const HAND_GEMMS = new Set<Measurement['kernel']>(['gemm-naive', 'gemm-smem', 'gemm-tensor', 'batched-gemm', 'gemv', 'flat-gemm']);

/**
 * The cost context measurements of `device` are priced in: collectives run over its scale-up link (scale-out across
 * nodes), as an estimate on the bare device prices them (an H100 SXM's link meets the HGX board's NVSwitch, with
 * in-network reduction), or over the scale-up fabric of `systemId` where that is a system preset of this device
 * (Vidur's DGX H100 rows: 8x-h100-hgx; an unknown system or one of another device is ignored).
 */
export function measurementContext(device: Device, efficiency: EfficiencyProfile, baseDtype: ComputeDtype, systemId?: string): CostContext {
  const fabric = systemOf(device, systemId)?.scaleUp?.network;
  const link = fabric ?? device.scaleUp ?? device.hostLink;
  const scaleUp: Network = {
    name: link.name, bandwidthBytesPerS: link.bandwidthBytesPerS, latencyS: link.latencyS ?? DEFAULT_LINK_LATENCY_S,
    // A reducing switch is on the system's fabric or the device's scale-up link, never on its host link.
    ...((fabric ?? device.scaleUp)?.inNetworkReduction === true ? { inNetworkReduction: true } : {}),
  };
  return { device, efficiency, energy: energyRates(device), links: { tp: scaleUp, ep: scaleUp, pp: scaleUp, dp: ASSUMED_SCALE_OUT }, baseDtype };
}

/** The system preset `systemId` names when it is one of `device` (undefined otherwise). */
function systemOf(device: Device, systemId: string | undefined): ReturnType<typeof findSystem> {
  const system = systemId === undefined ? undefined : findSystem(systemId);
  return system !== undefined && system.device === device.id ? system : undefined;
}

/** Prices measurements on `device`: one row per measurement a family covers; `skipped` counts the rest. */
export function fitRows(measurements: readonly Measurement[], device: Device, deviceId: string, heldOutPercent: number,
  efficiency: EfficiencyProfile = DEFAULT_EFFICIENCY): { rows: FitRow[]; skipped: number } {
  const contexts = new Map<string, CostContext>();
  const rows: FitRow[] = [];
  let skipped = 0;
  for (const m of measurements) {
    const priced = measurementOp(m);
    if ('problem' in priced) { skipped++; continue; }
    const contextKey = `${priced.baseDtype}|${m.system ?? ''}`;
    let ctx = contexts.get(contextKey);
    if (!ctx) { ctx = measurementContext(device, efficiency, priced.baseDtype, m.system); contexts.set(contextKey, ctx); }
    const ideal = costOp(priced.op, { ...ctx, efficiency: IDEAL_EFFICIENCY });
    const floorS = Math.max(ideal.computeS, ideal.memoryS, ideal.networkS);
    if (!(floorS > 0)) { skipped++; continue; }
    const key = measurementKey(m, deviceId);
    const splitKey = splitKeyOf(m, deviceId, priced.family);
    rows.push({
      family: priced.family, op: priced.op, ctx, measuredS: m.medianS, computeS: ideal.computeS, memoryS: ideal.memoryS,
      networkS: ideal.networkS, floorS, dtype: ideal.computeDtype, heldOut: isHeldOutKey(splitKey, heldOutPercent), key, splitKey,
    });
  }
  return { rows, skipped };
}

function features(row: FitRow): number[] {
  const phi: number[] = [];
  for (let i = 0; i < FEATURE_COUNT; i++) phi.push(calibrationFeature(i, row.op, row.computeS, row.memoryS, row.networkS, row.ctx.device.computeUnits ?? 0));
  return phi;
}

/** Solves A x = b for a small dense system (mathjs LU); null when A is singular. */
function solve(a: number[][], b: number[]): number[] | null {
  try {
    return (lusolve(a, b) as number[][]).map((row) => row[0]!);
  } catch {
    return null;
  }
}

/** Ridge least squares of y on the columns `active` of x (weights of the others stay 0); the bias (column 0) is not penalized. */
function ridge(x: readonly number[][], y: readonly number[], active: readonly number[], lambda: number): number[] {
  const p = active.length;
  const a = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const b = new Array<number>(p).fill(0);
  x.forEach((phi, r) => {
    for (let i = 0; i < p; i++) {
      const xi = phi[active[i]!]!;
      b[i]! += xi * y[r]!;
      for (let j = 0; j < p; j++) a[i]![j]! += xi * phi[active[j]!]!;
    }
  });
  for (let i = 0; i < p; i++) if (active[i] !== 0) a[i]![i]! += lambda * x.length;
  const solved = solve(a, b);
  const weights = new Array<number>(FEATURE_COUNT).fill(0);
  active.forEach((col, i) => { weights[col] = solved?.[i] ?? 0; });
  return weights;
}

function exponentOf(weights: readonly number[], phi: readonly number[]): number {
  let e = 0;
  for (let i = 0; i < FEATURE_COUNT; i++) e += weights[i]! * phi[i]!;
  return e;
}

/** floor × exp(clamped w · φ) + overhead; the exponent is at least `lowest` (0: never under the roofline floor). */
function predictS(weights: readonly number[], overheadS: number, phi: readonly number[], floorS: number, lowest: number): number {
  return floorS * Math.exp(Math.min(50, Math.max(lowest, exponentOf(weights, phi)))) + overheadS;
}

interface Fit { weights: number[]; overheadS: number; loss: number }

/** Mean squared log error of the whole prediction, plus the ridge penalty. */
function lossOf(rows: readonly FitRow[], x: readonly number[][], weights: readonly number[], overheadS: number, lambda: number, lowest: number): number {
  let loss = 0;
  rows.forEach((r, i) => { loss += Math.log(predictS(weights, overheadS, x[i]!, r.floorS, lowest) / r.measuredS) ** 2; });
  let penalty = 0;
  for (let i = 1; i < FEATURE_COUNT; i++) penalty += weights[i]! ** 2;
  return loss / rows.length + lambda * penalty;
}

/**
 * Levenberg–Marquardt on the log error of floor·exp(max(lowest, w·φ)) + overheadS (lowest 0 but for collectives),
 * over the active weights and the overhead (kept ≥ 0), from a starting point. Overhead is fitted in microseconds so
 * the steps are well scaled.
 */
function refine(rows: readonly FitRow[], x: readonly number[][], active: readonly number[], start: Fit, lambda: number, lowest: number): Fit {
  const p = active.length + 1;
  let current = start;
  let damping = 1e-3;
  for (let iter = 0; iter < 100 && damping < 1e8; iter++) {
    const jtj = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    const jtr = new Array<number>(p).fill(0);
    const grad = new Array<number>(p).fill(0);
    rows.forEach((r, n) => {
      const phi = x[n]!;
      const e = exponentOf(current.weights, phi);
      const busy = r.floorS * Math.exp(Math.min(50, Math.max(lowest, e)));
      const pred = busy + current.overheadS;
      const residual = Math.log(pred / r.measuredS);
      for (let i = 0; i < active.length; i++) grad[i] = e > lowest ? (busy * phi[active[i]!]!) / pred : 0;
      grad[p - 1] = 1e-6 / pred;
      for (let i = 0; i < p; i++) {
        jtr[i]! += grad[i]! * residual;
        for (let j = 0; j < p; j++) jtj[i]![j]! += grad[i]! * grad[j]!;
      }
    });
    const scale = 1 / rows.length;
    for (let i = 0; i < p; i++) {
      jtr[i]! *= scale;
      for (let j = 0; j < p; j++) jtj[i]![j]! *= scale;
      if (i < active.length && active[i] !== 0) { jtj[i]![i]! += lambda; jtr[i]! += lambda * current.weights[active[i]!]!; }
    }
    let improved = false;
    while (!improved && damping < 1e8) {
      const a = jtj.map((row, i) => row.map((v, j) => (i === j ? v + damping * (v + 1e-12) : v)));
      const step = solve(a, jtr.map((v) => -v));
      if (step === null) { damping *= 10; continue; }
      const weights = [...current.weights];
      active.forEach((col, i) => { weights[col] = weights[col]! + step[i]!; });
      const overheadS = Math.max(0, current.overheadS + step[p - 1]! * 1e-6);
      const loss = lossOf(rows, x, weights, overheadS, lambda, lowest);
      if (Number.isFinite(loss) && loss < current.loss - 1e-12) {
        const converged = current.loss - loss < 1e-10;
        current = { weights, overheadS, loss };
        damping = Math.max(1e-7, damping / 10);
        improved = true;
        if (converged) return current;
      } else {
        damping *= 10;
      }
    }
  }
  return current;
}

/**
 * Fits one family's curve to its training rows (features unclamped: they are the range). Start: for each
 * overhead on a grid of fractions of the fastest row, ridge least squares of ln((t − overhead)/floor) on φ;
 * then Levenberg–Marquardt on the whole model from the best start.
 */
export function fitCurve(rows: readonly FitRow[], lambda = 1e-4, withTiles = true, rowsPerParameter = ROWS_PER_PARAMETER,
  weightShapeTerms: boolean = enoughWeightShapes(rows)): CalibrationCurve {
  const x = rows.map(features);
  const featureMin = CALIBRATION_FEATURES.map((_, i) => Math.min(...x.map((phi) => phi[i]!)));
  const featureMax = CALIBRATION_FEATURES.map((_, i) => Math.max(...x.map((phi) => phi[i]!)));
  // Columns that vary in the training rows. Too few rows (under rowsPerParameter per parameter, the overhead
  // included) for all of them with the tile terms (when asked for) → all of them without → the shape, wave and layout
  // terms (MIDDLE_FEATURES) → balance and size only → a constant slowdown. Asking for the tile terms never costs a tier.
  // (An inner fold of chooseCurveParts has 4/5 of the rows and may sit a tier lower than the final fit: fitting it at
  // the final fit's tier chose worse for the H100's fp32 GEMMs, 12.0/37.4 → 16.3/40.7 % in 5-fold CV.)
  // A GEMM curve's weight-shape terms need weight shapes enough to be told apart from one offset per shape (decided
  // once per fit on its training rows, chooseCurveParts, so its inner folds fit what the fit they choose for fits).
  const varying = CALIBRATION_FEATURES.map((_, i) => i).filter((i) => i > 0 && featureMax[i]! - featureMin[i]! > 1e-9)
    .filter((i) => weightShapeTerms || !WEIGHT_SHAPE_FEATURES.includes(i));
  const untiled = varying.filter((i) => !TILE_FEATURES.includes(i));
  const middle = varying.filter((i) => MIDDLE_FEATURES.includes(i));
  const core = varying.filter((i) => i === 1 || i === 4);
  const active = [...(withTiles ? [varying] : []), untiled, middle, core, []].map((cols) => [0, ...cols])
    .find((cols) => rows.length >= rowsPerParameter * (cols.length + 1)) ?? [0];
  const fastest = Math.min(...rows.map((r) => r.measuredS));
  // The best efficiency measured: no calibrated time falls below floor × this (simulator/calibration.ts). At least 1,
  // but for families whose floor is a model rather than a bound (collectives), whose curves may then run under it.
  const bestRatio = Math.min(...rows.map((r) => r.measuredS / r.floorS));
  const minSlowdown = Math.max(rows.every((r) => FLOOR_MODEL_FAMILIES.has(r.family)) ? MIN_FLOOR_MODEL_SLOWDOWN : 1, bestRatio);
  const lowest = Math.log(Math.min(1, minSlowdown));
  let best: Fit | null = null;
  for (const fraction of [0, 0.2, 0.4, 0.6, 0.8, 0.9, 1, 1.5, 2]) {
    const overheadS = fraction * fastest;
    // Rows the overhead alone explains contribute a small slowdown rather than log(≤ 0).
    const y = rows.map((r) => Math.log(Math.max(r.measuredS - overheadS, 0.05 * r.measuredS) / r.floorS));
    const weights = ridge(x, y, active, lambda);
    const loss = lossOf(rows, x, weights, overheadS, lambda, lowest);
    if (best === null || loss < best.loss - 1e-12) best = { loss, weights, overheadS };
  }
  const fit = refine(rows, x, active, best!, lambda, lowest);
  return { weights: fit.weights, featureMin, featureMax, overheadS: fit.overheadS, minSlowdown };
}

function errorPair(rows: readonly FitRow[], predict: (r: FitRow) => number): FamilyError['before'] {
  if (rows.length === 0) return null;
  const { median, p90 } = medianP90(rows.map((r) => absPctError(predict(r), r.measuredS)));
  return { medianAbsPctError: round(median), p90AbsPctError: round(p90) };
}

const round = (x: number): number => Math.round(x * 100) / 100;

function familyError(rows: readonly FitRow[], family: CalibrationFamily, curves: CalibrationCurves, hasCurve: boolean, dtype?: ComputeDtype,
  alignment?: GemmAlignment): FamilyError {
  const test = rows.filter((r) => r.heldOut);
  return {
    family, ...(dtype === undefined ? {} : { dtype }), ...(alignment === undefined ? {} : { alignment }), trainRows: rows.length - test.length, heldOutRows: test.length,
    before: errorPair(test, (r) => costOp(r.op, r.ctx).latencyS),
    after: hasCurve ? errorPair(test, (r) => costOp(r.op, { ...r.ctx, calibration: curves }).latencyS) : null,
  };
}

/**
 * Held-out error per family, before (the rows' own context: default efficiencies) and after (with `curves`),
 * then per family and dtype where the curves have dtype curves, and per side of a dtype curve with a misaligned
 * sub-curve (aligned rows, misaligned rows: each side has a curve of its own, and an estimate reports the error of
 * the one that priced its GEMMs; an H100's aligned fp16 rows miss by a third of its misaligned ones).
 */
export function heldOutErrors(rows: readonly FitRow[], curves: CalibrationCurves): FamilyError[] {
  return CALIBRATION_FAMILIES.flatMap((family) => {
    const mine = rows.filter((r) => r.family === family);
    if (mine.length === 0) return [];
    const dtypes = COMPUTE_DTYPES.filter((d) => curves.byDtype?.[family]?.[d] !== undefined);
    return [
      familyError(mine, family, curves, curves.families[family] !== undefined),
      ...dtypes.flatMap((dtype) => {
        const ofDtype = mine.filter((r) => r.dtype === dtype);
        const sides = curves.byDtype?.[family]?.[dtype]?.misaligned === undefined ? [] : GEMM_ALIGNMENTS;
        return [familyError(ofDtype, family, curves, true, dtype),
          ...sides.map((side) => familyError(ofDtype.filter((r) => gemmAlignment(r.op) === side), family, curves, true, dtype, side))];
      }),
    ];
  });
}

/** The ids of the devices `measurements` are of, in order of first appearance. */
export function measuredDeviceIds(measurements: readonly Measurement[]): string[] {
  return [...new Set(measurements.map(measurementDeviceId))];
}

/**
 * One curve per family on the rows `train` selects, and one per family and compute dtype where the family has rows
 * of several dtypes (fp32 CUDA cores, fp16 tensor cores, int8) and enough training rows of that dtype.
 */
export function fitCurves(rows: readonly FitRow[], train: (row: FitRow) => boolean, deviceId: string,
  parts: CurveParts = ALL_PARTS): CalibrationCurves {
  const curves: CalibrationCurves = { schema: CALIBRATION_SCHEMA_ID, deviceId, families: {} };
  const byDtype: NonNullable<CalibrationCurves['byDtype']> = {};
  for (const family of CALIBRATION_FAMILIES) {
    const mine = rows.filter((r) => r.family === family && train(r));
    if (mine.length === 0) continue;
    const corrected = (key: string): boolean => TABLE_FAMILIES.has(family) && chosen(parts, 'neighbors', key, family);
    const fit = (of: readonly FitRow[], key: string): CalibrationCurve => fitCurve(of, undefined, TILE_FAMILIES.has(family) && chosen(parts, 'tiles', key, family),
      chosen(parts, 'rich', key, family) ? RICH_ROWS_PER_PARAMETER : ROWS_PER_PARAMETER, parts.weightShapeTerms?.get(key));
    // The family curve records the datapaths it saw, so an estimate at another dtype keeps the default efficiencies.
    const trainDtypes = COMPUTE_DTYPES.filter((d) => mine.some((r) => r.dtype === d));
    // A collective curve records the kinds it saw, so another kind keeps the default efficiencies.
    const kinds = COLLECTIVE_KINDS.filter((k) => mine.some((r) => r.op.kind === 'collective' && r.op.collective === k));
    // An attention curve records the kernels it saw (fused or not): the other runs another kernel sequence.
    const attentionKinds = (of: readonly FitRow[]): Partial<CalibrationCurve> => {
      const seen = ATTENTION_KERNELS.filter((k) => of.some((r) => r.op.kind === 'attention' && attentionKernel(r.op) === k));
      return seen.length > 0 ? { attentionKernels: seen } : {};
    };
    const familyCurve: CalibrationCurve = {
      ...fit(mine, family), ...(trainDtypes.length > 0 ? { dtypes: trainDtypes } : {}), ...(kinds.length > 0 ? { collectives: kinds } : {}), ...attentionKinds(mine),
    };
    const present = new Set(rows.filter((r) => r.family === family).map((r) => r.dtype));
    if (present.size >= 2) {
      for (const dtype of COMPUTE_DTYPES.filter((d) => present.has(d))) {
        const ofDtype = mine.filter((r) => r.dtype === dtype);
        if (ofDtype.length < MIN_DTYPE_ROWS) continue;
        const key = curveKey(family, dtype);
        // One curve of these rows, with its table: wrapped alone in its slot, a curve prices every row given to it.
        const fitOf = (of: readonly FitRow[], ofKey: string): CalibrationCurve => {
          const curve = { ...fit(of, ofKey), ...attentionKinds(of) };
          return corrected(ofKey)
            ? withNeighbors(curve, of, (c) => ({ schema: CALIBRATION_SCHEMA_ID, deviceId, families: {}, byDtype: { [family]: { [dtype]: c } } }))
            : curve;
        };
        const split = parts.alignmentSplit === undefined ? enoughForAlignmentSplit(family, dtype, ofDtype) : parts.alignmentSplit.has(key);
        const misaligned = split ? ofDtype.filter((r) => misalignedGemm(r.op)) : [];
        (byDtype[family] ??= {})[dtype] = misaligned.length > 0 && misaligned.length < ofDtype.length
          ? { ...fitOf(ofDtype.filter((r) => !misalignedGemm(r.op)), key), misaligned: fitOf(misaligned, curveKey(family, dtype, true)) }
          : fitOf(ofDtype, key);
      }
    }
    // The family curve prices the dtypes without a curve of their own (curveFor): only their rows need a table.
    const own = (d: ComputeDtype | null): boolean => d !== null && (byDtype[family]?.[d] !== undefined || byDtype[family]?.[twinDtype(d)] !== undefined);
    const uncovered = mine.filter((r) => !own(r.dtype));
    curves.families[family] = corrected(family) && uncovered.length > 0
      ? withNeighbors(familyCurve, uncovered, (c) => ({ schema: CALIBRATION_SCHEMA_ID, deviceId, families: { [family]: c } }))
      : familyCurve;
  }
  if (Object.keys(byDtype).length > 0) curves.byDtype = byDtype;
  return curves;
}

/**
 * The key of one curve in CurveParts: its family, family/dtype for a dtype curve, family/dtype/misaligned for its
 * misaligned GEMMs' curve.
 */
export function curveKey(family: CalibrationFamily, dtype?: ComputeDtype, misaligned = false): string {
  return dtype === undefined ? family : `${family}/${dtype}${misaligned ? '/misaligned' : ''}`;
}

/** The key of the curve of `curves` that prices `row` (its dtype curve, a twin's, else its family's). */
function pricingKey(curves: CalibrationCurves, row: FitRow): string {
  const perDtype = curves.byDtype?.[row.family];
  if (row.dtype !== null && perDtype !== undefined) {
    const dtype = perDtype[row.dtype] !== undefined ? row.dtype : perDtype[twinDtype(row.dtype)] !== undefined ? twinDtype(row.dtype) : undefined;
    if (dtype !== undefined) return curveKey(row.family, dtype, perDtype[dtype]!.misaligned !== undefined && misalignedGemm(row.op));
  }
  return row.family;
}

/** Families a neighbour table can describe: all (a collective's coordinates are its size, group size and kind terms). */
const TABLE_FAMILIES: ReadonlySet<CalibrationFamily> = new Set(CALIBRATION_FAMILIES);
/** Families whose curves see the tile-padding features (GEMMs; the features are 0 for every other op). */
const TILE_FAMILIES: ReadonlySet<CalibrationFamily> = new Set(['gemm', 'bmm']);

/**
 * The optional parts of a fit, per curve (curveKey: a family, or family/dtype): a neighbour table, the tile-padding
 * features (TILE_FEATURES), and a richer feature tier on few rows (RICH_ROWS_PER_PARAMETER; none when absent); 'all'
 * for every curve that can have them.
 */
export interface CurveParts {
  neighbors: ReadonlySet<string> | 'all';
  tiles: ReadonlySet<string> | 'all';
  rich?: ReadonlySet<string> | 'all';
  /** The curves the choice scored; another curve (a dtype curve only the fit on all rows builds) takes its family's. */
  scored?: ReadonlySet<string>;
  /**
   * Per GEMM curve key, whether the rows the choice was made on held enough weight shapes for the weight-shape terms
   * (enoughWeightShapes): every fit made with these parts, inner folds included, uses that answer.
   */
  weightShapeTerms?: ReadonlyMap<string, boolean>;
  /**
   * The 16-bit GEMM dtype curves (curveKey) whose rows the choice was made on held enough aligned and misaligned rows
   * for a curve each (enoughForAlignmentSplit): every fit made with these parts splits those and no others; absent:
   * each fit decides on its own rows.
   */
  alignmentSplit?: ReadonlySet<string>;
}
const ALL_PARTS: CurveParts = { neighbors: 'all', tiles: 'all' };
function chosen(parts: CurveParts, part: 'neighbors' | 'tiles' | 'rich', key: string, family: CalibrationFamily): boolean {
  const set = parts[part];
  if (set === undefined) return false;
  if (set === 'all') return true;
  if (parts.scored === undefined || parts.scored.has(key)) return set.has(key);
  // An unscored misaligned curve takes its dtype curve's choices where those were scored, else the family's.
  const parent = key.replace(/\/misaligned$/, '');
  return set.has(parent !== key && parts.scored.has(parent) ? parent : family);
}

/** `curves` without their neighbour tables (the curves alone: a table does not change the curve it sits on). */
function withoutTables(curves: CalibrationCurves): CalibrationCurves {
  const strip = (c: CalibrationCurve | undefined): CalibrationCurve | undefined => {
    if (c === undefined) return undefined;
    const { neighbors: _, misaligned, ...curve } = c;
    return misaligned === undefined ? curve : { ...curve, misaligned: strip(misaligned)! };
  };
  const map = <K extends string>(record: Partial<Record<K, CalibrationCurve>>): Partial<Record<K, CalibrationCurve>> =>
    Object.fromEntries(Object.entries(record).map(([k, c]) => [k, strip(c as CalibrationCurve)])) as Partial<Record<K, CalibrationCurve>>;
  return {
    ...curves, families: map(curves.families),
    ...(curves.byDtype === undefined ? {} : { byDtype: Object.fromEntries(Object.entries(curves.byDtype).map(([f, d]) => [f, map(d ?? {})])) as CalibrationCurves['byDtype'] }),
  };
}

/**
 * Neighbour-table settings (simulator/calibration-neighbors.ts), chosen among a few (k 5/8/16/32, scale 0.2–0.7
 * decades, shrink 0.05–0.3, with and without the size coordinate) by 5-fold cross-validation over all rows of every
 * profile (2026-11-26): a choice the cross-validated tables of docs/calibration.md are not independent of.
 */
const NEIGHBOR_K = 16;
const NEIGHBOR_SCALE_DECADES = 0.5;
const NEIGHBOR_SHRINK = 0.1;

// + 0: no -0 in memory (a written profile has 0 there, so a parsed one would not deep-equal the fitted one).
const round3 = (x: number): number => Math.round(x * 1000) / 1000 + 0;

/**
 * `curve` with its training rows' residuals, ln(measured / the curve's prediction), at their neighbour coordinates.
 * `alone` wraps the curve into calibration curves that price the rows by it (its family and dtype slot).
 */
function withNeighbors(curve: CalibrationCurve, rows: readonly FitRow[], alone: (curve: CalibrationCurve) => CalibrationCurves): CalibrationCurve {
  const calibration = alone(curve);
  const points = rows.map((r) => {
    const cu = r.ctx.device.computeUnits ?? 0;
    const predictedS = costOp(r.op, { ...r.ctx, calibration }).latencyS;
    const at = (i: number): number => round3(calibrationFeature(i, r.op, r.computeS, r.memoryS, r.networkS, cu));
    return [neighborCategory(r.op, r.dtype, calibrationFeature(15, r.op, r.computeS, r.memoryS, r.networkS, cu)), ...NEIGHBOR_COORDINATES.map(at), round3(Math.log(r.measuredS / predictedS))];
  });
  return { ...curve, neighbors: { k: NEIGHBOR_K, scaleDecades: NEIGHBOR_SCALE_DECADES, shrink: NEIGHBOR_SHRINK, points: compacted(points) } };
}

/**
 * Most points a neighbour table keeps (a lookup walks out from the op's size, so its cost grows slowly with the table).
 * 1,024 merged dense data that the correction reads better whole (5-fold CV, 2026-11-27, 1,024 → 8,192 points: A100
 * attention 3.5/11.8 → 2.3/10.8 %, H100 DGX collectives 2.5/10.8 → 0.8/7.3; NeuSight's T4 fitted on 6,000 rows per
 * board and op, its bmm rows the fit left out: merged to 1,024 points 10.4/28.7, whole 8.3/24.8).
 */
const MAX_TABLE_POINTS = 8192;

/**
 * `points` merged, while there are more than MAX_TABLE_POINTS, into cells of a grid over the coordinates (0.05
 * decades, doubled until few enough): the rows of one category in one cell become one point, their mean coordinates
 * and residual, with the number of rows as its weight (an 8th entry; a cell of one row stays a plain point). Dense
 * data keeps its local means and their weights; sparse data stays as it is.
 */
export function compacted(points: number[][], maxPoints = MAX_TABLE_POINTS): number[][] {
  let cell = 0.05;
  let out = points;
  while (out.length > maxPoints && cell < 10) {
    const cells = new Map<string, number[][]>();
    for (const p of points) {
      const key = [p[0], ...p.slice(1, 6).map((x) => Math.floor(x / cell))].join(',');
      (cells.get(key) ?? cells.set(key, []).get(key)!).push(p);
    }
    out = [...cells.values()].map((members) => {
      if (members.length === 1) return members[0]!;
      const mean = (i: number): number => round3(members.reduce((sum, m) => sum + m[i]!, 0) / members.length);
      return [members[0]![0]!, mean(1), mean(2), mean(3), mean(4), mean(5), mean(6), members.length];
    });
    cell *= 2;
  }
  return out;
}

/** The families that have a neighbour table in `curves` (family or dtype curves). */
export function neighborFamiliesOf(curves: Pick<CalibrationCurves, 'families' | 'byDtype'>): Set<CalibrationFamily> {
  return new Set(CALIBRATION_FAMILIES.filter((family) => curves.families[family]?.neighbors !== undefined
    || Object.values(curves.byDtype?.[family] ?? {}).some((c) => c?.neighbors !== undefined || c?.misaligned?.neighbors !== undefined)));
}

/**
 * Per curve (curveKey), the optional parts (richer tier on few rows, tile features, neighbour table) that lower the k-fold cross-validated
 * error (mean absolute %) of the rows it prices among `rows` (the training rows only: the held-out
 * split stays unseen by this choice). Each curve chooses on its own rows: an fp32 curve's noise does not decide for the
 * fp16 one. `neighbors` false: no tables are considered.
 */
export function chooseCurveParts(rows: readonly FitRow[], deviceId: string, folds = 5, neighbors = true): CurveParts {
  // Errors of the eight variants, per curve: [rich tier?][tiles?][table?].
  const errors = new Map<string, { family: CalibrationFamily; variants: number[][] }>();
  const push = (key: string, family: CalibrationFamily, variant: number, e: number): void => {
    (errors.get(key) ?? errors.set(key, { family, variants: Array.from({ length: 8 }, () => []) }).get(key)!).variants[variant]!.push(e);
  };
  // The richer tier is tried only for families with a curve under ALL_FEATURES_ROWS (a GEMM curve with fewer may lose
  // terms at 4 rows per parameter; families that vary fewer features may fit the same either way, at the cost of a fit).
  // Which 16-bit GEMM dtype curves split by alignment, decided once on these rows (an inner fold has 4/5 of them).
  // Only where fitCurves makes dtype curves: a family with rows of several dtypes.
  const alignmentSplit = new Set<string>();
  for (const family of TILE_FAMILIES) {
    const mine = rows.filter((r) => r.family === family);
    if (new Set(mine.map((r) => r.dtype)).size < 2) continue;
    for (const dtype of COMPUTE_DTYPES) {
      if (enoughForAlignmentSplit(family, dtype, mine.filter((r) => r.dtype === dtype))) alignmentSplit.add(curveKey(family, dtype));
    }
  }
  // The rows each dtype curve is fitted on: a split one's aligned and misaligned rows apart.
  const curveRows = (family: CalibrationFamily, dtype: ComputeDtype, ofDtype: readonly FitRow[]): [string, readonly FitRow[]][] =>
    alignmentSplit.has(curveKey(family, dtype))
      ? [[curveKey(family, dtype), ofDtype.filter((r) => !misalignedGemm(r.op))], [curveKey(family, dtype, true), ofDtype.filter((r) => misalignedGemm(r.op))]]
      : [[curveKey(family, dtype), ofDtype]];
  const small = new Set(CALIBRATION_FAMILIES.filter((family) => {
    const mine = rows.filter((r) => r.family === family);
    const perCurve = COMPUTE_DTYPES.flatMap((d) => curveRows(family, d, mine.filter((r) => r.dtype === d)).map(([, of]) => of.length)).filter((n) => n >= MIN_DTYPE_ROWS);
    return mine.length > 0 && Math.min(mine.length, ...perCurve) < ALL_FEATURES_ROWS;
  }));
  const gemmRows = rows.filter((r) => TILE_FAMILIES.has(r.family));
  const tables = neighbors ? 'all' : new Set<string>();
  const none = new Set<string>();
  const weightShapeTerms = new Map<string, boolean>();
  for (const family of TILE_FAMILIES) {
    const mine = gemmRows.filter((r) => r.family === family);
    if (mine.length === 0) continue;
    weightShapeTerms.set(family, enoughWeightShapes(mine));
    for (const dtype of COMPUTE_DTYPES) {
      const ofDtype = mine.filter((r) => r.dtype === dtype);
      if (ofDtype.length === 0) continue;
      for (const [key, of] of curveRows(family, dtype, ofDtype)) weightShapeTerms.set(key, enoughWeightShapes(of));
    }
  }
  for (let fold = 0; fold < folds; fold++) {
    // Folds of their own (the hash's next base-k digit, independent of hash % k): the rows given are often one
    // fold short of the same hash's k folds.
    const inFold = (r: FitRow): boolean => Math.floor(stableHash(r.splitKey) / folds) % folds === fold;
    // One fit per fold, tier and tile choice: the same curves priced with their tables and without.
    const fits: [number, readonly FitRow[], CurveParts][] = [
      [2, rows, { neighbors: tables, tiles: 'all', weightShapeTerms, alignmentSplit }], [0, gemmRows, { neighbors: tables, tiles: none, weightShapeTerms, alignmentSplit }],
      [6, rows.filter((r) => small.has(r.family)), { neighbors: tables, tiles: 'all', rich: 'all', weightShapeTerms, alignmentSplit }],
      [4, gemmRows.filter((r) => small.has(r.family)), { neighbors: tables, tiles: none, rich: 'all', weightShapeTerms, alignmentSplit }],
    ];
    for (const [base, of, parts] of fits) {
      if (of.length === 0) continue;
      const withTables = fitCurves(of, (r) => !inFold(r), deviceId, parts);
      const alone = withoutTables(withTables);
      for (const r of of.filter(inFold)) {
        const key = pricingKey(withTables, r);
        if (neighbors) push(key, r.family, base + 1, absPctError(costOp(r.op, { ...r.ctx, calibration: withTables }).latencyS, r.measuredS));
        push(key, r.family, base, absPctError(costOp(r.op, { ...r.ctx, calibration: alone }).latencyS, r.measuredS));
      }
    }
  }
  // Mean absolute % error: on the hundred-odd rows of a curve's inner folds it moves less from fold to fold than a
  // median or a p90 would (picking by median + p90 flipped the H100 fp16 tables between folds).
  const score = (e: number[] | undefined): number => (e === undefined || e.length === 0 ? Infinity : e.reduce((a, b) => a + b, 0) / e.length);
  const tiles = new Set<string>();
  const tabled = new Set<string>();
  const rich = new Set<string>();
  for (const [key, { family, variants }] of errors) {
    // First the tier: the richer one must earn RICH_MARGIN_POINTS over the best the default tier does. Then, within
    // it, the tile terms must earn TILE_MARGIN_POINTS (on noise-free rows a curve that does not need them still moves
    // by hundredths of a point); then the table, if it lowers the score at all. Curves of other families have only
    // variants 2 and 3 (and 6 and 7): they do not see the tile features.
    const scores = variants.map(score);
    const withRich = Math.min(...scores.slice(4)) < Math.min(...scores.slice(0, 4)) - RICH_MARGIN_POINTS;
    if (withRich) rich.add(key);
    const [plain, plainTable, tiled, tiledTable] = scores.slice(withRich ? 4 : 0, withRich ? 8 : 4) as [number, number, number, number];
    const withTiles = TILE_FAMILIES.has(family) && Math.min(tiled, tiledTable) < Math.min(plain, plainTable) - TILE_MARGIN_POINTS;
    if (withTiles) tiles.add(key);
    if (withTiles || !Number.isFinite(plain) ? tiledTable < tiled : plainTable < plain) tabled.add(key);
  }
  return { neighbors: tabled, tiles, rich, scored: new Set(errors.keys()), weightShapeTerms, alignmentSplit };
}

/** The device a profile's curves are for: its embedded spec, else the preset of its id. */
export function profileDevice(profile: CalibrationProfile): Device {
  const device = profile.device ?? findDevice(profile.deviceId);
  if (!device) throw unknownHardware(profile.deviceId, ['deviceId']);
  return device;
}

/**
 * The measurements of a profile's device: rows of the device a --hardware fit measured (measuredDeviceId), else of
 * the profile's device. Rows of any other device score nothing, even a file of one unnamed device: until 2026-11-27
 * such a file was taken whole, and a report scored a TITAN Xp's DeepBench rows against the V100 profile without a
 * word. (A profile fitted with --hardware before then names no measured device: refit it to report on its rows.)
 */
export function profileMeasurements(profile: CalibrationProfile, measurements: readonly Measurement[]): Measurement[] {
  const id = profile.measuredDeviceId ?? profile.deviceId;
  return measurements.filter((m) => measurementDeviceId(m) === id);
}

/** Cross-validated error of one family (and dtype) on one device: every row scored by a fit that did not see it. */
export interface CrossValidatedError {
  family: CalibrationFamily;
  dtype?: ComputeDtype;
  rows: number;
  medianAbsPctError: number;
  p90AbsPctError: number;
}

/** One row of a cross-validation: its absolute % error with curves fitted without its fold, and with the defaults. */
export interface CrossValidatedRow { row: FitRow; calibratedS: number; calibratedPct: number; defaultPct: number }

/** Every row of `profile`'s device scored by curves fitted on the other folds (see crossValidate). */
export function crossValidatedRows(measurements: readonly Measurement[], profile: CalibrationProfile, folds = 5, salt = ''): CrossValidatedRow[] {
  // Cross-validate the procedure that made the profile: with tables where it could keep them (a curve may not have).
  const withTables = profile.neighborTables ?? neighborFamiliesOf(profile).size > 0;
  // The result depends on the profile only through its device and that choice, not its curves: `npm run profiles`
  // asks for the same rows three times per device (withoutWorseCurves, the 5-fold table, the published bars). Salted
  // draws are asked for once each: not kept (keeping them too took the build from 1.0 to 2.1 GB resident).
  if (salt !== '') return crossValidatedRowsOnce(measurements, profile, folds, salt, withTables);
  const key = JSON.stringify([profile.deviceId, profile.measuredDeviceId ?? null, profile.device ?? null, withTables, folds]);
  const cache = crossValidationCache.get(measurements) ?? crossValidationCache.set(measurements, new Map()).get(measurements)!;
  const cached = cache.get(key) ?? cache.set(key, crossValidatedRowsOnce(measurements, profile, folds, salt, withTables)).get(key)!;
  return [...cached];
}

/** Cross-validated rows already computed, per measurements array (the same array, not equal contents). */
const crossValidationCache = new WeakMap<readonly Measurement[], Map<string, CrossValidatedRow[]>>();

function crossValidatedRowsOnce(measurements: readonly Measurement[], profile: CalibrationProfile, folds: number, salt: string, withTables: boolean): CrossValidatedRow[] {
  const device = profileDevice(profile);
  const { rows } = fitRows(fastestImplementations(withoutRepeats(profileMeasurements(profile, measurements)).unique).kept, device, profile.deviceId, 0);
  const out: CrossValidatedRow[] = [];
  for (let fold = 0; fold < folds; fold++) {
    // A salt draws other folds (report.ts crossValidationTable's draws); '' keeps the folds every table in docs/ reports.
    const inFold = (r: FitRow): boolean => stableHash(salt + r.splitKey) % folds === fold;
    // The tile features and neighbour tables are chosen again on each fold's training rows (as fitProfile chooses
    // them on its 80%), so no scored row took part in the choice; a profile without tables is cross-validated without them.
    const parts = chooseCurveParts(rows.filter((r) => !inFold(r)), device.id, folds, withTables);
    const curves = fitCurves(rows, (r) => !inFold(r), device.id, parts);
    for (const r of rows.filter(inFold)) {
      const calibratedS = costOp(r.op, { ...r.ctx, calibration: curves }).latencyS;
      out.push({ row: r, calibratedS, calibratedPct: absPctError(calibratedS, r.measuredS), defaultPct: absPctError(costOp(r.op, r.ctx).latencyS, r.measuredS) });
    }
  }
  return out;
}

/**
 * k-fold cross-validation of `profile`'s device on `measurements` (fold = FNV-1a of the split key mod k, the hash the
 * held-out split uses: FitRow.splitKey): with few rows, one 20% split's p90 rests on a handful of shapes, and this scores
 * every row once. Per family, then per family and dtype where the profile has dtype curves.
 */
export function crossValidate(measurements: readonly Measurement[], profile: CalibrationProfile, folds = 5, salt = ''): CrossValidatedError[] {
  const scored = crossValidatedRows(measurements, profile, folds, salt);
  const summary = (family: CalibrationFamily, dtype?: ComputeDtype): CrossValidatedError | null => {
    const e = scored.filter((s) => s.row.family === family && (dtype === undefined || s.row.dtype === dtype)).map((s) => s.calibratedPct);
    if (e.length === 0) return null;
    const { median, p90 } = medianP90(e);
    return { family, ...(dtype === undefined ? {} : { dtype }), rows: e.length, medianAbsPctError: round(median), p90AbsPctError: round(p90) };
  };
  return CALIBRATION_FAMILIES.flatMap((family) => [
    summary(family),
    ...COMPUTE_DTYPES.filter((d) => profile.byDtype?.[family]?.[d] !== undefined).map((d) => summary(family, d)),
  ]).filter((x): x is CrossValidatedError => x !== null);
}

/**
 * A profile without the family curves that do worse than the default efficiencies on both the median and the p90 of
 * a k-fold cross-validation (a curve fitted on a few rows can): a shipped curve never makes the estimate worse.
 * Each dropped curve leaves a note with both errors.
 */
export function withoutWorseCurves(profile: CalibrationProfile, measurements: readonly Measurement[], folds = 5): CalibrationProfile {
  const scored = crossValidatedRows(measurements, profile, folds);
  const families = { ...profile.families };
  const byDtype = profile.byDtype === undefined ? undefined : { ...profile.byDtype };
  const notes = [...profile.notes];
  const dropped = new Set<CalibrationFamily>();
  for (const family of CALIBRATION_FAMILIES) {
    const rows = scored.filter((s) => s.row.family === family);
    if (families[family] === undefined || rows.length === 0) continue;
    const stat = (xs: number[]): [number, number] => {
      const { median, p90 } = medianP90(xs);
      return [round(median), round(p90)];
    };
    const [curveMedian, curveP90] = stat(rows.map((r) => r.calibratedPct));
    const [defaultMedian, defaultP90] = stat(rows.map((r) => r.defaultPct));
    if (curveMedian > defaultMedian && curveP90 > defaultP90) {
      delete families[family];
      if (byDtype) delete byDtype[family];
      dropped.add(family);
      const pair = (median: number, p90: number): string => `${median.toFixed(1)}/${p90.toFixed(1)} %`;
      notes.push(`${family} curve not kept: ${folds}-fold cross-validation ${pair(curveMedian, curveP90)} (median/p90) against the defaults' ${pair(defaultMedian, defaultP90)} on ${rows.length} rows`);
    }
  }
  return { ...profile, families, ...(byDtype === undefined ? {} : { byDtype }), heldOutError: profile.heldOutError.filter((e) => !dropped.has(e.family)), notes };
}

/** Measurements without exact repeats (same key and the same times): one measurement read twice counts once. */
export function withoutRepeats(measurements: readonly Measurement[]): { unique: Measurement[]; repeated: number } {
  const seen = new Set<string>();
  const unique = measurements.filter((m) => {
    // The layout and the device id are part of what was measured: an NN and a TN call of one shape are two rows.
    const key = `${measurementKey(m, m.device.name)}|${m.device.id ?? ''}|${m.layout ?? ''}|${m.system ?? ''}|${m.source}|${m.medianS}|${m.minS ?? ''}|${m.maxS ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { unique, repeated: measurements.length - unique.length };
}

/**
 * `hardware` names the preset measurements are of when they do not say: rows that name another genz device, or CPU
 * rows fitted as a GPU (and the reverse), are a mistake, not an override.
 */
function checkHardwareOverride(measurements: readonly Measurement[], hardware: string): void {
  const preset = findDevice(hardware);
  if (preset === undefined) throw unknownHardware(hardware, ['hardware']);
  const named = [...new Set(measurements.map((m) => m.device.id).filter((id): id is string => id !== undefined && id !== hardware))];
  if (named.length > 0) {
    throw new GenzError('invalid_input', `the measurements say they are of ${named.join(', ')}; --hardware ${hardware} is for files that do not name their device (drop it, or fit each device on its own)`, ['hardware']);
  }
  const cpuRows = measurements.filter((m) => m.device.backend === 'cpu').length;
  if ((preset.kind === 'gpu' && cpuRows > 0) || (preset.kind === 'cpu' && cpuRows < measurements.length)) {
    throw new GenzError('invalid_input', `--hardware ${hardware} is a ${preset.kind}, but ${preset.kind === 'gpu' ? cpuRows : measurements.length - cpuRows} of the measurements ran on a ${preset.kind === 'gpu' ? 'CPU' : 'GPU'} backend`, ['hardware']);
  }
}

/** Fits the profile of one device (see the file comment). */
export function fitProfile(measurements: readonly Measurement[], options: FitOptions): CalibrationProfile {
  const ids = measuredDeviceIds(measurements);
  if (ids.length === 0) throw new GenzError('invalid_input', 'no measurements to fit', ['measurements']);
  const deviceId = options.deviceId ?? (ids.length === 1 ? ids[0]! : undefined);
  if (deviceId === undefined) {
    throw new GenzError('invalid_input', `measurements are of ${ids.length} devices (${ids.join(', ')}); fit one at a time (deviceId)`, ['deviceId']);
  }
  const notes: string[] = [];
  const { unique: all, repeated } = withoutRepeats(measurements.filter((m) => measurementDeviceId(m) === deviceId));
  if (all.length === 0) throw new GenzError('invalid_input', `no measurements of device "${deviceId}"; found ${ids.join(', ')}`, ['deviceId']);
  // A graph replay's time has no host dispatch between calls (kernels-ref's --graph): short kernels run several µs
  // faster, and a fit would take them as the faster implementation of the shapes kernels-ref timed both ways.
  // (Other sources' rows, e.g. PyTorch's CUDA-graph replays of torch-ops.py, are no rival implementation of them.)
  const kref = all.filter((m) => m.source === 'kernels-ref');
  const graphRows = kref.filter((m) => m.timing === 'graph-replay').length;
  if (graphRows > 0 && graphRows < kref.length) {
    throw new GenzError('invalid_input', `the kernels-ref measurements of "${deviceId}" mix graph replays (${graphRows} rows with "timing":"graph-replay", kref run --graph) with back-to-back timings (${kref.length - graphRows}); fit them apart`, ['measurements']);
  }
  if (repeated > 0) notes.push(`${repeated} repeated rows (the same shape with the same times: one measurement twice in the files) counted once`);
  if (typeof options.hardware === 'string') checkHardwareOverride(all, options.hardware);
  const { kept: mine, dropped, handWritten, ownKernels } = fastestImplementations(all);
  if (dropped > 0) notes.push(`${dropped} GEMM rows of slower kernels-ref implementations of an already measured problem left out (the fastest implementation per dtype and shape is fitted)`);
  if (handWritten > 0) notes.push(`${handWritten} rows of kernels-ref's hand-written GEMM kernels (batched, flat, GEMV, tiles) of shapes the vendor BLAS did not run left out: the GEMM curve models the library`);
  if (ownKernels > 0) notes.push(`${ownKernels} rows of kernels-ref's own GPU attention, softmax and norm kernels left out: teaching kernels, not the FlashAttention and fused norms a serving stack runs (their error is in docs/calibration.md)`);
  let device: Device;
  let embedded: Device | undefined;
  if (typeof options.hardware === 'string') {
    device = findDevice(options.hardware) ?? (() => { throw unknownHardware(options.hardware as string, ['hardware']); })();
  } else if (options.hardware !== undefined) {
    device = parseWith(DeviceSchema, options.hardware, ['hardware']);
    embedded = device;
  } else {
    const preset = findDevice(deviceId);
    if (preset) device = preset;
    else {
      const inferred = inferDevice(mine, deviceId);
      device = inferred.device;
      embedded = device;
      notes.push(...inferred.notes);
    }
  }
  if (device.cpu !== undefined) {
    // A CPU preset prices compute + memory with its fitted kernel constants; curves are fitted against max(compute, memory).
    throw new GenzError('invalid_input', `${device.id} is a CPU with a cpu block, priced by its fitted low-bit kernel constants and streamed bandwidth (calibrate/fit-cpu-lowbit.ts); calibration curves do not apply to it: fit without --hardware (a spec is inferred from the measurements)`, ['hardware']);
  }
  const strays = [...new Set(mine.filter((m) => m.system !== undefined && systemOf(device, m.system) === undefined).map((m) => m.system!))];
  if (strays.length > 0) notes.push(`system ${strays.map((s) => `"${s}"`).join(', ')} named by measurements is not a genz system preset of ${device.id}: their collectives were priced on the device's own link`);
  const heldOutPercent = options.heldOutPercent ?? 20;
  const { rows, skipped } = fitRows(mine, device, deviceId, heldOutPercent, options.before ?? DEFAULT_EFFICIENCY);
  const parts = chooseCurveParts(rows.filter((r) => !r.heldOut), device.id, 5, options.neighbors !== false);
  const curves = fitCurves(rows, (r) => !r.heldOut, device.id, parts);
  const sources = options.measurementSources ?? [...new Set(mine.map((m) => m.source))];
  return {
    schema: CALIBRATION_SCHEMA_ID,
    deviceId: device.id,
    ...(embedded === undefined ? {} : { device: embedded }),
    features: [...CALIBRATION_FEATURES],
    families: curves.families,
    ...(curves.byDtype === undefined ? {} : { byDtype: curves.byDtype }),
    split: { method: 'fnv1a-32', heldOutPercent },
    neighborTables: options.neighbors !== false,
    heldOutError: heldOutErrors(rows, curves),
    skippedRows: skipped,
    notes,
    createdBy: options.createdBy,
    measurementSources: sources.length > 0 ? sources : ['unknown'],
    ...(deviceId === device.id ? {} : { measuredDeviceId: deviceId }),
  };
}

/** One profile per device in `measurements` (deviceId and hardware options apply only with one device). */
export function fitProfiles(measurements: readonly Measurement[], options: Omit<FitOptions, 'deviceId'>): CalibrationProfile[] {
  if (measurements.length === 0) throw new GenzError('invalid_input', 'no measurements to fit', ['measurements']);
  const ids = measuredDeviceIds(measurements);
  if (ids.length > 1 && options.hardware !== undefined) {
    throw new GenzError('invalid_input', `--hardware applies to one device, but the measurements are of ${ids.join(', ')}`, ['hardware']);
  }
  return ids.map((deviceId) => fitProfile(measurements, { ...options, deviceId }));
}
