// The cost engines a request can name: the analytical roofline (default) and the cycle-level simulator. Both
// implement CostBackend; callers pick one by name here, and shared code never branches on which it got.
import { z } from 'zod';
import type { CostBackend } from './cost.ts';
import { rooflineBackend } from './roofline/roofline-backend.ts';
import { cycleBackend } from './cycle/cycle-backend.ts';

export const ENGINES = ['roofline', 'cycle'] as const;
export type EngineId = (typeof ENGINES)[number];

export const EngineSchema = z.enum(ENGINES)
  .describe("cost engine: 'roofline' (analytical, calibrated by default) or 'cycle' (cycle-level simulator, uncalibrated)");

/** The backend of a named engine (the cycle engine without a trace; pass your own backend to record one). */
export function backendFor(engine: EngineId): CostBackend {
  return engine === 'cycle' ? cycleBackend : rooflineBackend;
}
