// Calibration curves: per operator family (and, where the data had several, per compute dtype), a fitted
// slowdown over the pure roofline of one device.
//   latencyS = max(max(floorS × exp(max(0, w · φ)) + overheadS × kernels, floorS × minSlowdown) × c, floorS × minSlowdown),
// at least floorS, with c the neighbour correction (1 without a table; ./calibration-neighbors.ts); for a collective
// the two 0/floor clamps are ln minSlowdown / floor × minSlowdown where its curve's minSlowdown is below 1.
// floorS is the roofline at efficiency 1 (max(tensor + vector compute, DRAM, network) on the device's peaks)
// and φ a small fixed vector of dimensionless features of the op (CALIBRATION_FEATURES), each clamped to the
// range the curve was fitted on. The exponent is clamped at 0, so a calibrated op is never faster than its
// roofline floor; but a collective, whose floor is an α–β model rather than a bound, down to its curve's minSlowdown
// (below 1 only where measured collectives beat the model; Vidur's never do). Curves are data (fitted by
// calibrate/fit.ts); this file only evaluates them.
// Pure, no allocation.
import { COMPUTE_DTYPES, type ComputeDtype } from '../common/dtype.ts';
import { COLLECTIVE_KINDS, ROW_WISE_FUNCTIONS, type AttentionOp, type BlasLayout, type CollectiveKind, type Op } from '../models/ops.ts';
import { NEIGHBOR_COORDINATES, neighborFactor, type NeighborTable } from './calibration-neighbors.ts';
import { attentionKeysRead } from './work.ts';
import { dtypeBits } from './dtype-select.ts';

export const CALIBRATION_SCHEMA_ID = 'genz.calibration.v1';

/**
 * Operator families a profile fits one curve for. `bmm` is a batched GEMM (batch > 1 independent products: cuBLAS's
 * strided-batched kernels, torch.bmm), which libraries dispatch and tile differently from one GEMM (NeuSight's
 * boards: torch.bmm's fixed cost is ~30 µs where torch.nn.Linear's is ~53); without a bmm curve the gemm curve
 * prices it.
 */
export const CALIBRATION_FAMILIES = ['gemm', 'bmm', 'attention', 'softmax', 'norm', 'elementwise', 'embedding', 'collective'] as const;
export type CalibrationFamily = (typeof CALIBRATION_FAMILIES)[number];

