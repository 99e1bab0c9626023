// The request grids behind the Sweep view: one parameter swept for the line charts, and batch × TP over every
// compared hardware for the Pareto scatter.
import type { EstimateRequest, Metrics, Outcome } from '../core/protocol.ts';
import type { AppState, SweepAxis } from './app-state.ts';
import { baseRequest } from './requests.ts';

export const SWEEP_VALUES: Record<SweepAxis, number[]> = {
  batch: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
  context: [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072],
  tp: [1, 2, 4, 8, 16],
};

export const SWEEP_LABELS: Record<SweepAxis, string> = {
  batch: 'batch (concurrent sequences)',
  context: 'input tokens per sequence',
  tp: 'tensor-parallel degree (TP)',
};

const FIELD: Record<SweepAxis, 'batch' | 'inputTokens' | 'tp'> = { batch: 'batch', context: 'inputTokens', tp: 'tp' };

export function sweepRequests(state: AppState): EstimateRequest[] {
  return SWEEP_VALUES[state.sweepAxis].map((x) => ({ ...baseRequest(state), [FIELD[state.sweepAxis]]: x }));
}

export const PARETO_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256];
export const PARETO_TPS = [1, 2, 4, 8];

export interface ParetoCell {
  hardware: string;
  batch: number;
  tp: number;
}

/**
 * The Pareto grid: every batch × TP on every hardware. Always priced by the roofline engine: the cycle engine takes
 * about a second per point, and the grid has over a hundred.
 */
export function paretoGrid(state: AppState): { cells: ParetoCell[]; requests: EstimateRequest[] } {
  const hardware = [...new Set([state.hardware, ...state.compare])];
  const cells = hardware.flatMap((h) => PARETO_TPS.flatMap((tp) => PARETO_BATCHES.map((batch) => ({ hardware: h, batch, tp }))));
  const roofline = { ...state, scenario: { ...state.scenario, engine: 'roofline' as const } };
  return { cells, requests: cells.map((c) => ({ ...baseRequest(roofline, c.hardware), batch: c.batch, tp: c.tp })) };
}

/** Dollars per million output tokens at `pricePerDeviceHour` for every device the point uses. */
export function dollarsPerMillionTokens(m: Metrics, pricePerDeviceHour: number): number {
  return ((m.devices * pricePerDeviceHour) / 3600 / m.outputTokensPerS) * 1e6;
}

/** Outcomes that ran and fit in memory, with their cell. */
export function feasible<C>(cells: C[], outcomes: Outcome<Metrics>[] | undefined): { cell: C; m: Metrics }[] {
  if (!outcomes) return [];
  return cells.flatMap((cell, i) => {
    const o = outcomes[i];
    return o?.ok && o.value.feasible ? [{ cell, m: o.value }] : [];
  });
}

/** The first point left out and why (it does not fit, or the core's problem with it), or undefined if none was. */
export function firstLeftOut<C>(cells: C[], outcomes: Outcome<Metrics>[] | undefined): { cell: C; reason: string } | undefined {
  for (const [i, o] of (outcomes ?? []).entries()) {
    if (!o.ok) return { cell: cells[i]!, reason: o.problems.map((p) => p.message).join('; ') };
    if (!o.value.feasible) return { cell: cells[i]!, reason: o.value.reason ?? 'does not fit' };
  }
  return undefined;
}
