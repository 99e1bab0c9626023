// The public `estimate`: the simulator's estimate, with a calibration profile object in the request validated
// here (the profile format lives in calibrate/) and its embedded device used when the profile is for a device
// genz has no preset for.
import { estimate as estimateCore, type EstimateReport } from '../simulator/serving/estimate.ts';
import type { EstimateRequest } from '../simulator/serving/request.ts';
import { parseProfile, profileCurves } from './profile-schema.ts';
import { estimateOp as estimateOpCore, type SingleOpRequest, type SingleOpResult } from '../simulator/single-op.ts';

export function estimate(request?: EstimateRequest): EstimateReport {
  const calibration = request?.calibration;
  if (request === undefined || calibration === undefined || typeof calibration === 'string') return estimateCore(request);
  const profile = parseProfile(calibration, ['calibration']);
  const useEmbedded = profile.device !== undefined && (request.hardware === undefined || request.hardware === profile.deviceId);
  return estimateCore({
    ...request,
    ...(useEmbedded ? { hardware: profile.device as unknown as Record<string, unknown> } : {}),
    calibration: profileCurves(profile) as unknown as Record<string, unknown>,
  });
}

/** The public `estimateOp`, with a calibration profile object validated the same way. */
export function estimateOp(request: SingleOpRequest): SingleOpResult {
  const calibration = (request as { calibration?: unknown }).calibration;
  if (calibration === undefined || typeof calibration === 'string') return estimateOpCore(request);
  const profile = parseProfile(calibration, ['calibration']);
  const hardware = (request as { hardware?: unknown }).hardware;
  const useEmbedded = profile.device !== undefined && (hardware === undefined || hardware === profile.deviceId);
  return estimateOpCore({
    ...request,
    ...(useEmbedded ? { hardware: profile.device as unknown as Record<string, unknown> } : {}),
    calibration: profileCurves(profile) as unknown as Record<string, unknown>,
  } as SingleOpRequest);
}
