// A simulated component: receives events addressed to its index and keeps its own statistics.
import type { ClockDomain } from './clock-domain.ts';
import type { Simulator } from './simulator.ts';

export interface ComponentStats {
  /** Seconds the component was serving work (a channel: transferring; a pipe: computing). */
  busyS: number;
  /** Bytes the component moved. */
  bytes: number;
  /** Events addressed to it. */
  events: number;
}

export abstract class Component {
  /** Index in the simulator's component table (set by `Simulator.add`). */
  id = -1;
  readonly stats: ComponentStats = { busyS: 0, bytes: 0, events: 0 };

  constructor(readonly name: string, readonly domain?: ClockDomain) {}

  /** Handles one event: `tag` and `arg` are the component's own encoding. */
  abstract handle(sim: Simulator, tag: number, arg: number): void;

  /** Clears statistics and state before a new run. */
  reset(): void {
    this.stats.busyS = 0;
    this.stats.bytes = 0;
    this.stats.events = 0;
  }
}
