// `--engine roofline|cycle` and `--trace FILE`, shared by estimate, ops and op. A trace is the cycle engine's event
// timeline in Chrome trace-event JSON (open it in Perfetto or chrome://tracing); asking for one implies the cycle engine.
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ENGINES, GenzError, CycleTrace, createCycleBackend, type CostBackend, type EngineId } from '../index.ts';

export interface EngineFlags { engine?: EngineId; trace?: string }

export function addEngineFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--engine <engine>', "cost engine: roofline (analytical, calibrated) or cycle (cycle-level simulator) (default: roofline)").choices(ENGINES))
    .option('--trace <file>', 'write the cycle engine\'s timeline as Chrome trace-event JSON (implies --engine cycle)');
}

export interface EngineChoice {
  /** The engine to write into the request (undefined: the request's default). */
  engine?: EngineId;
  /** A backend that records the trace, when one was asked for. */
  backend?: CostBackend;
  /** Writes the trace file (if any); returns a line for stderr. */
  finish(): string | undefined;
}

export function engineChoice(f: EngineFlags): EngineChoice {
  if (f.trace === undefined) return { ...(f.engine ? { engine: f.engine } : {}), finish: () => undefined };
  if (f.engine === 'roofline') {
    throw new GenzError('invalid_input', '--trace records the cycle engine\'s events; the roofline engine has none (use --engine cycle)', ['trace']);
  }
  const path = f.trace;
  const trace = new CycleTrace();
  return {
    engine: 'cycle',
    backend: createCycleBackend({ trace }),
    finish: () => {
      try {
        writeFileSync(path, trace.toJson());
      } catch (error) {
        throw new GenzError('invalid_input', `cannot write the trace to ${path}: ${(error as Error).message}`, ['trace']);
      }
      return `wrote ${trace.eventCount} trace events to ${path} (open in https://ui.perfetto.dev or chrome://tracing)`;
    },
  };
}