/**
 * The feature vector φ, in order. With b = log10(compute time / memory time) at efficiency 1 (clamped to ±3):
 * - bias: 1 (a constant efficiency);
 * - balance: b (how compute-bound the op is);
 * - balance2: b² (efficiency falls off differently on the two sides of the ridge);
 * - overlap: log10(1 + 10^-|b|) (near the ridge compute and memory do not overlap perfectly: ≈ log10 of sum/max);
 * - size: log10(floor / 1 µs) (small ops do not fill the machine or hide their ramp);
 * - shape1…4, log10 of: gemm m, n, k, batch (tile fill and shape preferences of the library);
 *   attention batch × heads × query tokens, keys read (kv length, capped by a window), batch, heads per KV head;
 *   norms and softmax with a row length (op.rowLength): rows, row length (0, 0 without one; a curve fitted with
 *   these terms then leaves such an op to the default efficiencies: calibrationApplies); collectives: log10 of the
 *   group size, 1 for point-to-point, size × log10 group size, size for point-to-point (the α–β floor misses how
 *   NCCL's achieved rate moves with both: 5-fold CV of Vidur's H100 DGX collectives, defaults 20.9/55.4 %, curves
 *   with these 7.3/27.7, and with a neighbour table 2.5/10.8); other families 0.
 * - wave, pad (GEMM only, as NeuSight and LLMCompass model it): the output is cut into TILE × TILE tiles run in
 *   waves of one tile per SM. wave = −log10(tiles / (waves × SMs)) is the idle share of the last wave (0 without
 *   an SM count); pad = −log10(m·n / padded m·n) is the work wasted on partial edge tiles.
 * - transW, transX (GEMM only): 1 when the BLAS call reads the weight (k×n) or the activation operand transposed
 *   (op.blasLayout, default 'TN' as torch.nn.Linear issues). Libraries pick different kernels per layout: DeepBench
 *   times one shape up to 2× apart between its NN, NT and TN variants.
 * - mn, k2 (GEMM only): log10 m × log10 n and (log10 k)², so the shape terms can bend (a library's tile choice
 *   depends on m and n together; deep K is split). In 5-fold cross-validation they helped NeuSight's bmm most
 *   (A100 board 15.9/40.7 → 13.7/35.3 % median/p90); elsewhere GEMM medians moved by at most half a point and p90s
 *   by −2.1 to +0.3 (one dtype curve, V100 fp16, +1.5).
 * - misalign (16-bit GEMMs only): 0 when n and k (the leading dimensions of the BLAS call in either of genz's layouts)
 *   are multiples of 8 elements (16 bytes): Hopper's TMA and the 16-byte cp.async need 16-byte aligned rows, and
 *   cuBLAS falls back to slower kernels otherwise. 0.5 when the rows are 4- or 8-byte aligned (n and k even: the
 *   4- and 8-byte cp.async still apply), 1 when either is odd (2-byte rows: no cp.async copy size fits, PTX allows 4,
 *   8 and 16). Measured on an H100 (kernels-ref, 2026-11-26): fp16 TN m 6088 × n 7244 × k 3019 ran 8× its
 *   roofline floor where aligned shapes of that size run 1.3×; 5-fold CV of its fp16 GEMMs 15.9/49.9 → 10.1/25.2 %
 *   median/p90 (7.9/25.2 with the minSlowdown bound below). Applied to fp32 and int8 rows too it moved DeepBench's
 *   and NeuSight's p90s by −1 to +6 points. (It was 1 for every misaligned row until 2026-11-27: on the 342
 *   misaligned fp16 rows of each Hopper sweep, scored by their own curve, rows of even n and k then ran a mean 28 %
 *   faster than priced, rows with an odd one 5 % slower; 5-fold CV of those rows 13.4/39.3 → 8.8/29.5 % on the H100,
 *   12.9/35.9 → 9.8/25.4 on the H200. The grading was chosen after reading those residuals; 1, 2/3, 1/3 by
 *   log2 of the row alignment scored 10.3/32.5 and 10.6/27.5.)
 * - padN, padK, padM64 (GEMM only): log10 of n and k rounded up to whole 128s, and of m rounded up to whole 64s, over
 *   themselves: tile quantization per dimension (pad sees only the output area). NeuSight's torch.bmm rows (PyTorch
 *   2.1, the same shapes on every board) leave a sawtooth of period 128 in k under the curves without them: on the
 *   A100 and P100 boards the mean residual falls to −0.17 (ln) at k = 112…127 and jumps to +0.17 at 128…143, smaller
 *   at each later multiple; m shows period 64 on the P100 and T4. 5-fold CV of bmm: A100 board 9.6/25.1 → 5.4/18.6 %,
 *   P100 8.4/24.3 → 4.0/11.1. A fit keeps them per curve only where cross-validation on its training rows says they
 *   help (calibrate/fit.ts chooseCurveParts): on a few hundred grid-shaped rows they can fit noise.
 * - skinny (GEMM only): 1 when m ≤ 16 (an MoE expert's fractional token share included). Libraries run other kernels
 *   for a handful of tokens, and on some parts those are far slower per byte: in DeepBench's P100 rows (cuBLAS 8) a
 *   16-token GEMM took a geometric mean 1.62× (up to 3.2×) as long as the 32-token GEMM of the same weight and layout,
 *   where the V100, T4 and MI25 took 0.86–0.97×. The smooth m terms could not bend that sharply and priced the
 *   32-token rows, which run at the memory floor, up to 1.8× too slow as well. DeepBench times no m between 16 and
 *   32, so where in that gap the kernels change is not measured.
 * - pow2Stride (GEMM only): with the weight read transposed (transW), log2 of the largest power of two dividing its
 *   row stride in bytes (k × weight bytes), capped at 16 KiB, over log2 16 KiB: 1 for a stride that is a multiple of
 *   16 KiB. Rows of a power-of-two stride fall on the same DRAM channels. DeepBench's MI25 (rocBLAS) TN GEMMs took a
 *   mean 1.07–1.10× their NN twins at k with a power-of-two part of 32–256 elements, 1.23× at 512 and 1.39–1.46× at
 *   1,024–4,096; NVIDIA's boards show no such trend (0.97–1.22×, unordered). Chosen after reading the MI25's
 *   residuals by layout and k, so its cross-validated error is not independent of that choice.
 * - fewTiles (GEMM only, not batched): max(0, wave − log10 3): a GEMM of fewer tiles than a third of the SMs runs
 *   each tile's k-loop on one SM, and a few SMs cannot pull the DRAM bandwidth the memory floor assumes. DeepBench's
 *   P100 times m 8–16 × n 512–1,024 × k 500,000 (4–8 tiles of 128 on 56 SMs) at 7–17 ms whatever n, 2.5–9× the floor:
 *   ~25 GB/s per tile. The wave term alone, shared with the many-tile rows, had learned the opposite sign there.
 *   Batched GEMMs are left out: on NeuSight's bmm rows the term took a negative weight (its tiles are the batch's).
 *   skinny, pow2Stride and fewTiles join the tile terms: a curve keeps them only where cross-validation says the
 *   group helps.
 *   5-fold CV, median/p90 % (2026-11-27), before → skinny and pow2Stride → fewTiles too: MI25 7.3/26.0 → 6.7/23.2 →
 *   7.2/23.7, P100 3.0/39.2 → 3.4/36.7 → 3.5/29.7, T4 5.4/21.2 → 5.5/19.2 → 5.4/18.5, V100 4.1/17.1 → 3.9/17.2 →
 *   4.1/17.1 (its fp16 curve 20.6 → 23.9 at the last step), H200 GEMMs 8.0/25.9 → 8.2/25.9 → 8.2/25.5; the H100
 *   curves moved by at most 0.3 points, NeuSight's and Vidur's not at all. pow2Stride, a weight-shape term, raised
 *   the distinct weight shapes those terms need from 21 to 24 (calibrate/fit.ts WEIGHT_SHAPE_FEATURES): the CI CPU's
 *   GEMMs (22 shapes) and the T4's int8 ones (21) lost their n- and k-terms, and scored 9.3/23.4 → 6.9/23.3 and
 *   5.4/23.6 → 4.9/18.0.
 */
export const CALIBRATION_FEATURES = ['bias', 'balance', 'balance2', 'overlap', 'size', 'shape1', 'shape2', 'shape3', 'shape4', 'wave', 'pad', 'transW', 'transX', 'mn', 'k2', 'misalign', 'padN', 'padK', 'padM64', 'skinny', 'pow2Stride', 'fewTiles'] as const;
export const FEATURE_COUNT = CALIBRATION_FEATURES.length;

