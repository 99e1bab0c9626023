// Collectives as ring steps over the group's link, one event per step on a latency/bandwidth channel: all-reduce
// = 2(n−1) steps of bytes/n (reduce-scatter then all-gather), all-gather = n−1 steps of the device's shard,
// reduce-scatter and all-to-all = n−1 steps of bytes/n, p2p = one step; a switch that reduces in the network
// (NVLS) is one send up and one receive down of the whole buffer.
import type { CollectiveOp } from '../../../models/ops.ts';
import type { Network } from '../../../hardware/system-schema.ts';
import { Channel } from '../engine/channel.ts';
import { Simulator } from '../engine/simulator.ts';
import { Component } from '../engine/component.ts';

export interface CollectiveRun {
  timeS: number;
  events: number;
  /** Start and duration of each step, for the trace. */
  stepStartS: Float64Array;
  stepDurS: Float64Array;
}

const STEP_DONE = 1;

class Ring extends Component {
  step = 0;
  private startedS = 0;
  constructor(private readonly link: Channel, private readonly chunks: Float64Array, readonly starts: Float64Array, readonly durs: Float64Array) {
    super('ring');
  }
  next(sim: Simulator): void {
    if (this.step >= this.chunks.length) return;
    this.startedS = sim.nowS;
    this.starts[this.step] = sim.nowS;
    this.link.request(sim, this.chunks[this.step]!, this.id, STEP_DONE, this.step);
  }
  handle(sim: Simulator): void {
    this.durs[this.step] = sim.nowS - this.startedS;
    this.step++;
    this.next(sim);
  }
}

function ringChunks(op: CollectiveOp, inNetworkReduction: boolean): Float64Array {
  const n = op.groupSize;
  if (n <= 1 && op.collective !== 'p2p') return new Float64Array(0);
  switch (op.collective) {
    case 'all-reduce':
      if (inNetworkReduction) return new Float64Array([op.bytes, op.bytes]);
      return new Float64Array(2 * (n - 1)).fill(op.bytes / n);
    case 'all-gather':
      return new Float64Array(n - 1).fill(op.bytes);
    case 'reduce-scatter':
    case 'all-to-all':
      return new Float64Array(n - 1).fill(op.bytes / n);
    case 'p2p':
      return new Float64Array([op.bytes]);
  }
}

export function runCollective(op: CollectiveOp, link: Network): CollectiveRun {
  const chunks = ringChunks(op, link.inNetworkReduction === true);
  const sim = new Simulator();
  const channel = sim.add(new Channel(`link ${op.group}`, link.bandwidthBytesPerS, link.latencyS, 1, undefined, ['hardware', 'scaleUp']));
  const ring = sim.add(new Ring(channel, chunks, new Float64Array(chunks.length), new Float64Array(chunks.length)));
  ring.next(sim);
  const events = sim.run();
  return { timeS: sim.nowS, events, stepStartS: ring.starts, stepDurS: ring.durs };
}
