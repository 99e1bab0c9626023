// The calibration profile file: the curves the estimator uses for one device (simulator/calibration.ts), the
// device spec when the device has no genz preset, and the held-out error before and after calibration.
// Made by `genz calibrate fit`, read by `calibrate report` and the estimator's --calibration.
import { z } from 'zod';
import { COMPUTE_DTYPES } from '../common/dtype.ts';
import { GenzError } from '../common/errors.ts';
import { parseWith } from '../common/zod-errors.ts';
import { DeviceSchema } from '../hardware/device-schema.ts';
import { COLLECTIVE_KINDS } from '../models/ops.ts';
import {
  ATTENTION_KERNELS, CALIBRATION_FAMILIES, CALIBRATION_FEATURES, CALIBRATION_SCHEMA_ID, FEATURE_COUNT, GEMM_ALIGNMENTS, type CalibrationCurves,
} from '../simulator/calibration.ts';
import { MAX_NEIGHBORS, MAX_NEIGHBOR_POINTS } from '../simulator/calibration-neighbors.ts';

const finite = z.number().finite('must be a finite number');
// A profile written by an earlier genz has the features of its day, a prefix of today's (features are only ever
// appended): its vectors are as long as its `features` (checked by ProfileSchema) and a missing weight is 0.
const vector = (what: string) => z.array(finite).min(1).max(FEATURE_COUNT, `must have at most ${FEATURE_COUNT} entries (${CALIBRATION_FEATURES.join(', ')})`).describe(what);

const NeighborTableSchema = z
  .object({
    k: z.number().int().min(1).max(MAX_NEIGHBORS).describe('nearest training rows averaged'),
    scaleDecades: finite.min(1e-3, 'must be at least 0.001').max(100, 'must be at most 100').describe('width of the Gaussian distance weight, decades'),
    shrink: finite.positive('must be positive').describe('weight of no correction in the mean'),
    points: z.array(z.array(finite).min(7, 'must be [category, 5 coordinates, ln residual, optional row count]').max(8, 'must be [category, 5 coordinates, ln residual, optional row count]')
      .refine((p) => Number.isInteger(p[0]) && p[0]! >= 0, { message: 'category (first entry) must be a non-negative integer' })
      .refine((p) => Math.abs(p[6]!) <= 20, { message: 'ln residual (7th entry) must be within ±20' })
      .refine((p) => p.length === 7 || (p[7]! >= 1 && p[7]! <= 1e7), { message: 'row count (8th entry) must be from 1 to 1e7' }))
      .max(MAX_NEIGHBOR_POINTS, `must have at most ${MAX_NEIGHBOR_POINTS} points (every priced op scans its category's)`)
      .describe('[category, size, shape1, shape2, shape3, shape4, ln(measured / curve)(, rows merged)] per training row or cell'),
  })
  .strict();

const curveFields = {
  weights: z.array(finite.min(-100, 'must be at least -100').max(100, 'must be at most 100')).min(1).max(FEATURE_COUNT, `must have at most ${FEATURE_COUNT} entries`)
    .describe('natural-log slowdown per unit of each feature (features beyond its length weigh 0)'),
  featureMin: vector('smallest value of each feature in the training rows (features are clamped to it)'),
  featureMax: vector('largest value of each feature in the training rows'),
  overheadS: finite.nonnegative('must not be negative').max(1, 'must be at most 1 s').describe('fixed time per kernel launch, seconds'),
  minSlowdown: finite.min(0.05, 'must be at least 0.05').max(1e6, 'must be at most 1e6').optional()
    .describe('smallest slowdown over the roofline floor measured in the training rows; the curve never predicts less (below 1: collective curves only)'),
  dtypes: z.array(z.enum(COMPUTE_DTYPES)).optional().describe('compute dtypes of the rows it was fitted on'),
  collectives: z.array(z.enum(COLLECTIVE_KINDS)).optional().describe('collective curves: the kinds of the rows it was fitted on (others keep the default efficiencies)'),
  attentionKernels: z.array(z.enum(ATTENTION_KERNELS)).optional().describe('attention curves: the kernels of the rows it was fitted on, flash or unfused (the other keeps the default efficiencies)'),
  neighbors: NeighborTableSchema.optional().describe('training rows\' residuals for the neighbour correction (simulator/calibration-neighbors.ts)'),
};

/** featureMin ≤ featureMax, feature by feature. */
function orderedBounds(curve: { featureMin: number[]; featureMax: number[] }, ctx: z.RefinementCtx): void {
  curve.featureMin.forEach((lo, i) => {
    const hi = curve.featureMax[i];
    if (hi !== undefined && lo > hi) ctx.addIssue({ code: 'custom', path: ['featureMin', i], message: `must not exceed featureMax[${i}] (${hi}), found ${lo}` });
  });
}