/** Output tile edge of the wave and pad features: the common CUTLASS/cuBLAS 128 × 128 threadblock tile. */
const TILE = 128;

/**
 * fewTiles starts where a GEMM has fewer output tiles than a third of the SMs (log10 3 decades of wave): one SM
 * streams DRAM at a few times its even share of the bandwidth (DeepBench's P100, k = 500,000: ~25 GB/s per tile
 * against 732 / 56 = 13), so a handful of tiles cannot fill it. Fixed by that reasoning, not fitted.
 */
const FEW_TILES_SHARE_DECADES = Math.log10(3);

/** Bounds of the balance feature (decades of compute/memory imbalance). */
const BALANCE_LIMIT = 3;

export interface CalibrationCurve {
  /** Weights of CALIBRATION_FEATURES (natural-log slowdown per unit of each feature). */
  weights: number[];
  /** Smallest and largest value of each feature in the training rows; features are clamped to them. */
  featureMin: number[];
  featureMax: number[];
  /** Fixed time per kernel launch of this family (launch, ramp, host sync), in seconds. */
  overheadS: number;
  /**
   * The smallest measured time over roofline floor among the training rows (the most efficient kernel seen; absent
   * in profiles before 2026-11-26). A calibrated time is never below floor × minSlowdown, so an extrapolation (a
   * shape combination the rows did not cover, e.g. a batched GEMM priced by the gemm curve) never beats the best the
   * device was measured at. At least 1, but for collective curves: their floor is an α–β model of the algorithm over
   * the link's spec rate, not a bound (an algorithm NCCL picks may beat the model), so their slowdown may go down to
   * a minSlowdown below 1 where the data do. Vidur's H100 DGX rows do not: their best is 1.28 × the floor.
   */
  minSlowdown?: number;
  /** Compute dtypes of the rows it was fitted on; an op on another datapath is not priced by it. */
  dtypes?: ComputeDtype[];
  /**
   * Collective curves: the kinds of the rows it was fitted on (absent before 2026-11-26: any); another kind is priced
   * by the default efficiencies (a curve fitted on all-reduces says nothing of an all-to-all, and may run below its
   * floor: minSlowdown).
   */
  collectives?: CollectiveKind[];
  /**
   * Attention curves: the kernels of the rows it was fitted on, fused (flash) or unfused (QK, softmax and PV through
   * DRAM); absent before 2026-11-26: any. The other kind keeps the default efficiencies: a curve fitted on
   * FlashAttention priced an unfused Llama-2-7B prefill's attention on the A100 at 5× the defaults (35.5 vs 7.2 ms).
   */
  attentionKernels?: AttentionKernel[];
  /**
   * The training rows' residuals for the neighbour correction (./calibration-neighbors.ts; absent in profiles before
   * 2026-11-26, and where cross-validation found that it did not help).
   */
  neighbors?: NeighborTable;
  /**
   * 16-bit GEMM curves of one dtype: the curve of the GEMMs with n or k off a multiple of 8 (misalignedGemm), fitted
   * on those rows alone where the device had enough of them (calibrate/fit.ts MIN_ALIGNMENT_SPLIT_ROWS); this curve
   * then was fitted on the aligned ones only. cuBLAS runs misaligned shapes on other kernels (an H100's large fp16
   * ones at a median 122 TFLOP/s against 753 aligned): one curve over both bent to the 342 misaligned rows of a
   * Hopper sweep beside 139 aligned. Absent: this curve prices both.
   */
  misaligned?: CalibrationCurve;
  /**
   * The device whose rows fitted it, where the curves of several profiles were merged (a same-silicon part's:
   * simulator/calibration-defaults.ts); absent: the curves' own. Says whose held-out error is the curve's.
   */
  deviceId?: string;
}

export interface CalibrationCurves {
  schema: typeof CALIBRATION_SCHEMA_ID;
  /** The device (genz preset id, or the id of the device spec the profile embeds) the curves were fitted on. */
  deviceId: string;
  /** One curve per family, fitted on all its rows. */
  families: Partial<Record<CalibrationFamily, CalibrationCurve>>;
  /** Curves of one family and compute dtype (datapaths differ: fp32 CUDA cores vs fp16 tensor cores); used first. */
  byDtype?: Partial<Record<CalibrationFamily, Partial<Record<ComputeDtype, CalibrationCurve>>>>;
  /**
   * The devices whose measurements the curves were fitted on, where they differ from deviceId (a part that shares
   * another's silicon borrows its curves: simulator/calibration-defaults.ts); absent: deviceId's own.
   */
  fittedOn?: string[];
  /**
   * The curves' kernel-time error on the measurements their profile held out (a profile's heldOutError; absent in a
   * bare set of curves): what an estimate says of its own error (curveError).
   */
  heldOutError?: HeldOutKernelError[];
}

/**
 * A family's (and, where the profile split it, a compute dtype's) absolute % error of kernel time on the rows its
 * profile held out of the fit (calibrate/fit.ts: 20 % of the shapes), calibrated; the shape of a profile's
 * heldOutError entries, whose other fields are ignored here.
 */
export interface HeldOutKernelError {
  family: CalibrationFamily;
  /** The rows of this compute dtype only (absent: every row of the family). */
  dtype?: ComputeDtype;
  /** The rows of one side of a dtype curve with a misaligned sub-curve (absent: both). */
  alignment?: GemmAlignment;
  heldOutRows: number;
  /** Null where the family had no curve or no held-out rows. */
  after: { medianAbsPctError: number; p90AbsPctError: number } | null;
  /** The device whose rows were held out, where curves of several profiles were merged; absent: the curves' own. */
  deviceId?: string;
}

