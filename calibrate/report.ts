// `genz calibrate report`: the error before (default efficiencies) and after (calibration curves) per operator
// family and device, as a markdown table: from the held-out table stored in each profile, or recomputed on
// given measurements (their held-out split by the profile's hash, or all of them).
import { GenzError } from '../common/errors.ts';
import { gemmAlignment, misalignedGemm } from '../simulator/calibration.ts';
import { costOp } from '../simulator/roofline/roofline-backend.ts';
import { absPctError, medianP90, quantile } from './accuracy/error-stats.ts';
import { crossValidate, fastestImplementations, type CrossValidatedError, fitRows, heldOutErrors, measuredDeviceIds, measurementDeviceId, ownGpuKernel, profileDevice, profileMeasurements, withoutRepeats } from './fit.ts';
import type { Measurement } from './measurement-schema.ts';
import { measurementKey } from './op-family.ts';
import { profileCurves, type CalibrationProfile, type FamilyError } from './profile-schema.ts';

export interface ReportOptions {
  /** With measurements: score their held-out split (default, by the profile's hash) or every row. */
  rows?: 'held-out' | 'all';
  /**
   * Measurements the profiles were fitted on: every given row not among them is scored (rows is then 'all'), so the
   * table is the error on shapes the fit never saw, e.g. the rest of a source the profile fitted a sample of.
   */
  except?: readonly Measurement[];
}

export { profileDevice } from './fit.ts';

/**
 * Error table of one profile, recomputed on `measurements` of its device. With `except`, every row not among the
 * fitted ones (of the same device) is scored, and trainRows counts the fitted rows of each family and dtype.
 */
export function profileErrors(profile: CalibrationProfile, measurements: readonly Measurement[], options: ReportOptions = {}): FamilyError[] {
  const mine = withoutRepeats(profileMeasurements(profile, measurements)).unique;
  if (mine.length === 0) {
    throw new GenzError('invalid_input', `no measurements of device "${profile.deviceId}"; found ${measuredDeviceIds(measurements).join(', ') || 'none'}`, ['measurements']);
  }
  // Scored on the rows the fit would use: the fastest of several GEMM implementations of one problem, chosen among all
  // the given rows (a slower kernel of a fitted problem is not "unseen": no fit would use it).
  const kept = fastestImplementations(mine).kept;
  const device = profileDevice(profile);
  const curves = profileCurves(profile);
  if (options.except === undefined) {
    const { rows } = fitRows(kept, device, profile.deviceId, options.rows === 'all' ? 100 : profile.split.heldOutPercent);
    return heldOutErrors(rows, curves);
  }
  // Only fitted rows of the scored device count: another device's file would otherwise read as "nothing fitted".
  const devices = new Set(mine.map(measurementDeviceId));
  const fitted = options.except.filter((m) => devices.has(measurementDeviceId(m)));
  if (fitted.length === 0) {
    throw new GenzError('invalid_input', `none of the fitted measurements (except) is of device "${profile.deviceId}"; they are of ${measuredDeviceIds(options.except).join(', ') || 'none'}`, ['except']);
  }
  // The system a row ran on (a collective's fabric) and its BLAS layout are part of what was measured.
  const key = (m: Measurement): string => `${measurementKey(m, measurementDeviceId(m))}|${m.system ?? ''}|${m.layout ?? ''}`;
  const fittedKeys = new Set(fitted.map(key));
  const unseen = kept.filter((m) => !fittedKeys.has(key(m)));
  if (unseen.length === 0) {
    throw new GenzError('invalid_input', `every measurement of device "${profile.deviceId}" is among the fitted ones (except): nothing unseen to score`, ['except']);
  }
  const { rows } = fitRows(unseen, device, profile.deviceId, 100);
  const fittedRows = fitRows(fastestImplementations(fitted).kept, device, profile.deviceId, 0).rows;
  return heldOutErrors(rows, curves).map((e) => ({
    ...e, trainRows: fittedRows.filter((r) => r.family === e.family && (e.dtype === undefined || r.dtype === e.dtype) && (e.alignment === undefined || gemmAlignment(r.op) === e.alignment)).length,
  }));
}

const pct = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(1));

/**
 * Markdown table: one line per device and family; `rowHeadings` name the two row counts (trainRows, heldOutRows); a
 * heading '—' leaves that count's cells '—' too (every given row scored: none was trained on).
 */
