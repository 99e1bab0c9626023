// The GPU the cycle engine simulates, derived from a device preset: SM count, clock, per-SM rates from the
// datasheet peaks (peak / SMs), L2 and DRAM from `onChip` and `memory[0]`, and the rest from `microarch` or the
// generation defaults. Bad parameters are one GenzError('invalid_input') with the path of the field.
import type { ComputeDtype } from '../../../common/dtype.ts';
import { GenzError } from '../../../common/errors.ts';
import type { Device, GpuGeneration, Microarch } from '../../../hardware/device-schema.ts';
import { ClockDomain } from '../engine/clock-domain.ts';
import {
  DEFAULT_CTA_LAUNCH_CYCLES, DEFAULT_K_STEP_OVERHEAD_CYCLES, DEFAULT_KERNEL_LAUNCH_S, DRAM_EFFICIENCY, GENERATION_DEFAULTS, inferGeneration,
} from './generations.ts';

export interface GemmTile {
  m: number;
  n: number;
  k: number;
  stages: number;
  splitK: number;
}

export interface GpuParams {
  /** Text identity of every parameter (cache key). */
  key: string;
  deviceId: string;
  generation: GpuGeneration;
  smCount: number;
  clock: ClockDomain;
  /** Sustained tensor (or FP32 SIMT for fp32/fp64 GEMMs) FLOP/s of one SM, by dtype. */
  mmaFlopsPerSPerSm: Partial<Record<ComputeDtype, number>>;
  /** Sustained FP32 vector FLOP/s of one SM (softmax, norms, activations, dequantization). */
  vectorFlopsPerSPerSm: number;
  /** Thread-instructions one SM issues per second (schedulers × warp width × clock): streaming kernels' issue time. */
  issueInstrPerSPerSm: number;
  smemPerSmBytes: number;
  smemBytesPerSPerSm: number;
  maxCtasPerSm: number;
  maxThreadsPerSm: number;
  l2Bytes: number;
  l2Slices: number;
  l2BandwidthBytesPerS: number;
  l2HitLatencyS: number;
  /** Peak DRAM bandwidth × the sustained fraction. */
  dramBandwidthBytesPerS: number;
  dramLatencyS: number;
  kernelLaunchS: number;
  ctaLaunchS: number;
  kStepOverheadS: number;
  maxStages: number;
  warpTileM: number;
  warpTileN: number;
  clusterMulticast: number;
  gemmTile?: GemmTile;
}

const cache = new WeakMap<Device, GpuParams>();

function fail(message: string, path: (string | number)[]): never {
  throw new GenzError('invalid_input', message, ['hardware', ...path]);
}

function positiveOr(value: number | undefined, fallback: number, what: string, path: (string | number)[]): number {
  const v = value ?? fallback;
  if (!(Number.isFinite(v) && v > 0)) fail(`${what} must be a positive number, found ${v}`, path);
  return v;
}

/** The first "NNNN MHz" / "N.NN GHz" in the preset's clock text. */
export function parseClockHz(text: string): number | undefined {
  const match = /(\d+(?:\.\d+)?)\s*(MHz|GHz)/i.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (match[2]!.toLowerCase() === 'ghz' ? 1e9 : 1e6);
}

export function gpuParams(device: Device): GpuParams {
  const cached = cache.get(device);
  if (cached) return cached;
  const params = deriveParams(device);
  cache.set(device, params);
  return params;
}