export const ATTENTION_KERNELS = ['flash', 'unfused'] as const;
export type AttentionKernel = (typeof ATTENTION_KERNELS)[number];

/** Which attention kernel an op runs: fused (scores on chip) or unfused. */
export function attentionKernel(op: AttentionOp): AttentionKernel {
  return op.flash ? 'flash' : 'unfused';
}

/** The family whose curve prices `op`. */
export function calibrationFamily(op: Op): CalibrationFamily {
  switch (op.kind) {
    case 'gemm': return op.batch > 1 ? 'bmm' : 'gemm';
    case 'attention': return 'attention';
    case 'gather': return 'embedding';
    case 'collective': return 'collective';
    case 'elementwise':
      if (op.fn === 'rmsnorm' || op.fn === 'layernorm') return 'norm';
      if (op.fn === 'softmax') return 'softmax';
      return 'elementwise';
  }
}

/**
 * The curve for `op` on `deviceId` when its tensor work runs on `computeDtype`: the family-and-dtype curve, else
 * the family curve (a batched GEMM without bmm curves: the gemm ones); undefined when the calibration has neither
 * (or is for another device), and for a GEMM whose operands are narrower than its datapath (dequantizing kernels).
 */
export function curveFor(calibration: CalibrationCurves | undefined, deviceId: string, op: Op, computeDtype: ComputeDtype | null): CalibrationCurve | undefined {
  if (calibration === undefined || calibration.deviceId !== deviceId) return undefined;
  if (dequantizing(op, computeDtype)) return undefined;
  const family = calibrationFamily(op);
  const curve = familyCurve(calibration, family, computeDtype) ?? (family === 'bmm' ? familyCurve(calibration, 'gemm', computeDtype) : undefined);
  if (op.kind === 'collective' && curve?.collectives !== undefined && !curve.collectives.includes(op.collective)) return undefined;
  if (op.kind === 'attention' && curve?.attentionKernels !== undefined && !curve.attentionKernels.includes(attentionKernel(op))) return undefined;
  return curve?.misaligned !== undefined && misalignedGemm(op) ? curve.misaligned : curve;
}

/** The two sides of a 16-bit GEMM curve with a misaligned sub-curve (misalignedGemm). */
export const GEMM_ALIGNMENTS = ['aligned', 'misaligned'] as const;
export type GemmAlignment = (typeof GEMM_ALIGNMENTS)[number];

export function gemmAlignment(op: Op): GemmAlignment {
  return misalignedGemm(op) ? 'misaligned' : 'aligned';
}

/**
 * A 16-bit GEMM with n or k (the leading dimensions of the BLAS call in either of genz's layouts) not a multiple of
 * 8 elements (16 bytes): tensor-core kernels need 16-byte aligned rows, and cuBLAS falls back to slower ones (the
 * misalign feature, and the misaligned sub-curve of CalibrationCurve).
 */
export function misalignedGemm(op: Op): boolean {
  return op.kind === 'gemm' && op.actBits === 16 && (op.n % 8 !== 0 || op.k % 8 !== 0);
}

/**
 * The misalign feature: 0 for an aligned (or not 16-bit) GEMM, 1 where n or k is odd (2-byte rows), 0.5 where both
 * are even (4- or 8-byte rows).
 */
export function misalignGrade(op: Op): 0 | 0.5 | 1 {
  if (op.kind !== 'gemm' || !misalignedGemm(op)) return 0;
  return op.n % 2 === 1 || op.k % 2 === 1 ? 1 : 0.5;
}

/**
 * The held-out error of the curve that prices `op` (curveFor), from the rows of the profile that curve came from:
 * the entry of its family, compute dtype (or that dtype's twin) and, where the dtype curve has a misaligned
 * sub-curve, the op's side; else of its family and dtype; else of its family over every dtype. A batched GEMM priced
 * by the gemm curves takes theirs. Undefined where no curve prices the op, or its profile held out no such rows.
 */
export function curveError(calibration: CalibrationCurves | undefined, deviceId: string, op: Op, computeDtype: ComputeDtype | null): HeldOutKernelError | undefined {
  if (calibration?.heldOutError === undefined || curveFor(calibration, deviceId, op, computeDtype) === undefined) return undefined;
  const own = calibrationFamily(op);
  const family = own === 'bmm' && familyCurve(calibration, 'bmm', computeDtype) === undefined ? 'gemm' : own;
  const curve = familyCurve(calibration, family, computeDtype)!;
  const source = curve.deviceId ?? curveSource(calibration);
  const entries = calibration.heldOutError.filter((e) => e.family === family && (e.deviceId ?? curveSource(calibration)) === source && e.after !== null && e.heldOutRows > 0);
  // The entries of the dtype whose slot familyCurve chose: the op's own, else its twin's.
  const slot = computeDtype === null ? undefined : calibration.byDtype?.[family]?.[computeDtype] !== undefined ? computeDtype : twinDtype(computeDtype);
  const ofDtype = slot === undefined ? [] : entries.filter((e) => e.dtype === slot);
  const side = curve.misaligned === undefined ? undefined : gemmAlignment(op);
  return ofDtype.find((e) => e.alignment === side) ?? ofDtype.find((e) => e.alignment === undefined)
    ?? entries.find((e) => e.dtype === undefined && e.alignment === undefined);
}

