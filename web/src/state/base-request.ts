// AppState → the estimate request of the chosen model, hardware and scenario. Kept apart from the what-if knobs
// so the boot chunk (main.tsx), which sends this request before React loads, stays small.
import type { EstimateRequest } from '../core/protocol.ts';
import { CUSTOM, type AppState, type ScenarioState } from './app-state.ts';

export function modelInput(state: AppState): string | Record<string, unknown> {
  return state.model === CUSTOM && state.customModel ? state.customModel : state.model;
}

export function hardwareInput(state: AppState, id = state.hardware): string | Record<string, unknown> {
  return id === CUSTOM && state.customHardware ? state.customHardware : id;
}

function scenarioFields(s: ScenarioState): Omit<EstimateRequest, 'model' | 'hardware'> {
  return {
    batch: s.batch, inputTokens: s.inputTokens, outputTokens: s.outputTokens, tp: s.tp, pp: s.pp,
    dtype: s.dtype as EstimateRequest['dtype'], flash: s.flash,
    ...(s.wbits === undefined ? {} : { wbits: s.wbits }), ...(s.kvbits === undefined ? {} : { kvbits: s.kvbits }),
    ...(s.images === undefined ? {} : { images: s.images }),
    ...(s.speculative ? { speculative: { ...s.speculative } } : {}),
    // 'default' is the core's own default, so it is left out (and the request stays the one the CLI would send).
    ...(s.calibration === 'none' ? { calibration: 'none' as const } : {}),
    ...(s.engine === 'cycle' ? { engine: 'cycle' as const } : {}),
    ...(s.framework === 'none' ? {} : { framework: s.framework }),
    ...(s.threads === undefined ? {} : { threads: s.threads }),
    ...(s.lowBitKernel === undefined ? {} : { lowBitKernel: s.lowBitKernel }),
    ...(s.identicalPrompts ? { identicalPrompts: true } : {}),
  };
}

/** The request of the chosen model, scenario and hardware (`hardware` overrides the chosen one, for Compare). */
export function baseRequest(state: AppState, hardware = state.hardware): EstimateRequest {
  return { model: modelInput(state), hardware: hardwareInput(state, hardware), ...scenarioFields(state.scenario) };
}