export function errorTable(entries: readonly { deviceId: string; errors: readonly FamilyError[] }[], rowHeadings: readonly [string, string] = ['train rows', 'held-out rows']): string {
  const lines = [
    `| device | family | ${rowHeadings[0]} | ${rowHeadings[1]} | before median % | before p90 % | after median % | after p90 % |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const { deviceId, errors } of entries) {
    for (const e of errors) {
      lines.push(`| ${deviceId} | ${e.family}${e.dtype === undefined ? '' : ` ${e.dtype}`}${e.alignment === undefined ? '' : ` ${e.alignment}`} | ${rowHeadings[0] === '—' ? '—' : e.trainRows} | ${e.heldOutRows} | ${pct(e.before?.medianAbsPctError)} | ${pct(e.before?.p90AbsPctError)} | ${pct(e.after?.medianAbsPctError)} | ${pct(e.after?.p90AbsPctError)} |`);
    }
  }
  return lines.join('\n');
}

/**
 * The report of one or more profiles: the error table (stored, or recomputed on `measurements`), then each
 * profile's provenance and notes. "before" is the uncalibrated estimator (default efficiencies), "after" the curves.
 */
export function reportProfile(profiles: CalibrationProfile | readonly CalibrationProfile[], measurements?: readonly Measurement[],
  options: ReportOptions = {}): string {
  const list = Array.isArray(profiles) ? (profiles as readonly CalibrationProfile[]) : [profiles as CalibrationProfile];
  // With `except`, a device with nothing unseen (or no fitted rows given) is named below the table, unless every one is.
  const skipped: GenzError[] = [];
  const entries = list.flatMap((p) => {
    if (measurements === undefined) return [{ deviceId: p.deviceId, errors: p.heldOutError }];
    try {
      // A --hardware profile's rows are of the device it measured: the table says so.
      return [{ deviceId: p.measuredDeviceId === undefined ? p.deviceId : `${p.deviceId} (rows of ${p.measuredDeviceId})`, errors: profileErrors(p, measurements, options) }];
    } catch (e) {
      if (options.except === undefined || !(e instanceof GenzError) || e.problems[0]?.path[0] !== 'except') throw e;
      skipped.push(e);
      return [];
    }
  });
  if (entries.length === 0 && skipped.length > 0) throw skipped[0]!;
  const scope = measurements === undefined
    ? 'held-out rows stored in the profile'
    : options.except !== undefined ? 'given measurements not among the fitted ones'
      : options.rows === 'all' ? 'all given measurements' : 'held-out rows of the given measurements';
  const headings: [string, string] = options.except !== undefined ? ['fitted rows', 'unseen rows']
    : options.rows === 'all' && measurements !== undefined ? ['—', 'scored rows'] : ['train rows', 'held-out rows'];
  const out = [`Absolute percentage error of kernel time (${scope}); before = default efficiencies, after = calibration curves.`];
  if (measurements !== undefined) out.push(...list.map((p) => rowsAccount(p, measurements)));
  out.push('', errorTable(entries, headings));
  if (skipped.length > 0) out.push('', ...skipped.map((e) => `Not scored: ${e.problems[0]!.message}.`));
  for (const p of list) {
    out.push('', `${p.deviceId}: made by \`${p.createdBy}\` from ${p.measurementSources.join(', ')}; ${p.split.heldOutPercent}% of shapes held out; ${p.skippedRows} rows of kernels no curve family models (scan, conv1d, LUT GEMV, copy, empty launch) or without a roofline floor left out.`);
    for (const note of p.notes) out.push(`- ${note}`);
  }
  return out.join('\n');
}

/**
 * What became of the given rows for one profile: how many are of its device (the rest score nothing), and how many
 * of those repeat another row (counted once). The table's row counts are of what remains, by family.
 */
function rowsAccount(profile: CalibrationProfile, measurements: readonly Measurement[]): string {
  const mine = profileMeasurements(profile, measurements);
  const { repeated } = withoutRepeats(mine);
  const others = measurements.length - mine.length;
  const ofMine = new Set(mine);
  return `${profile.deviceId}: ${mine.length} of ${measurements.length} given rows are of this device${others > 0 ? ` (${others} of ${measuredDeviceIds(measurements.filter((m) => !ofMine.has(m))).join(', ')} score nothing here)` : ''}`
    + `${repeated > 0 ? `; ${repeated} repeat another row, counted once` : ''}.`;
}

/**
 * k-fold cross-validation of each profile's device on `measurements` (calibrate/fit.ts crossValidate): every row
 * scored by curves fitted without it. With tens of held-out rows a split's p90 rests on a few shapes; this does not.
 */
