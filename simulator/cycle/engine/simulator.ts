// The discrete-event loop: a table of components and one event queue in seconds. Deterministic: events at the same
// time run in the order they were scheduled. Device models (GPU now; PIM, LUT cores, FPGA, storage later) are built
// from components that schedule events for each other.
import { GenzError } from '../../../common/errors.ts';
import type { Component } from './component.ts';
import { EventQueue } from './event-queue.ts';

export class Simulator {
  private readonly components: Component[] = [];
  private readonly queue = new EventQueue(4096);
  /** Current simulated time in seconds. */
  nowS = 0;
  /** Events handled since construction (all runs). */
  eventsHandled = 0;

  add<T extends Component>(component: T): T {
    component.id = this.components.length;
    this.components.push(component);
    return component;
  }

  /** Schedules an event `delayS` from now for component `target`. */
  schedule(delayS: number, target: number, tag: number, arg: number): void {
    if (!(delayS >= 0) || !Number.isFinite(delayS)) throw new GenzError('invalid_input', `event delay must be a finite non-negative time, found ${delayS}`);
    this.queue.push(this.nowS + delayS, target, tag, arg);
  }

  /** Schedules an event at absolute time `timeS` (not before now). */
  scheduleAt(timeS: number, target: number, tag: number, arg: number): void {
    this.queue.push(Math.max(timeS, this.nowS), target, tag, arg);
  }

  /** Runs until no event is left (or `maxEvents` were handled: a guard against models that never settle). */
  run(maxEvents = 50_000_000): number {
    const q = this.queue;
    const comps = this.components;
    let handled = 0;
    while (q.pop()) {
      this.nowS = q.timeS;
      const c = comps[q.target]!;
      c.stats.events++;
      c.handle(this, q.tag, q.arg);
      if (++handled > maxEvents) throw new Error(`simulation did not settle within ${maxEvents} events`);
    }
    this.eventsHandled += handled;
    return handled;
  }

  /** Clears time, queue and every component's state and statistics. */
  reset(): void {
    this.queue.clear();
    this.nowS = 0;
    for (const c of this.components) c.reset();
  }

  get componentList(): readonly Component[] {
    return this.components;
  }
}
