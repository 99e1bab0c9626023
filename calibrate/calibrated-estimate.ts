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

/**
 * The hardware a profile applies to: the request's (which must be the profile's device), else the profile's own
 * device (its embedded spec, or its preset id).
 */
function hardwareFor(profile: CalibrationProfile, hardware: unknown): unknown {
  if (hardware === undefined || hardware === profile.deviceId) return profile.device ?? profile.deviceId;
  const deviceId = resolveHardware(hardware, undefined).device.id;
  if (deviceId !== profile.deviceId) {
    throw new GenzError('invalid_input', `the calibration profile is for ${profile.deviceId}, but the hardware is ${deviceId}`, ['calibration', 'deviceId']);
  }
  return hardware;
}

/** The estimate of a request (see simulator/serving/estimate.ts); `backend` overrides the engine it names. */
export function estimate(request?: EstimateRequest, backend?: CostBackend): EstimateReport {
  const calibration = request?.calibration;
  if (request === undefined || calibration === undefined || typeof calibration === 'string') return estimateCore(request, backend);
  const profile = parseProfile(calibration, ['calibration']);
  return estimateCore({
    ...request,
    hardware: hardwareFor(profile, request.hardware) as EstimateRequest['hardware'],
    calibration: profileCurves(profile) as unknown as Record<string, unknown>,
  }, backend);
}

/** The public `estimateOp`, with a calibration profile object validated the same way. */
export function estimateOp(request: SingleOpRequest, backend?: CostBackend): SingleOpResult {
  const calibration = (request as { calibration?: unknown }).calibration;
  if (calibration === undefined || typeof calibration === 'string') return estimateOpCore(request, backend);
  const profile = parseProfile(calibration, ['calibration']);
  return estimateOpCore({
    ...request,
    hardware: hardwareFor(profile, (request as { hardware?: unknown }).hardware),
    calibration: profileCurves(profile) as unknown as Record<string, unknown>,
  } as SingleOpRequest, backend);
}