export function crossValidationTable(profiles: readonly CalibrationProfile[], measurements: readonly Measurement[], folds = 5, draws = 1): string {
  const ranged = draws > 1;
  const lines = [
    `## ${folds}-fold cross-validation`, '',
    `Every row scored by curves fitted on the other ${folds - 1} of ${folds} folds (folds by the FNV-1a hash the held-out split uses: of the measurement key, without a GEMM's kernel and variant, so one shape's layouts and kernels share a fold).`,
    'Read with the table above: where the two disagree, the held-out split was small.',
    ...(ranged ? [
      `A draw of the folds is one of many: the last two columns give the lowest and highest median and p90 over ${draws} draws`,
      `(this one and ${draws - 1} others, the split key's hash salted: calibrate/fit.ts crossValidatedRows). A target met in the`,
      'first columns but not across the range is met by the luck of the draw.'] : []),
    '',
    `| device | family | rows | median % | p90 % |${ranged ? ` median % over ${draws} draws | p90 % over ${draws} draws |` : ''}`,
    `|---|---|---|---|---|${ranged ? '---|---|' : ''}`,
  ];
  const span = (values: number[]): string => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
  for (const profile of profiles) {
    const others = Array.from({ length: Math.max(0, draws - 1) }, (_, i) => crossValidate(measurements, profile, folds, `draw ${i + 1}|`));
    for (const e of crossValidate(measurements, profile, folds)) {
      const same = [e, ...others.map((o) => o.find((x) => x.family === e.family && x.dtype === e.dtype)).filter((x): x is CrossValidatedError => x !== undefined)];
      const range = ranged ? ` ${span(same.map((x) => x.medianAbsPctError))} | ${span(same.map((x) => x.p90AbsPctError))} |` : '';
      lines.push(`| ${profile.deviceId} | ${e.family}${e.dtype === undefined ? '' : ` ${e.dtype}`} | ${e.rows} | ${e.medianAbsPctError.toFixed(1)} | ${e.p90AbsPctError.toFixed(1)} |${range}`);
    }
  }
  return lines.join('\n');
}

/**
 * kernels-ref's own GPU attention, softmax and norm kernels, which no profile fits (calibrate/fit.ts ownGpuKernel):
 * how far each runs from its roofline floor, and the default estimator's error on them, per device, kernel and dtype.
 */