/** The device whose rows fitted a set of curves that records no device per curve. */
function curveSource(calibration: CalibrationCurves): string {
  return calibration.fittedOn?.[0] ?? calibration.deviceId;
}

/** A curve's held-out error as a report gives it (EstimateReport, SingleOpResult): absolute % of kernel time. */
export interface CurveErrorReport {
  family: CalibrationFamily;
  dtype?: ComputeDtype;
  /** One side of a 16-bit GEMM curve with a misaligned sub-curve. */
  alignment?: GemmAlignment;
  /** The op's family where another's curve priced it: batched GEMMs ('bmm') on a gemm curve, none of their own. */
  pricing?: CalibrationFamily;
  /** The device whose measurements were held out (a same-silicon part's, where its curves were borrowed). */
  deviceId: string;
  heldOutRows: number;
  medianAbsPctError: number;
  p90AbsPctError: number;
}

/** curveError of the curve that priced `op`, as a report gives it; undefined where it has none. */
export function curveErrorReport(calibration: CalibrationCurves | undefined, deviceId: string, op: Op, computeDtype: ComputeDtype | null): CurveErrorReport | undefined {
  const error = curveError(calibration, deviceId, op, computeDtype);
  if (error?.after == null) return undefined;
  const family = calibrationFamily(op);
  return {
    family: error.family, ...(error.dtype === undefined ? {} : { dtype: error.dtype }), ...(error.alignment === undefined ? {} : { alignment: error.alignment }),
    ...(family === error.family ? {} : { pricing: family }),
    deviceId: error.deviceId ?? curveSource(calibration!),
    heldOutRows: error.heldOutRows, medianAbsPctError: error.after.medianAbsPctError, p90AbsPctError: error.after.p90AbsPctError,
  };
}

/** Which curve an error is of, in words: "gemm fp16 aligned", "gemm (pricing bmm: no bmm curve)". */
export function curveErrorLabel(e: CurveErrorReport): string {
  return `${e.family}${e.dtype === undefined ? '' : ` ${e.dtype}`}${e.alignment === undefined ? '' : ` ${e.alignment}`}${e.pricing === undefined ? '' : ` (pricing ${e.pricing}: no ${e.pricing} curve)`}`;
}

/**
 * Curves' held-out errors in words, by the device whose rows were held out (median / p90 %):
 * "h200 gemm fp16 8.5 / 22.9 (89 rows), norm 8.8 / 19.4 (12 rows); h100-sxm collective 0.8 / 7.0 (988 rows)".
 */
export function curveErrorsText(errors: readonly CurveErrorReport[]): string {
  const byDevice = new Map<string, string[]>();
  for (const e of errors) {
    const text = `${curveErrorLabel(e)} ${e.medianAbsPctError.toFixed(1)} / ${e.p90AbsPctError.toFixed(1)} (${e.heldOutRows} rows)`;
    byDevice.set(e.deviceId, [...(byDevice.get(e.deviceId) ?? []), text]);
  }
  return [...byDevice].map(([device, texts]) => `${device} ${texts.join(', ')}`).join('; ');
}

function familyCurve(calibration: CalibrationCurves, family: CalibrationFamily, computeDtype: ComputeDtype | null): CalibrationCurve | undefined {
  if (computeDtype !== null) {
    const perDtype = calibration.byDtype?.[family];
    const exact = perDtype?.[computeDtype] ?? perDtype?.[twinDtype(computeDtype)];
    if (exact) return exact;
  }
  const curve = calibration.families[family];
  // A curve fitted on other datapaths (fp32 CUDA cores) says nothing about this one (fp16 tensor cores).
  if (curve?.dtypes && computeDtype !== null && !curve.dtypes.some((d) => d === computeDtype || d === twinDtype(computeDtype))) return undefined;
  return curve;
}

/**
 * A GEMM that widens its weights or activations to its datapath first (W4A16, W8A16, fp8 on a part without fp8): a
 * dequantizing kernel (Marlin, AWQ, llama.cpp's), which no curve was fitted on (every measured GEMM runs its operands'
 * own datapath). The widening's vector work moves the balance feature where the 16-bit rows never were, and the curve
 * extrapolated: the A100 profile priced Llama-2-7B's W8A16 decode at 19.5 ms per token against 10.2 ms at 16 bits
 * (a review, 2026-11-27; the H200's and MI210's alike). The default efficiencies price it.
 */
export function dequantizing(op: Op, computeDtype: ComputeDtype | null): boolean {
  if (op.kind !== 'gemm' || computeDtype === null) return false;
  const bits = dtypeBits(computeDtype);
  return (op.weightBits ?? op.actBits) < bits || op.actBits < bits;
}

/** fp16 and bf16 share the tensor-core datapath and rate; a curve for one prices the other. */
export function twinDtype(dtype: ComputeDtype): ComputeDtype {
  return dtype === 'fp16' ? 'bf16' : dtype === 'bf16' ? 'fp16' : dtype;
}

/**
 * log10 of `extent` rounded up to whole tiles over `extent`: 0 when it is a multiple of the tile, at most log10 tile
 * (an extent under 1, e.g. an MoE expert's fractional token share, counts as 1; none or a non-finite one as 0).
 */
function tilePad(extent: number, tile: number): number {
  if (!(extent > 0) || !Number.isFinite(extent)) return 0;
  const whole = Math.max(1, extent);
  return Math.log10((Math.ceil(whole / tile) * tile) / whole);
}