/** A curve inside another (CalibrationCurve.misaligned): the same fields, nested no further. */
const SubCurveSchema = z.object(curveFields).strict().superRefine(orderedBounds);

export const CurveSchema = z
  .object({
    ...curveFields,
    misaligned: SubCurveSchema.optional()
      .describe('16-bit GEMM curves of one dtype: the curve of the GEMMs with n or k off a multiple of 8, fitted on those rows alone (this one then on the aligned ones)'),
  })
  .strict()
  .superRefine(orderedBounds);

const errorPair = z
  .object({
    medianAbsPctError: finite.nonnegative(),
    p90AbsPctError: finite.nonnegative(),
  })
  .strict();

export const FamilyErrorSchema = z
  .object({
    family: z.enum(CALIBRATION_FAMILIES),
    dtype: z.enum(COMPUTE_DTYPES).optional().describe('the rows of this compute dtype only (absent: all rows of the family)'),
    alignment: z.enum(GEMM_ALIGNMENTS).optional()
      .describe("16-bit GEMMs of a dtype curve with a misaligned sub-curve: the rows of one side only, n and k multiples of 8 ('aligned') or not ('misaligned'), each priced by its own curve (absent: both)"),
    trainRows: z.number().int().nonnegative(),
    heldOutRows: z.number().int().nonnegative(),
    before: errorPair.nullable().describe('held-out error of the default efficiencies (uncalibrated estimator); null without held-out rows'),
    after: errorPair.nullable().describe('held-out error of the fitted curve; null without a curve or held-out rows'),
  })
  .strict();

type Family = (typeof CALIBRATION_FAMILIES)[number];
const familyCurves = z.object(Object.fromEntries(CALIBRATION_FAMILIES.map((f) => [f, CurveSchema.optional()])) as Record<Family, z.ZodOptional<typeof CurveSchema>>).strict();
const dtypeCurves = z.object(Object.fromEntries(COMPUTE_DTYPES.map((d) => [d, CurveSchema.optional()])) as Record<(typeof COMPUTE_DTYPES)[number], z.ZodOptional<typeof CurveSchema>>).strict();
const familyDtypeCurves = z.object(Object.fromEntries(CALIBRATION_FAMILIES.map((f) => [f, dtypeCurves.optional()])) as Record<Family, z.ZodOptional<typeof dtypeCurves>>).strict();