function deriveParams(device: Device): GpuParams {
  if (device.kind !== 'gpu' && device.kind !== 'soc') {
    throw new GenzError('unsupported', `the cycle engine models GPUs (kind gpu or soc); ${device.id} is a ${device.kind}: use the roofline engine`, ['hardware', 'kind']);
  }
  const ua: Microarch = device.microarch ?? {};
  const sms = device.computeUnits;
  if (sms === undefined || !(Number.isInteger(sms) && sms > 0)) fail(`computeUnits (SMs) must be a positive whole number for the cycle engine, found ${sms}`, ['computeUnits']);
  const generation = ua.generation ?? inferGeneration(device);
  const g = GENERATION_DEFAULTS[generation];
  const peaks = device.peakFlopsPerS;
  if (!(Number.isFinite(peaks.fp32) && peaks.fp32 > 0)) fail(`peakFlopsPerS.fp32 must be positive, found ${peaks.fp32}`, ['peakFlopsPerS', 'fp32']);
  const derivedClockHz = parseClockHz(device.clock) ?? peaks.fp32 / (sms * g.fp32FlopsPerClkPerSm);
  const clockHz = positiveOr(ua.clockHz, derivedClockHz, 'microarch.clockHz (SM clock)', ['microarch', 'clockHz']);
  const clock = new ClockDomain(`${device.id} SM`, clockHz, ['hardware', 'microarch', 'clockHz']);
  const tensorEff = positiveOr(ua.tensorEfficiency, g.tensorEfficiency, 'microarch.tensorEfficiency', ['microarch', 'tensorEfficiency']);
  const vectorEff = positiveOr(ua.vectorEfficiency, g.vectorEfficiency, 'microarch.vectorEfficiency', ['microarch', 'vectorEfficiency']);
  const mma: Partial<Record<ComputeDtype, number>> = {};
  for (const [dtype, peak] of Object.entries(peaks) as [ComputeDtype, number | undefined][]) {
    if (peak === undefined) continue;
    if (!(Number.isFinite(peak) && peak > 0)) fail(`peakFlopsPerS.${dtype} must be positive, found ${peak}`, ['peakFlopsPerS', dtype]);
    mma[dtype] = (peak * tensorEff) / sms;
  }
  // FP32 matrix work on matrix units where the part has them for FP32 (CDNA's MFMA), as the roofline engine prices it.
  if (device.matrixFp32FlopsPerS !== undefined) mma.fp32 = (device.matrixFp32FlopsPerS * tensorEff) / sms;
  const main = device.memory[0];
  if (main === undefined) fail('at least one memory level is needed', ['memory']);
  const dramPeak = positiveOr(main.bandwidthBytesPerS, 0, 'memory[0].bandwidthBytesPerS', ['memory', 0, 'bandwidthBytesPerS']);
  const dramEff = positiveOr(ua.dramEfficiency, DRAM_EFFICIENCY[main.technology] ?? 0.85, 'microarch.dramEfficiency', ['microarch', 'dramEfficiency']);
  const l2Bytes = positiveOr(device.onChip.l2Bytes, 0, 'onChip.l2Bytes', ['onChip', 'l2Bytes']);
  const smemPerSmBytes = positiveOr(ua.smemPerSmBytes, g.smemPerSmBytes, 'microarch.smemPerSmBytes', ['microarch', 'smemPerSmBytes']);
  const params: GpuParams = {
    key: '',
    deviceId: device.id,
    generation,
    smCount: sms,
    clock,
    mmaFlopsPerSPerSm: mma,
    vectorFlopsPerSPerSm: (peaks.fp32 * vectorEff) / sms,
    issueInstrPerSPerSm: g.issueThreadInstrPerClk * clockHz,
    smemPerSmBytes,
    smemBytesPerSPerSm: positiveOr(ua.smemBytesPerClk, g.smemBytesPerClk, 'microarch.smemBytesPerClk', ['microarch', 'smemBytesPerClk']) * clockHz,
    maxCtasPerSm: positiveOr(ua.maxCtasPerSm, g.maxCtasPerSm, 'microarch.maxCtasPerSm', ['microarch', 'maxCtasPerSm']),
    maxThreadsPerSm: positiveOr(ua.maxThreadsPerSm, g.maxThreadsPerSm, 'microarch.maxThreadsPerSm', ['microarch', 'maxThreadsPerSm']),
    l2Bytes,
    l2Slices: positiveOr(ua.l2Slices, Math.max(1, Math.round(l2Bytes / g.l2SliceBytes)), 'microarch.l2Slices', ['microarch', 'l2Slices']),
    // onChip.bandwidthBytesPerS may describe a cache behind L2 (MI300X's Infinity Cache): the faster of the two feeds the SMs.
    l2BandwidthBytesPerS: positiveOr(ua.l2BandwidthBytesPerS, Math.max(device.onChip.bandwidthBytesPerS ?? 0, g.l2BytesPerClkPerSm * sms * clockHz),
      'microarch.l2BandwidthBytesPerS', ['microarch', 'l2BandwidthBytesPerS']),
    l2HitLatencyS: positiveOr(ua.l2HitLatencyS, clock.cyclesToS(g.l2HitCycles), 'microarch.l2HitLatencyS', ['microarch', 'l2HitLatencyS']),
    dramBandwidthBytesPerS: dramPeak * dramEff,
    dramLatencyS: positiveOr(ua.dramLatencyS, g.dramLatencyS, 'microarch.dramLatencyS', ['microarch', 'dramLatencyS']),
    kernelLaunchS: positiveOr(ua.kernelLaunchS, DEFAULT_KERNEL_LAUNCH_S, 'microarch.kernelLaunchS', ['microarch', 'kernelLaunchS']),
    ctaLaunchS: clock.cyclesToS(positiveOr(ua.ctaLaunchCycles, DEFAULT_CTA_LAUNCH_CYCLES, 'microarch.ctaLaunchCycles', ['microarch', 'ctaLaunchCycles'])),
    kStepOverheadS: clock.cyclesToS(positiveOr(ua.kStepOverheadCycles, DEFAULT_K_STEP_OVERHEAD_CYCLES, 'microarch.kStepOverheadCycles', ['microarch', 'kStepOverheadCycles'])),
    maxStages: positiveOr(ua.maxStages, g.maxStages, 'microarch.maxStages', ['microarch', 'maxStages']),
    warpTileM: g.warpTileM,
    warpTileN: g.warpTileN,
    clusterMulticast: g.clusterMulticast,
  };
  if (ua.gemmTile !== undefined) {
    const t = ua.gemmTile;
    for (const f of ['m', 'n', 'k'] as const) positiveOr(t[f], 0, `microarch.gemmTile.${f}`, ['microarch', 'gemmTile', f]);
    params.gemmTile = { m: t.m, n: t.n, k: t.k, stages: t.stages ?? Math.min(3, params.maxStages), splitK: t.splitK ?? 1 };
  }
  const { key: _key, clock: _clock, ...rest } = params;
  params.key = JSON.stringify({ ...rest, clockHz });
  return params;
}
