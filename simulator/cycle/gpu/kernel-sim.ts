// Runs one kernel on the GPU model, event by event at thread-block and main-loop-step granularity:
// - a block scheduler fills `ctasPerSm` slots on every SM, breadth-first over SMs, and refills a slot when its CTA
//   retires (waves and their tails fall out of this, nothing is assumed about them);
// - each CTA keeps `stages` step loads in flight; a load's L2 misses cross the DRAM channel (bandwidth, latency,
//   bounded in-flight requests), then the whole load crosses the L2 channel;
// - a step's math runs when its data is in: the SM's MMA pipe and shared-memory port overlap, the vector work
//   follows; CTAs on one SM share it first come first served; a per-step sync latency holds only its own CTA;
// - the epilogue converts and writes the output tile: through L2, and back to DRAM as posted writes;
// - a streaming kernel (spec.rounds) runs dependent rounds instead: each round's loads (DRAM misses, or L2 hits for a
//   re-read) must arrive before its math, its stores are posted, and only then does the next round load. With the
//   DRAM latency this bounds each SM's outstanding bytes by its resident CTAs × bytes per round: Little's law
//   (bandwidth ≤ bytes in flight / latency) is not assumed, it falls out of the events.
import type { Simulator as SimulatorType } from '../engine/simulator.ts';
import { Simulator } from '../engine/simulator.ts';
import { Channel } from '../engine/channel.ts';
import { Component } from '../engine/component.ts';
import type { GpuParams } from './gpu-params.ts';
import type { KernelSpec } from './kernel-spec.ts';

/** CTAs whose start and end are kept for the trace. */
export const TRACE_CTA_LIMIT = 2048;

export interface KernelRun {
  /** First dispatch to the last CTA retired and DRAM drained (launch not included). */
  makespanS: number;
  /** MMA/shared-memory and vector pipe busy seconds, summed over SMs. */
  mathBusyS: number;
  dramBytes: number;
  l2Bytes: number;
  dramBusyS: number;
  l2BusyS: number;
  events: number;
  /** Start, end and slot (SM = slot mod SMs) of the first TRACE_CTA_LIMIT CTAs. */
  ctaStartS: Float64Array;
  ctaEndS: Float64Array;
  ctaSm: Int32Array;
}

const START = 1;
const DRAM_DONE = 2;
const LOAD_DONE = 3;
const COMPUTE_DONE = 4;
const EPI_WRITE = 5;
const EPI_DONE = 6;
const SINK = 7;

class KernelSim extends Component {
  readonly slots: number;
  private readonly cta: Int32Array;
  private readonly total: Int32Array;
  private readonly issued: Int32Array;
  private readonly dramDone: Int32Array;
  private readonly loaded: Int32Array;
  private readonly computed: Int32Array;
  private readonly busy: Uint8Array;
  private readonly smFreeAtS: Float64Array;
  private nextCta = 0;
  lastDoneS = 0;
  mathBusyS = 0;
  readonly ctaStartS: Float64Array;
  readonly ctaEndS: Float64Array;
  readonly ctaSm: Int32Array;

  constructor(private readonly p: GpuParams, private readonly k: KernelSpec, private readonly dram: Channel, private readonly l2: Channel) {
    super(k.name, p.clock);
    this.slots = Math.min(k.ctas, p.smCount * k.ctasPerSm);
    const n = this.slots;
    this.cta = new Int32Array(n).fill(-1);
    this.total = new Int32Array(n);
    this.issued = new Int32Array(n);
    this.dramDone = new Int32Array(n);
    this.loaded = new Int32Array(n);
    this.computed = new Int32Array(n);
    this.busy = new Uint8Array(n);
    this.smFreeAtS = new Float64Array(p.smCount);
    const traced = Math.min(k.ctas, TRACE_CTA_LIMIT);
    this.ctaStartS = new Float64Array(traced);
    this.ctaEndS = new Float64Array(traced);
    this.ctaSm = new Int32Array(traced);
  }

  begin(sim: SimulatorType): void {
    for (let s = 0; s < this.slots; s++) this.assign(sim, s);
  }

  private assign(sim: SimulatorType, slot: number): void {
    if (this.nextCta >= this.k.ctas) return;
    const c = this.nextCta++;
    this.cta[slot] = c;
    this.total[slot] = this.k.stepsOf ? this.k.stepsOf[c]! : this.k.steps;
    this.issued[slot] = 0;
    this.dramDone[slot] = 0;
    this.loaded[slot] = 0;
    this.computed[slot] = 0;
    this.busy[slot] = 0;
    sim.schedule(this.p.ctaLaunchS, this.id, START, slot);
  }

  private loadBytes(step: number): number {
    const rounds = this.k.rounds;
    if (rounds !== undefined) return rounds[step % rounds.length]!.loadBytes;
    const first = this.k.firstLoadFraction ?? 1;
    if (step === 0) return this.k.stepLoadBytes * first + this.k.prologueLoadBytes;
    if (step === 1) return this.k.stepLoadBytes * (2 - first);
    return this.k.stepLoadBytes;
  }