/** log2 of the largest power of two dividing `bytes` (an integer; else 0), capped at `cap`, over log2 `cap`: 0…1. */
function pow2Part(bytes: number, cap: number): number {
  if (!(bytes > 0) || !Number.isInteger(bytes)) return 0;
  let p = 1;
  while (p < cap && bytes % (2 * p) === 0) p *= 2;
  return Math.log2(p) / Math.log2(cap);
}

function clampedLog10(x: number): number {
  return x > 0 && Number.isFinite(x) ? Math.log10(x) : 0;
}

/** log10(compute time / memory time) at efficiency 1, clamped to ±3 (0 for collectives: neither applies). */
function balanceOf(op: Op, computeS: number, memoryS: number): number {
  if (op.kind === 'collective') return 0;
  if (computeS <= 0) return -BALANCE_LIMIT;
  if (memoryS <= 0) return BALANCE_LIMIT;
  return Math.max(-BALANCE_LIMIT, Math.min(BALANCE_LIMIT, Math.log10(computeS / memoryS)));
}

function featureOf(index: number, op: Op, balance: number, floorS: number, computeUnits: number): number {
  switch (index) {
    case 0: return 1;
    case 1: return balance;
    case 2: return balance * balance;
    case 3: return Math.log10(1 + 10 ** -Math.abs(balance));
    case 4: return clampedLog10(floorS / 1e-6);
    case 5:
      if (op.kind === 'gemm') return clampedLog10(op.m);
      if (op.kind === 'attention') return clampedLog10(op.batch * op.numHeads * op.queryLen);
      if (op.kind === 'elementwise' && op.rowLength !== undefined) return clampedLog10(op.elements / op.rowLength);
      if (op.kind === 'collective') return clampedLog10(collectiveGroup(op));
      return 0;
    case 6:
      if (op.kind === 'gemm') return clampedLog10(op.n);
      // The keys a pass reads: a window (sliding, sink) caps them as it caps the bytes.
      if (op.kind === 'attention') return clampedLog10(attentionKeysRead(op));
      if (op.kind === 'elementwise' && op.rowLength !== undefined) return clampedLog10(op.rowLength);
      if (op.kind === 'collective') return op.collective === 'p2p' ? 1 : 0;
      return 0;
    case 7:
      if (op.kind === 'gemm') return clampedLog10(op.k);
      if (op.kind === 'attention') return clampedLog10(op.batch);
      if (op.kind === 'collective') return clampedLog10(floorS / 1e-6) * clampedLog10(collectiveGroup(op));
      return 0;
    case 8:
      if (op.kind === 'gemm') return clampedLog10(op.batch);
      if (op.kind === 'attention') return clampedLog10(op.numHeads / op.numKvHeads);
      if (op.kind === 'collective') return op.collective === 'p2p' ? clampedLog10(floorS / 1e-6) : 0;
      return 0;
    case 9: {
      if (op.kind !== 'gemm' || !(computeUnits > 0)) return 0;
      const tiles = Math.ceil(op.m / TILE) * Math.ceil(op.n / TILE) * Math.max(1, Math.ceil(op.batch));
      return 0 - clampedLog10(tiles / (Math.ceil(tiles / computeUnits) * computeUnits));
    }
    case 10:
      if (op.kind !== 'gemm') return 0;
      return 0 - clampedLog10((op.m * op.n) / (Math.ceil(op.m / TILE) * Math.ceil(op.n / TILE) * TILE * TILE));
    case 11: return op.kind === 'gemm' && layoutOf(op.blasLayout)[0] === 'T' ? 1 : 0;
    case 12: return op.kind === 'gemm' && layoutOf(op.blasLayout)[1] === 'T' ? 1 : 0;
    case 13: return op.kind === 'gemm' ? clampedLog10(op.m) * clampedLog10(op.n) : 0;
    case 14: return op.kind === 'gemm' ? clampedLog10(op.k) ** 2 : 0;
    case 15: return misalignGrade(op);
    case 16: return op.kind === 'gemm' ? tilePad(op.n, TILE) : 0;
    case 17: return op.kind === 'gemm' ? tilePad(op.k, TILE) : 0;
    case 18: return op.kind === 'gemm' ? tilePad(op.m, TILE / 2) : 0;
    case 19: return op.kind === 'gemm' && op.m <= 16 ? 1 : 0;
    case 20: {
      if (op.kind !== 'gemm' || layoutOf(op.blasLayout)[0] !== 'T') return 0;
      // The stored element's width: effective weight bits carry group scales (4-bit, group 128: 4.125).
      const storedBits = 2 ** Math.floor(Math.log2(op.weightBits ?? op.actBits));
      return pow2Part((op.k * storedBits) / 8, 16384);
    }
    case 21: {
      // Tiles of one GEMM (not a batched one) on a device with an SM count: wave is log10(SMs / tiles) below one wave.
      if (op.kind !== 'gemm' || op.batch > 1 || !(computeUnits > 0)) return 0;
      return Math.max(0, featureOf(9, op, balance, floorS, computeUnits) - FEW_TILES_SHARE_DECADES);
    }
    default: return 0;
  }
}

/**
 * The category an op's neighbours must share (./calibration-neighbors.ts): 100 × dtype code (0 none, else 1 + index
 * in COMPUTE_DTYPES, bf16 as fp16) + 10 × GEMM layout code (0 not a GEMM; 1 NN, 2 NT, 3 TN, 4 TT; a collective: 1 +
 * its index in COLLECTIVE_KINDS) + misaligned (the misalign feature; a collective: 1 over the scale-out network, the
 * dp group). Shapes of different datapaths, layouts or alignment run different kernels; Vidur's cross-node send/recv
 * of 10³–10⁵ bytes sat 0.3–0.4 (ln) above the in-node ones' residuals (5-fold CV of the H100 collectives 4.4/15.3 →
 * 3.7/11.3 % once apart, measured while Vidur's sizes were read as elements: twice the bytes).
 */
