// The calibration profiles shipped in data/profiles (made by `npm run profiles`), used by default for their
// device — and for parts with the same silicon, whose curves (relative to each part's own roofline floor) carry
// over. Profiles are data produced by calibrate/; the simulator only reads their curves.
import type { ComputeDtype } from '../common/dtype.ts';
import type { CalibrationCurve, CalibrationCurves, CalibrationFamily } from './calibration.ts';
import a100_80 from '../data/profiles/a100-80gb-sxm.json' with { type: 'json' };
import a40 from '../data/profiles/a40.json' with { type: 'json' };
import h100 from '../data/profiles/h100-sxm.json' with { type: 'json' };
import h200 from '../data/profiles/h200.json' with { type: 'json' };
import mi210 from '../data/profiles/mi210.json' with { type: 'json' };
import mi300x from '../data/profiles/mi300x.json' with { type: 'json' };
import t4 from '../data/profiles/t4.json' with { type: 'json' };
import v100 from '../data/profiles/v100.json' with { type: 'json' };

const SHIPPED = [a100_80, a40, h100, h200, mi210, mi300x, t4, v100] as unknown as CalibrationCurves[];

/** Devices that share another preset's silicon (same SMs and datapaths; memory size or clock differs). */
const SAME_SILICON: Readonly<Record<string, readonly string[]>> = {
  'a100-40gb-sxm': ['a100-80gb-sxm'],
  'a100-80gb-pcie': ['a100-80gb-sxm'],
  // The H200's own curves first (kernels-ref and PyTorch rows of 2026-11-26); the H100's fill in the rest (collectives).
  h200: ['h100-sxm'],
  // One GCD of an MI250 is the MI210's die (104 CUs, 1.7 GHz, 64 GB HBM2e at 1.64 TB/s).
  'mi250-gcd': ['mi210'],
};

function put(target: CalibrationCurves, family: CalibrationFamily, dtype: ComputeDtype, curve: CalibrationCurve): void {
  const byDtype = (target.byDtype ??= {});
  const slot = (byDtype[family] ??= {});
  if (slot[dtype] === undefined) slot[dtype] = curve;
}

/** Merges profiles (first wins) into one set of curves for `deviceId`, keyed by family and datapath. */
export function mergeCurves(deviceId: string, profiles: readonly CalibrationCurves[]): CalibrationCurves {
  const merged: CalibrationCurves = { schema: 'genz.calibration.v1', deviceId, families: {}, fittedOn: [...new Set(profiles.map((p) => p.deviceId))] };
  for (const profile of profiles) {
    // Every profile's errors, by its device: a curve says which device fitted it (put), and its error is that one's.
    for (const error of profile.heldOutError ?? []) (merged.heldOutError ??= []).push({ ...error, deviceId: error.deviceId ?? profile.deviceId });
    for (const [family, perDtype] of Object.entries(profile.byDtype ?? {}) as [CalibrationFamily, Partial<Record<ComputeDtype, CalibrationCurve>>][]) {
      for (const [dtype, curve] of Object.entries(perDtype) as [ComputeDtype, CalibrationCurve][]) put(merged, family, dtype, { ...curve, deviceId: profile.deviceId });
    }
    for (const [family, curve] of Object.entries(profile.families) as [CalibrationFamily, CalibrationCurve][]) {
      const tagged = { ...curve, deviceId: profile.deviceId };
      if (curve.dtypes && curve.dtypes.length > 0) {
        for (const dtype of curve.dtypes) put(merged, family, dtype, tagged);
      } else if (merged.families[family] === undefined) {
        merged.families[family] = tagged;
      }
    }
  }
  return merged;
}

const cache = new Map<string, CalibrationCurves | null>();

/** The shipped curves for a device (its own profile, then same-silicon ones), or undefined when there are none. */
export function defaultCalibration(deviceId: string): CalibrationCurves | undefined {
  if (!cache.has(deviceId)) {
    const ids = [deviceId, ...(SAME_SILICON[deviceId] ?? [])];
    const profiles = ids.flatMap((id) => SHIPPED.filter((p) => p.deviceId === id));
    cache.set(deviceId, profiles.length === 0 ? null : mergeCurves(deviceId, profiles));
  }
  return cache.get(deviceId) ?? undefined;
}

/**
 * Whether two devices run on the same silicon (or are one), so curves fitted on one carry to the other: either way
 * round (an A100 40GB profile on an A100 80GB as well as the reverse; the shipped defaults list only the parts whose
 * own data is missing or partial).
 */
export function sharesSilicon(deviceId: string, profileDeviceId: string): boolean {
  return deviceId === profileDeviceId || (SAME_SILICON[deviceId] ?? []).includes(profileDeviceId) || (SAME_SILICON[profileDeviceId] ?? []).includes(deviceId)
    || Object.values(SAME_SILICON).some((parts) => parts.includes(deviceId) && parts.includes(profileDeviceId));
}

/** Device ids with shipped curves of their own. */
export function shippedCalibrationIds(): string[] {
  return SHIPPED.map((p) => p.deviceId);
}
