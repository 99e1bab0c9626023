// The public `estimate`: the simulator's estimate, with a calibration profile object in the request validated
// here (the profile format lives in calibrate/) and its embedded device used when the profile is for a device
// genz has no preset for.
import { estimate as estimateCore, type EstimateReport } from '../simulator/serving/estimate.ts';
import type { EstimateRequest } from '../simulator/serving/request.ts';
import { GenzError } from '../common/errors.ts';
import { resolveHardware } from '../hardware/registry.ts';
import { parseProfile, profileCurves, type CalibrationProfile } from './profile-schema.ts';
import { estimateOp as estimateOpCore, type SingleOpRequest, type SingleOpResult } from '../simulator/single-op.ts';
import type { CostBackend } from '../simulator/cost.ts';
import { sharesSilicon } from '../simulator/calibration-defaults.ts';

/**
 * The hardware a profile applies to, and its curves for it: the request's hardware, which must be the profile's
 * device or share its silicon (an A100 40GB takes an A100 80GB profile, as the shipped profiles carry over), else the
 * profile's own device (its embedded spec, or its preset id).
 */
function hardwareFor(profile: CalibrationProfile, hardware: unknown): { hardware: unknown; curves: Record<string, unknown> } {
  const curves = profileCurves(profile);
  if (hardware === undefined || hardware === profile.deviceId) return { hardware: profile.device ?? profile.deviceId, curves: curves as unknown as Record<string, unknown> };
  const deviceId = resolveHardware(hardware, undefined).device.id;
  if (!sharesSilicon(deviceId, profile.deviceId)) {
    throw new GenzError('invalid_input', `the calibration profile is for ${profile.deviceId}, but the hardware is ${deviceId}`, ['calibration', 'deviceId']);
  }
  const carried = deviceId === profile.deviceId ? curves : { ...curves, deviceId, fittedOn: [profile.deviceId] };
  return { hardware, curves: carried as unknown as Record<string, unknown> };
}

/** The estimate of a request (see simulator/serving/estimate.ts); `backend` overrides the engine it names. */
export function estimate(request?: EstimateRequest, backend?: CostBackend): EstimateReport {
  if (typeof request !== 'object' || request === null) return estimateCore(request, backend);
  const calibration = request.calibration;
  if (calibration === undefined || typeof calibration === 'string') return estimateCore(request, backend);
  const profile = parseProfile(calibration, ['calibration']);
  const applied = hardwareFor(profile, request.hardware);
  return estimateCore({ ...request, hardware: applied.hardware as EstimateRequest['hardware'], calibration: applied.curves }, backend);
}

/** The public `estimateOp`, with a calibration profile object validated the same way. */
export function estimateOp(request: SingleOpRequest, backend?: CostBackend): SingleOpResult {
  // Not an object: the core says what it expects.
  if (typeof request !== 'object' || request === null) return estimateOpCore(request, backend);
  const calibration = (request as { calibration?: unknown }).calibration;
  if (calibration === undefined || typeof calibration === 'string') return estimateOpCore(request, backend);
  const profile = parseProfile(calibration, ['calibration']);
  const applied = hardwareFor(profile, (request as { hardware?: unknown }).hardware);
  return estimateOpCore({ ...request, hardware: applied.hardware, calibration: applied.curves } as SingleOpRequest, backend);
}