export function neighborCategory(op: Op, dtype: ComputeDtype | null, misaligned: number): number {
  const dtypeCode = dtype === null ? 0 : COMPUTE_DTYPES.indexOf(dtype === 'bf16' ? 'fp16' : dtype) + 1;
  let layout = 0;
  if (op.kind === 'gemm') {
    const l = layoutOf(op.blasLayout);
    layout = 1 + (l[0] === 'T' ? 2 : 0) + (l[1] === 'T' ? 1 : 0);
  }
  // A collective's kind takes the layout's place: NCCL runs different algorithms for each.
  if (op.kind === 'collective') layout = 1 + COLLECTIVE_KINDS.indexOf(op.collective);
  // A collective over the data-parallel group crosses the scale-out network (another NIC, protocol and latency).
  const scaleOut = op.kind === 'collective' && op.group === 'dp';
  return dtypeCode * 100 + layout * 10 + (misaligned || scaleOut || warpSoftmax(op) ? 1 : 0);
}

/**
 * A softmax whose rows PyTorch runs one warp per row, elements in registers: row length ≤ 2048 and ≤ 8 kB
 * (aten/src/ATen/native/cuda/SoftMax.cu host_softmax dispatches dispatch_softmax_forward there, a block per row
 * beyond). The two kernels scale apart: on the lent H100 and H200 (torch-ops.py) a 2048-wide fp16 row took 8–12 µs
 * for 1–1,024 rows where 4096-wide ones took 3–4 µs.
 */
function warpSoftmax(op: Op): boolean {
  return op.kind === 'elementwise' && op.fn === 'softmax' && op.rowLength !== undefined
    && op.rowLength <= 2048 && (op.rowLength * op.bits) / 8 <= 8192;
}

/** The layout a GEMM without one runs in: torch.nn.Linear's (weight transposed, activations not). */
function layoutOf(layout: BlasLayout | undefined): BlasLayout {
  return layout ?? 'TN';
}

/**
 * Feature `index` of `op`, given its times at efficiency 1 (computeS = tensor + vector, memoryS, networkS) and the
 * device's SM/compute-unit count (0 when unknown).
 */
export function calibrationFeature(index: number, op: Op, computeS: number, memoryS: number, networkS: number, computeUnits: number): number {
  return featureOf(index, op, balanceOf(op, computeS, memoryS), Math.max(computeS, memoryS, networkS), computeUnits);
}

/**
 * exp(max(0, w · φ)): how many times slower than its roofline floor the curve says `op` runs (≥ 1; a collective's down
 * to its curve's minSlowdown where that is below 1). Allocates nothing.
 */
export function calibrationSlowdown(curve: CalibrationCurve, op: Op, computeS: number, memoryS: number, networkS: number, computeUnits: number): number {
  // Clamp the balance first, so its square and the overlap term stay consistent with it.
  const balance = clampTo(balanceOf(op, computeS, memoryS), curve, 1);
  const floorS = Math.max(computeS, memoryS, networkS);
  let exponent = 0;
  for (let i = 0; i < FEATURE_COUNT; i++) {
    const w = curve.weights[i] ?? 0;
    if (w === 0) continue;
    const raw = featureOf(i, op, balance, floorS, computeUnits);
    exponent += w * Math.min(curve.featureMax[i] ?? raw, Math.max(curve.featureMin[i] ?? raw, raw));
  }
  // Clamp both ways: never faster than the floor (a collective curve: than floor × its minSlowdown), and no overflow
  // from a wild profile.
  return Math.max(lowestSlowdown(curve, op), Math.exp(Math.min(50, exponent)));
}

/**
 * The least slowdown a curve may price `op` at: 1 (the roofline floor), but for a collective its minSlowdown where
 * that is below 1 (only collective curves may have one: the profile schema; checked here too, for curves that reach
 * costOp without it).
 */
function lowestSlowdown(curve: CalibrationCurve, op: Op): number {
  return op.kind === 'collective' && curve.minSlowdown !== undefined && curve.minSlowdown < 1 ? curve.minSlowdown : 1;
}

/** The group a collective's features see: a point-to-point message is between two devices whatever group it is in. */
function collectiveGroup(op: Extract<Op, { kind: 'collective' }>): number {
  return op.collective === 'p2p' ? 2 : op.groupSize;
}

/** `slowdown` raised where floor × slowdown + overheadS would fall below floor × the curve's minSlowdown. */
export function boundedSlowdown(curve: CalibrationCurve, slowdown: number, floorS: number, overheadS: number): number {
  if (curve.minSlowdown === undefined || !(floorS > 0)) return slowdown;
  return Math.max(slowdown, curve.minSlowdown - overheadS / floorS);
}

function clampTo(value: number, curve: CalibrationCurve, index: number): number {
  return Math.min(curve.featureMax[index] ?? value, Math.max(curve.featureMin[index] ?? value, value));
}

/** Whether a curve's rows had a row shape (shape1 or shape2 not all zero: norms and softmax with a row length). */
function rowTermsFitted(curve: CalibrationCurve): boolean {
  return [5, 6].some((i) => (curve.featureMax[i] ?? 0) > 0 || (curve.featureMin[i] ?? 0) < 0);
}