export function ownKernelsTable(profiles: readonly CalibrationProfile[], measurements: readonly Measurement[]): string {
  const lines = [
    '## kernels-ref\'s own GPU kernels (measured, not fitted)', '',
    'Time over the roofline floor (measured / floor at efficiency 1) and the default estimator\'s absolute error.', '',
    '| device | kernel | dtype | rows | median × floor | max × floor | default median % | default p90 % |', '|---|---|---|---|---|---|---|---|',
  ];
  for (const profile of profiles) {
    const own = measurements.filter((m) => ownGpuKernel(m) && measurementDeviceId(m) === profile.deviceId);
    if (own.length === 0) continue;
    const { rows } = fitRows(own, profileDevice(profile), profile.deviceId, 0);
    const groups = new Map<string, typeof rows>();
    for (const r of rows) {
      const [, kernel, , dtype] = r.key.split('|');  // FitRow.key: device|kernel|variant|dtype|shape
      const key = `${kernel}|${dtype}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const [kernel, dtype] = key.split('|');
      const ratio = group.map((r) => r.measuredS / r.floorS).sort((a, b) => a - b);
      const err = medianP90(group.map((r) => absPctError(costOp(r.op, r.ctx).latencyS, r.measuredS)));
      lines.push(`| ${profile.deviceId} | ${kernel} | ${dtype} | ${group.length} | ${quantile(ratio, 0.5).toFixed(1)} | ${ratio[ratio.length - 1]!.toFixed(1)} | ${err.median.toFixed(1)} | ${err.p90.toFixed(1)} |`);
    }
  }
  return lines.join('\n');
}

/** Smallest m, n and k of a GEMM the throughput check counts as large (all of its tiles full-sized on any library). */
const LARGE_GEMM_EDGE = 256;
/** Shortest roofline floor of a large GEMM: long enough that launch and ramp-up are a few percent at most. */
const LARGE_GEMM_FLOOR_S = 100e-6;
/** Fewest large GEMMs of one device, family and dtype the throughput check reports. */
const LARGE_GEMM_MIN_ROWS = 10;

/**
 * A check of the data rather than of the fit: achieved FLOP/s of each device's large, compute-bound GEMMs (m, n,
 * k ≥ 256, compute-bound, a roofline floor of at least 100 µs), per family and dtype (16-bit GEMMs with n or k off a
 * multiple of 8 apart: another kernel).
 * A board timed in one steady state runs them within a narrow band; a wide p90/p10 says its clocks moved during
 * the run (throttling), an error no shape model can take out.
 */
export function largeGemmThroughputTable(profiles: readonly CalibrationProfile[], measurements: readonly Measurement[]): string {
  const lines = [
    '| device | family | dtype | large GEMMs | p10 TFLOP/s | median TFLOP/s | p90 TFLOP/s | p90 / p10 |', '|---|---|---|---|---|---|---|---|',
  ];
  for (const profile of profiles) {
    const mine = fastestImplementations(profileMeasurements(profile, measurements)).kept;
    const { rows } = fitRows(mine, profileDevice(profile), profile.deviceId, 0);
    const groups = new Map<string, number[]>();
    for (const r of rows) {
      const op = r.op;
      if (op.kind !== 'gemm' || Math.min(op.m, op.n, op.k) < LARGE_GEMM_EDGE || r.computeS < r.memoryS || r.floorS < LARGE_GEMM_FLOOR_S) continue;
      // 16-bit GEMMs with n or k off a multiple of 8 run cuBLAS's slower kernels (the misalign feature): a group apart,
      // else their 6x lower rate reads as a clock change.
      const misaligned = misalignedGemm(op);
      const key = `${r.family}|${r.dtype ?? ''}${misaligned ? ' (n or k not a multiple of 8)' : ''}`;
      (groups.get(key) ?? groups.set(key, []).get(key)!).push((2 * op.batch * op.m * op.n * op.k) / r.measuredS);
    }
    for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      if (group.length < LARGE_GEMM_MIN_ROWS) continue;
      const rates = group.map((perS) => perS / 1e12).sort((a, b) => a - b);
      const [p10, median, p90] = [0.1, 0.5, 0.9].map((q) => quantile(rates, q)) as [number, number, number];
      const [family, dtype] = key.split('|');
      const fmt = (x: number): string => x.toPrecision(3);
      lines.push(`| ${profile.deviceId} | ${family} | ${dtype} | ${group.length} | ${fmt(p10)} | ${fmt(median)} | ${fmt(p90)} | ${(p90 / p10).toFixed(2)} |`);
    }
  }
  return lines.join('\n');
}

/**
 * largeGemmThroughputTable under its heading and what it means, then `notes` (lines of prose about this data);
 * '' when no device has enough large GEMMs. `genz calibrate report --measurements` and docs/calibration.md print it.
 */
export function largeGemmThroughputSection(profiles: readonly CalibrationProfile[], measurements: readonly Measurement[], notes: readonly string[] = []): string {
  const table = largeGemmThroughputTable(profiles, measurements);
  if (table.split('\n').length <= 2) return '';
  return ['## Throughput of large GEMMs (a check of the data)', '',
    'Achieved TFLOP/s of each device\'s large GEMMs (m, n, k ≥ 256, compute-bound, a roofline floor of at least 100 µs).',
    'A board timed in one steady state runs them within a narrow band; a wide p90/p10 says its clocks moved during the',
    'run, or its library treats some shapes apart.', ...notes, '', table].join('\n');
}

/**
 * Run-to-run drift of one machine: the rows of `second` that re-time a kernel, dtype, layout and shape of `first`, by
 * kernel: median and p90 of |second / first − 1| in %. Sets the error a curve fitted on one run can reach on another.
 */
export function rerunDriftTable(first: readonly Measurement[], second: readonly Measurement[]): string {
  const key = (m: Measurement): string =>
    `${measurementDeviceId(m)}|${m.kernel}|${m.dtype}|${m.layout ?? ''}|${JSON.stringify(Object.entries(m.shape).sort(([a], [b]) => a.localeCompare(b)))}`;
  const before = new Map(first.map((m) => [key(m), m.medianS]));
  const drift = new Map<string, number[]>();
  for (const m of second) {
    const t = before.get(key(m));
    if (t === undefined) continue;
    const group = `${measurementDeviceId(m)}|${m.kernel}|${m.dtype}`;
    (drift.get(group) ?? drift.set(group, []).get(group)!).push(absPctError(m.medianS, t));
  }
  const lines = ['| device | kernel | dtype | shapes timed twice | median % | p90 % |', '|---|---|---|---|---|---|'];
  for (const [group, errors] of [...drift].sort(([a], [b]) => a.localeCompare(b))) {
    const { median, p90 } = medianP90(errors);
    lines.push(`| ${group.split('|').join(' | ')} | ${errors.length} | ${median.toFixed(1)} | ${p90.toFixed(1)} |`);
  }
  return lines.join('\n');
}