  private issueLoad(sim: SimulatorType, slot: number): void {
    const step = this.issued[slot]!++;
    const bytes = this.loadBytes(step);
    // A prologue load (a Q tile) is the CTA's own data: it always misses; step loads miss by the reuse model.
    const prologue = step === 0 ? this.k.prologueLoadBytes : 0;
    const rounds = this.k.rounds;
    const fraction = rounds === undefined ? this.k.dramReadFraction : rounds[step % rounds.length]!.dramReadFraction;
    const miss = (bytes - prologue) * fraction + prologue;
    if (miss > 0) this.dram.request(sim, miss, this.id, DRAM_DONE, slot);
    else this.l2.request(sim, bytes, this.id, LOAD_DONE, slot);
  }

  private tryCompute(sim: SimulatorType, slot: number): void {
    if (this.busy[slot] === 1 || this.loaded[slot]! <= this.computed[slot]!) return;
    this.busy[slot] = 1;
    const sm = slot % this.p.smCount;
    const rounds = this.k.rounds;
    const serviceS = rounds === undefined ? Math.max(this.k.stepMmaS, this.k.stepSmemS) + this.k.stepVectorS
      : rounds[this.computed[slot]! % rounds.length]!.vectorS;
    const startS = Math.max(sim.nowS, this.smFreeAtS[sm]!);
    this.smFreeAtS[sm] = startS + serviceS;
    this.mathBusyS += serviceS;
    sim.scheduleAt(startS + serviceS + this.k.stepOverheadS, this.id, COMPUTE_DONE, slot);
  }

  handle(sim: SimulatorType, tag: number, slot: number): void {
    switch (tag) {
      case START: {
        const c = this.cta[slot]!;
        if (c < this.ctaStartS.length) { this.ctaStartS[c] = sim.nowS; this.ctaSm[c] = slot; }
        const first = Math.min(this.total[slot]!, Math.max(1, this.k.stages));
        for (let i = 0; i < first; i++) this.issueLoad(sim, slot);
        return;
      }
      case DRAM_DONE: {
        // With rounds (stages = 1) the load in flight is the last one issued.
        const step = this.k.rounds === undefined ? this.dramDone[slot]!++ : this.issued[slot]! - 1;
        this.l2.request(sim, this.loadBytes(step), this.id, LOAD_DONE, slot);
        return;
      }
      case LOAD_DONE:
        this.loaded[slot]!++;
        this.tryCompute(sim, slot);
        return;
      case COMPUTE_DONE: {
        this.busy[slot] = 0;
        const rounds = this.k.rounds;
        if (rounds !== undefined) {
          const store = rounds[this.computed[slot]! % rounds.length]!.storeBytes;
          if (store > 0) {
            this.dram.request(sim, store, this.id, SINK, slot);
            this.l2.request(sim, store, this.id, SINK, slot);
          }
        }
        const done = ++this.computed[slot]!;
        if (this.issued[slot]! < this.total[slot]!) this.issueLoad(sim, slot);
        if (done < this.total[slot]!) {
          this.tryCompute(sim, slot);
          return;
        }
        const sm = slot % this.p.smCount;
        const startS = Math.max(sim.nowS, this.smFreeAtS[sm]!);
        this.smFreeAtS[sm] = startS + this.k.epilogueVectorS;
        this.mathBusyS += this.k.epilogueVectorS;
        sim.scheduleAt(startS + this.k.epilogueVectorS, this.id, EPI_WRITE, slot);
        return;
      }
      case EPI_WRITE:
        if (this.k.epilogueDramBytes > 0) this.dram.request(sim, this.k.epilogueDramBytes, this.id, SINK, slot);
        if (this.k.epilogueL2Bytes > 0) this.l2.request(sim, this.k.epilogueL2Bytes, this.id, EPI_DONE, slot);
        else sim.schedule(0, this.id, EPI_DONE, slot);
        return;
      case EPI_DONE: {
        const c = this.cta[slot]!;
        if (c < this.ctaEndS.length) this.ctaEndS[c] = sim.nowS;
        this.lastDoneS = Math.max(this.lastDoneS, sim.nowS);
        this.cta[slot] = -1;
        this.assign(sim, slot);
        return;
      }
      case SINK:
        this.lastDoneS = Math.max(this.lastDoneS, sim.nowS);
        return;
    }
  }
}

export function runKernel(p: GpuParams, spec: KernelSpec): KernelRun {
  const sim = new Simulator();
  const inFlight = p.smCount * 64;
  const dram = sim.add(new Channel('DRAM', p.dramBandwidthBytesPerS, p.dramLatencyS, inFlight, p.clock));
  const l2 = sim.add(new Channel('L2', p.l2BandwidthBytesPerS, p.l2HitLatencyS, inFlight, p.clock));
  const kernel = sim.add(new KernelSim(p, spec, dram, l2));
  kernel.begin(sim);
  const events = sim.run();
  const makespanS = Math.max(kernel.lastDoneS, dram.busyUntilS, l2.busyUntilS);
  return {
    makespanS, mathBusyS: kernel.mathBusyS, dramBytes: dram.stats.bytes, l2Bytes: l2.stats.bytes,
    dramBusyS: dram.stats.busyS, l2BusyS: l2.stats.busyS, events,
    ctaStartS: kernel.ctaStartS, ctaEndS: kernel.ctaEndS, ctaSm: kernel.ctaSm,
  };
}
