// The worker's side: the genz core behind plain-data functions. GenzErrors become `Failure`s with their
// problems (paths included) because an Error loses its fields crossing the worker boundary.
import {
  DEFAULT_EFFICIENCY, DEFAULT_HARDWARE, IDEAL_EFFICIENCY, estimate, isGenzError, listDevices, listModels, listSystems, listVlmConfigs, paramBreakdown,
  resolveHardware, resolveModel, resolveVlm, vlmParams,
} from '../../../index.ts';
import type { Catalog, CheckedSpec, EstimateReport, EstimateRequest, Failure, Metrics, Outcome, SpecKind, WorkerApi } from './protocol.ts';

function failure(error: unknown): Failure {
  if (isGenzError(error)) return { ok: false, code: error.code, problems: error.problems.map((p) => ({ path: [...p.path], message: p.message })) };
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, code: 'internal', problems: [{ path: [], message: `internal error: ${message}` }] };
}

function attempt<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return failure(error);
  }
}

function catalog(): Catalog {
  return {
    devices: listDevices(),
    systems: listSystems(),
    models: [
      ...listModels().map((config) => ({ id: config.id, name: config.name, family: config.family, params: paramBreakdown(config).total, config })),
      ...listVlmConfigs().map((vlm) => {
        const resolved = resolveVlm(vlm);
        return { id: vlm.id, name: vlm.name, family: 'vlm', params: vlmParams(resolved).total, config: resolved.languageModel, vlm };
      }),
    ],
    efficiency: { defaults: { ...DEFAULT_EFFICIENCY }, ideal: { ...IDEAL_EFFICIENCY } },
  };
}

function metricsOf(r: EstimateReport): Metrics {
  return {
    feasible: r.feasible, ...(r.reason === undefined ? {} : { reason: r.reason }),
    ttftS: r.ttftS, tpotS: r.tpotS, e2eS: r.e2eS, outputTokensPerS: r.outputTokensPerS,
    outputTokensPerSPerDevice: r.outputTokensPerSPerDevice, energyJPerToken: r.energyJPerToken,
    maxBatchThatFits: r.maxBatchThatFits, perDeviceBytes: r.memory.perDeviceBytes, capacityBytes: r.memory.capacityBytes,
    devices: r.parallel.devices,
  };
}

function checkSpec(kind: SpecKind, text: string): Outcome<CheckedSpec> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, code: 'invalid_json', problems: [{ path: [], message: `not valid JSON: ${detail}` }] };
  }
  return attempt(() => {
    if (kind === 'hardware') {
      const system = resolveHardware(json, undefined, []);
      const what = system.deviceCount === 1 ? `device ${system.device.name}` : `system ${system.name} (${system.deviceCount} × ${system.device.name})`;
      return { kind, value: json as Record<string, unknown>, summary: what };
    }
    if (typeof json === 'object' && json !== null && (json as { kind?: unknown }).kind === 'vlm') {
      const vlm = resolveVlm(json, []);
      return { kind, value: json as Record<string, unknown>, summary: `vision-language model ${vlm.name} (${vlm.vision.name} + ${vlm.languageModel.name})` };
    }
    const config = resolveModel(json, []);
    return { kind, value: config as unknown as Record<string, unknown>, summary: `model ${config.name} (${config.family})` };
  });
}

/**
 * The scenario's CPU fields (threads, low-bit kernel) apply to CPU devices; Compare and the Pareto grid send one
 * scenario to several devices, so they are dropped for hardware without a cpu block (the core would refuse them).
 * Hardware that does not resolve is left to the core, which reports it.
 */
export function forHardware(request: EstimateRequest): EstimateRequest {
  if (request.threads === undefined && request.lowBitKernel === undefined) return request;
  let cpu: boolean;
  try {
    cpu = resolveHardware(request.hardware ?? DEFAULT_HARDWARE, request.devices, []).device.cpu !== undefined;
  } catch {
    return request;
  }
  if (cpu) return request;
  const { threads: _threads, lowBitKernel: _kernel, ...rest } = request;
  return rest;
}

export const workerApi: WorkerApi = {
  catalog,
  estimateMany: (requests) => requests.map((request) => attempt(() => estimate(forHardware(request)))),
  metricsMany: (requests) => requests.map((request) => attempt(() => metricsOf(estimate(forHardware(request))))),
  checkSpec,
};
