// A bandwidth- and latency-limited channel (a DRAM channel group, an L2, a link): requests are served first come
// first served at `bandwidthBytesPerS`, then arrive `latencyS` later at the requester (one event per request). At
// most `maxInFlight` requests may be in flight; a request that finds them all busy waits in the channel's queue
// (back-pressure) until the oldest one completes. Completions leave in start order (FIFO service, fixed latency),
// so the in-flight set is a ring of completion times.
import { GenzError } from '../../../common/errors.ts';
import { Component } from './component.ts';
import type { ClockDomain } from './clock-domain.ts';
import { RequestQueue } from './request-queue.ts';
import type { Simulator } from './simulator.ts';

const WAKE = 1;

export class Channel extends Component {
  private freeAtS = 0;
  private readonly doneAtS: Float64Array;
  private doneHead = 0;
  private inFlight = 0;
  private wakeScheduled = false;
  private readonly waiting = new RequestQueue(64);
  /** Most requests that waited at once (back-pressure depth). */
  maxWaiting = 0;

  constructor(name: string, readonly bandwidthBytesPerS: number, readonly latencyS: number, readonly maxInFlight: number,
    domain?: ClockDomain, path: (string | number)[] = []) {
    super(name, domain);
    if (!(Number.isFinite(bandwidthBytesPerS) && bandwidthBytesPerS > 0)) {
      throw new GenzError('invalid_input', `${name}: bandwidth must be a positive number of bytes/s, found ${bandwidthBytesPerS}`, path);
    }
    if (!(Number.isFinite(latencyS) && latencyS >= 0)) throw new GenzError('invalid_input', `${name}: latency must be a non-negative number of seconds, found ${latencyS}`, path);
    if (!(Number.isInteger(maxInFlight) && maxInFlight >= 1)) throw new GenzError('invalid_input', `${name}: at least 1 request in flight, found ${maxInFlight}`, path);
    this.doneAtS = new Float64Array(maxInFlight);
  }

  /** Sends `bytes`; the requester gets event (replyTag, replyArg) when they have arrived. */
  request(sim: Simulator, bytes: number, replyTo: number, replyTag: number, replyArg: number): void {
    this.retire(sim.nowS);
    if (this.inFlight < this.maxInFlight && this.waiting.size === 0) {
      this.start(sim, bytes, replyTo, replyTag, replyArg);
      return;
    }
    this.waiting.push(bytes, replyTo, replyTag, replyArg);
    if (this.waiting.size > this.maxWaiting) this.maxWaiting = this.waiting.size;
    this.scheduleWake(sim);
  }

  /** Time the channel's queue drains if nothing else arrives. */
  get busyUntilS(): number {
    return this.freeAtS;
  }

  handle(sim: Simulator, tag: number): void {
    if (tag !== WAKE) return;
    this.wakeScheduled = false;
    this.retire(sim.nowS);
    while (this.inFlight < this.maxInFlight && this.waiting.shift()) {
      const w = this.waiting;
      this.start(sim, w.outBytes, w.outTarget, w.outTag, w.outArg);
    }
    if (this.waiting.size > 0) this.scheduleWake(sim);
  }

  override reset(): void {
    super.reset();
    this.freeAtS = 0;
    this.doneHead = 0;
    this.inFlight = 0;
    this.wakeScheduled = false;
    this.waiting.clear();
    this.maxWaiting = 0;
  }

  private start(sim: Simulator, bytes: number, replyTo: number, replyTag: number, replyArg: number): void {
    const serviceS = bytes / this.bandwidthBytesPerS;
    const beginS = Math.max(sim.nowS, this.freeAtS);
    this.freeAtS = beginS + serviceS;
    this.stats.busyS += serviceS;
    this.stats.bytes += bytes;
    const doneS = this.freeAtS + this.latencyS;
    this.doneAtS[(this.doneHead + this.inFlight) % this.maxInFlight] = doneS;
    this.inFlight++;
    sim.scheduleAt(doneS, replyTo, replyTag, replyArg);
  }

  private retire(nowS: number): void {
    while (this.inFlight > 0 && this.doneAtS[this.doneHead]! <= nowS) {
      this.doneHead = (this.doneHead + 1) % this.maxInFlight;
      this.inFlight--;
    }
  }

  private scheduleWake(sim: Simulator): void {
    if (this.wakeScheduled || this.inFlight === 0) return;
    this.wakeScheduled = true;
    sim.scheduleAt(this.doneAtS[this.doneHead]!, this.id, WAKE, 0);
  }
}