/** Whether the curve can see `op`'s shape: not a row-wise op without a row length when its rows had one. */
export function curveSeesShape(curve: CalibrationCurve, op: Op): boolean {
  return !(op.kind === 'elementwise' && op.rowLength === undefined && ROW_WISE_FUNCTIONS.has(op.fn) && rowTermsFitted(curve));
}

/** Slack outside the fitted range, in decades, within which a curve still applies. */
const BALANCE_SLACK = 0.25;
const SIZE_SLACK = 0.5;
/**
 * The size feature (log10 of the roofline floor in µs) from which a curve's largest rows count as saturated: ops of
 * 1 ms or more fill the machine and pay launch and ramp-up under 1%, so a larger op runs at about their slowdown (the
 * curve prices it, its features clamped to the fitted range) rather than at the default efficiencies. MI300X's largest
 * fp8 GEMM (65463 × 8192 × 28672, 27.8 ms, 2.36 × floor) was priced at the defaults' 1.44 × when held out, 0.54
 * decades above the rest; 5-fold CV of its GEMMs 3.8/33.8 → 3.6/29.1 %, every other profile unchanged.
 */
const SATURATED_SIZE = 3;

/**
 * Whether `op` lies within (or just beside) the compute/memory balance and size the curve was fitted on, or above
 * that size where the curve's largest rows were saturated (SATURATED_SIZE), and the curve can see its shape: a norm
 * or softmax without a row length is not priced by a curve fitted with row terms (its rows would read as one, up to
 * ~50× off on the H100 profile); the default efficiencies price it.
 */
export function calibrationApplies(curve: CalibrationCurve, op: Op, computeS: number, memoryS: number, networkS: number): boolean {
  if (!curveSeesShape(curve, op)) return false;
  const balance = balanceOf(op, computeS, memoryS);
  const size = featureOf(4, op, balance, Math.max(computeS, memoryS, networkS), 0);
  const within = (value: number, index: number, slack: number): boolean =>
    value >= (curve.featureMin[index] ?? -Infinity) - slack && value <= (curve.featureMax[index] ?? Infinity) + slack;
  const saturated = (curve.featureMax[4] ?? -Infinity) >= SATURATED_SIZE;
  return within(balance, 1, BALANCE_SLACK) && (within(size, 4, SIZE_SLACK) || (saturated && size >= (curve.featureMax[4] ?? Infinity)));
}

/**
 * The neighbour correction of `op` (a factor on its whole calibrated time; 1 when the curve has no table): see
 * ./calibration-neighbors.ts. `dtype` is the op's compute dtype, part of the category its neighbours share.
 */
export function neighborCorrection(curve: CalibrationCurve, op: Op, computeS: number, memoryS: number, networkS: number, computeUnits: number, dtype: ComputeDtype | null): number {
  const table = curve.neighbors;
  if (table === undefined || table.points.length === 0) return 1;
  const balance = balanceOf(op, computeS, memoryS);
  const floorS = Math.max(computeS, memoryS, networkS);
  const [i0, i1, i2, i3, i4] = NEIGHBOR_COORDINATES;
  return neighborFactor(table, neighborCategory(op, dtype, featureOf(15, op, balance, floorS, computeUnits)),
    featureOf(i0, op, balance, floorS, computeUnits), featureOf(i1, op, balance, floorS, computeUnits), featureOf(i2, op, balance, floorS, computeUnits),
    featureOf(i3, op, balance, floorS, computeUnits), featureOf(i4, op, balance, floorS, computeUnits));
}

/**
 * The calibrated slowdown of `op`'s busy time and its overhead, given the overhead before correction
 * (curve.overheadS per kernel): the curve's slowdown, bounded by minSlowdown, then both it and the overhead times the
 * neighbour correction (whose residuals were measured against that bounded price), bounded again (a correction below 1
 * does not take an op under the best efficiency measured) and at least 1 (never faster than the floor; a collective
 * curve's minSlowdown where that is below 1). Writes into
 * `out` (no allocation).
 */
export function calibratedScaling(curve: CalibrationCurve, op: Op, computeS: number, memoryS: number, networkS: number, overheadS: number,
  computeUnits: number, dtype: ComputeDtype | null, out: { slowdown: number; overheadS: number }): void {
  const floorS = Math.max(computeS, memoryS, networkS);
  const bounded = boundedSlowdown(curve, calibrationSlowdown(curve, op, computeS, memoryS, networkS, computeUnits), floorS, overheadS);
  const factor = neighborCorrection(curve, op, computeS, memoryS, networkS, computeUnits, dtype);
  out.overheadS = overheadS * factor;
  out.slowdown = Math.max(lowestSlowdown(curve, op), boundedSlowdown(curve, bounded * factor, floorS, out.overheadS));
}

const scratch = { slowdown: 1, overheadS: 0 };

/**
 * Calibrated latency of `op` from its times at efficiency 1, its kernel count and its compute dtype (null: none):
 * max(floor × slowdown + overheadS per kernel (at least one: a collective is one call), floor × minSlowdown) × the
 * neighbour correction, at least floor × minSlowdown and the floor.
 */
export function calibratedLatencyS(curve: CalibrationCurve, op: Op, computeS: number, memoryS: number, networkS: number, kernels: number, computeUnits: number,
  dtype: ComputeDtype | null): number {
  calibratedScaling(curve, op, computeS, memoryS, networkS, curve.overheadS * Math.max(1, kernels), computeUnits, dtype, scratch);
  return Math.max(computeS, memoryS, networkS) * scratch.slowdown + scratch.overheadS;
}