export const ProfileSchema = z
  .object({
    schema: z.literal(CALIBRATION_SCHEMA_ID),
    deviceId: z.string().min(1).describe('genz preset id of the device, or the id of the embedded device spec'),
    device: DeviceSchema.optional().describe('device spec built from the measurements, for a device without a genz preset'),
    features: z
      .array(z.string())
      .refine((f) => f.length >= 1 && f.length <= FEATURE_COUNT && f.every((name, i) => name === CALIBRATION_FEATURES[i]), {
        message: `must be [${CALIBRATION_FEATURES.join(', ')}] or a leading part of it (the features of an earlier genz)`,
      })
      .describe('names of the curve features, in order (a profile of an earlier genz has a leading part of today\'s list)'),
    families: familyCurves.describe('one curve per operator family that had training rows'),
    byDtype: familyDtypeCurves.optional().describe('curves per family and compute dtype, where a family had rows of several dtypes; used before the family curve'),
    split: z
      .object({
        method: z.literal('fnv1a-32').describe('hash of device|kernel|variant|dtype|shape'),
        heldOutPercent: z.number().int().min(0).max(100),
      })
      .strict(),
    neighborTables: z.boolean().optional()
      .describe('whether the fit could give curves neighbour tables (cross-validation then may too); absent before 2026-11-26: whether any curve has one'),
    heldOutError: z.array(FamilyErrorSchema),
    skippedRows: z.number().int().nonnegative().describe('measurements of this device that no family prices (memcpy, scans …)'),
    notes: z.array(z.string()).describe('assumptions made while fitting (inferred peaks, …)'),
    createdBy: z.string().min(1).describe('the command that made the profile'),
    measurementSources: z.array(z.string().min(1)).min(1).describe('files or datasets the measurements came from'),
    measuredDeviceId: z.string().min(1).optional()
      .describe("the device id of the measurements (their device.id, else a slug of their device name) where it is not deviceId: a fit with --hardware names the preset; a report scores this device's rows"),
  })
  .strict()
  .superRefine((profile, ctx) => {
    // Before the layout features (2026-11-26) DeepBench and MLPerf rows were imported with M and N the other way
    // round from genz's m (tokens) and n: such a profile's m and n terms are mirrored for today's ops.
    if (profile.features.length <= CALIBRATION_FEATURES.indexOf('transW') && profile.measurementSources.some((src) => /deepbench|mlperf/i.test(src))) {
      ctx.addIssue({
        code: 'custom', path: ['measurementSources'],
        message: 'a profile fitted on DeepBench or MLPerf rows by a genz without the transW/transX features read their M and N the other way round; refit it with `genz calibrate fit`',
      });
    }
    // Every curve has one weight, minimum and maximum per listed feature.
    const check = (curve: { weights: number[]; featureMin: number[]; featureMax: number[] }, path: (string | number)[]): void => {
      for (const key of ['weights', 'featureMin', 'featureMax'] as const) {
        if (curve[key].length !== profile.features.length) {
          ctx.addIssue({ code: 'custom', path: [...path, key], message: `must have ${profile.features.length} entries (one per feature), found ${curve[key].length}` });
        }
      }
    };
    // Only a collective's floor is a model rather than a bound (calibrate/fit.ts FLOOR_MODEL_FAMILIES): every other
    // curve prices at or above its roofline floor.
    const atLeastFloor = (curve: { minSlowdown?: number | undefined }, family: string, path: (string | number)[]): void => {
      if (family !== 'collective' && curve.minSlowdown !== undefined && curve.minSlowdown < 1) {
        ctx.addIssue({ code: 'custom', path: [...path, 'minSlowdown'], message: `must be at least 1 (only collective curves may price under the roofline floor), found ${curve.minSlowdown}` });
      }
    };
    const MISPLACED_MISALIGNED = 'only a 16-bit GEMM curve of one dtype (byDtype.gemm or byDtype.bmm, fp16 or bf16) has a misaligned curve';
    const checkBoth = (curve: CalibrationCurveInput, family: string, path: (string | number)[]): void => {
      check(curve, path);
      atLeastFloor(curve, family, path);
      if (curve.misaligned) { check(curve.misaligned, [...path, 'misaligned']); atLeastFloor(curve.misaligned, family, [...path, 'misaligned']); }
    };
    for (const [family, curve] of Object.entries(profile.families)) {
      if (!curve) continue;
      checkBoth(curve, family, ['families', family]);
      if (curve.misaligned) ctx.addIssue({ code: 'custom', path: ['families', family, 'misaligned'], message: MISPLACED_MISALIGNED });
    }
    for (const [family, byDtype] of Object.entries(profile.byDtype ?? {})) {
      for (const [dtype, curve] of Object.entries(byDtype ?? {})) {
        if (!curve) continue;
        checkBoth(curve, family, ['byDtype', family, dtype]);
        if (curve.misaligned && !((family === 'gemm' || family === 'bmm') && (dtype === 'fp16' || dtype === 'bf16'))) {
          ctx.addIssue({ code: 'custom', path: ['byDtype', family, dtype, 'misaligned'], message: MISPLACED_MISALIGNED });
        }
      }
    }
  });

type CalibrationCurveInput = z.output<typeof CurveSchema>;
export type CalibrationProfile = z.output<typeof ProfileSchema>;
export type FamilyError = z.output<typeof FamilyErrorSchema>;

/** Validates a parsed profile; a bad one is one GenzError with the path of each problem. */
export function parseProfile(value: unknown, path: (string | number)[] = []): CalibrationProfile {
  return parseWith(ProfileSchema, value, path);
}

/** Parses the text of a profile file. */
export function parseProfileText(text: string, file = 'profile'): CalibrationProfile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const lines = text.split('\n').filter((l) => l.trim() !== '').length;
    // A JSON Lines file of measurements is the likely mix-up: say so.
    throw new GenzError('invalid_json', `not JSON: ${(err as Error).message}${lines > 1 ? ' (a measurement file? a profile is the one JSON object genz calibrate fit writes)' : ''}`, [file]);
  }
  return parseProfile(value, [file]);
}

/** What the cost context needs from a profile. */
export function profileCurves(profile: CalibrationProfile): CalibrationCurves {
  return {
    schema: profile.schema, deviceId: profile.deviceId, families: profile.families,
    ...(profile.byDtype === undefined ? {} : { byDtype: profile.byDtype }),
    heldOutError: profile.heldOutError,
  };
}

export function profileJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ProfileSchema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}

/**
 * A profile as file text: JSON indented by one space, with every array of plain numbers on one line (a neighbour
 * table has a point per training row; one number per line would make a profile thousands of lines long). Only arrays
 * JSON.stringify split over lines are joined: a string value never holds a raw newline, so strings stay as they are.
 */
export function profileText(profile: CalibrationProfile): string {
  const number = String.raw`-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?`;
  const multiLine = new RegExp(String.raw`\[\n\s*(${number}(?:,\n\s*${number})*)\n\s*\]`, 'g');
  return `${JSON.stringify(profile, null, 1).replace(multiLine, (_, body: string) => `[${body.replace(/\s+/g, '')}]`)}\n`;
}
