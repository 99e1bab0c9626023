// The discrete-event core: event order and tie-breaks, channels with back-pressure, clock domains, the trace format.
import { describe, expect, it } from 'vitest';
import { Channel } from '../../../simulator/cycle/engine/channel.ts';
import { ClockDomain } from '../../../simulator/cycle/engine/clock-domain.ts';
import { Component } from '../../../simulator/cycle/engine/component.ts';
import { EventQueue } from '../../../simulator/cycle/engine/event-queue.ts';
import { Simulator } from '../../../simulator/cycle/engine/simulator.ts';
import { TraceBuffer } from '../../../simulator/cycle/engine/trace-buffer.ts';
import { expectGenzError } from '../../helpers.ts';
import { seeded } from './cycle-helpers.ts';

class Recorder extends Component {
  readonly seen: [number, number, number][] = [];
  handle(sim: Simulator, tag: number, arg: number): void {
    this.seen.push([sim.nowS, tag, arg]);
  }
}

describe('event queue', () => {
  it('pops in time order, equal times in push order, across growth', () => {
    const q = new EventQueue(16);
    const rnd = seeded(7);
    const pushed: [number, number][] = [];
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(rnd() * 50);
      q.push(t, 0, 0, i);
      pushed.push([t, i]);
    }
    const expected = [...pushed].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const got: [number, number][] = [];
    while (q.pop()) got.push([q.timeS, q.arg]);
    expect(got).toEqual(expected);
  });
});

describe('simulator and channels', () => {
  it('a channel serializes at its bandwidth and adds its latency', () => {
    const sim = new Simulator();
    const ch = sim.add(new Channel('link', 1e9, 1e-6, 8));
    const rec = sim.add(new Recorder('rec'));
    for (let i = 0; i < 3; i++) ch.request(sim, 1000, rec.id, 5, i);
    sim.run();
    expect(rec.seen.map(([t]) => t)).toEqual([2e-6, 3e-6, 4e-6].map((t) => expect.closeTo(t, 12)) as unknown as number[]);
    expect(ch.stats.bytes).toBe(3000);
    expect(ch.stats.busyS).toBeCloseTo(3e-6, 12);
  });

  it('back-pressure: with one request in flight the next waits for the previous to arrive', () => {
    const sim = new Simulator();
    const ch = sim.add(new Channel('narrow', 1e9, 1e-6, 1));
    const rec = sim.add(new Recorder('rec'));
    for (let i = 0; i < 3; i++) ch.request(sim, 1000, rec.id, 1, i);
    sim.run();
    // Each request: 1 µs transfer + 1 µs latency, and the next starts only when the previous arrived.
    expect(rec.seen.map(([t, , a]) => [Number((t * 1e6).toFixed(6)), a])).toEqual([[2, 0], [4, 1], [6, 2]]);
    expect(ch.maxWaiting).toBe(2);
  });

  it('bad channel and clock parameters are GenzErrors', () => {
    expectGenzError(() => new Channel('dram', 0, 1e-6, 1, undefined, ['hardware', 'memory']), 'invalid_input', ['hardware', 'memory']);
    expectGenzError(() => new ClockDomain('sm', -1, ['hardware', 'microarch', 'clockHz']), 'invalid_input', ['hardware', 'microarch', 'clockHz']);
    expect(new ClockDomain('sm', 2e9).cyclesToS(4)).toBe(2e-9);
  });
});

describe('trace exporter', () => {
  it('writes Chrome trace-event JSON with fixed-precision microseconds', () => {
    const t = new TraceBuffer();
    t.nameProcess(1, 'gpu');
    t.nameThread(1, 2, 'SM 0');
    t.complete('cta', 1, 2, 1.5e-6, 2.25e-6, { cta: 3 });
    const text = t.toJson();
    const parsed = JSON.parse(text) as { traceEvents: { ph: string; ts?: number; dur?: number; args?: Record<string, unknown> }[] };
    const x = parsed.traceEvents.filter((e) => e.ph === 'X');
    expect(x).toEqual([{ name: 'cta', ph: 'X', pid: 1, tid: 2, ts: 1.5, dur: 2.25, args: { cta: 3 } }]);
    expect(text).toContain('"ts":1.500,"dur":2.250');
    expect(parsed.traceEvents.filter((e) => e.ph === 'M').length).toBe(3);
  });
});
