// A trace of everything a cycle backend simulated, on one timeline: ops one after another in call order, each op's
// kernels (launch, then the grid), every traced CTA on its SM slot, collective ring steps on the link track.
// Export with toJson(): Chrome trace-event JSON that opens in Perfetto (ui.perfetto.dev) and chrome://tracing.
import { TraceBuffer } from './engine/trace-buffer.ts';
import type { OpSimulation } from './gpu/gpu-model.ts';

const TID_OPS = 0;
const TID_KERNELS = 1;
const TID_LINK = 2;
const TID_SLOT0 = 16;

export class CycleTrace {
  private readonly buffer = new TraceBuffer();
  private readonly pids = new Map<string, number>();
  private readonly slotsNamed = new Set<string>();
  private cursorS = 0;

  /** Trace events written so far (metadata excluded). */
  get eventCount(): number {
    return this.buffer.eventCount;
  }

  /** Simulated time covered so far, in seconds. */
  get timeS(): number {
    return this.cursorS;
  }

  /** Appends one op at the end of the timeline and advances it by the op's latency. */
  append(deviceId: string, smCount: number, opName: string, opKind: string, sim: OpSimulation, latencyS: number): void {
    const pid = this.pidOf(deviceId);
    const b = this.buffer;
    const t0 = this.cursorS;
    b.complete(opName, pid, TID_OPS, t0, latencyS, { kind: opKind });
    let t = t0;
    for (const k of sim.kernels) {
      b.complete('launch', pid, TID_KERNELS, t, k.launchS);
      const start = t + k.launchS;
      b.complete(k.name, pid, TID_KERNELS, start, k.run.makespanS, { grid: k.detail, dramBytes: k.run.dramBytes, l2Bytes: k.run.l2Bytes });
      const r = k.run;
      for (let c = 0; c < r.ctaStartS.length; c++) {
        const slot = r.ctaSm[c]!;
        const tid = TID_SLOT0 + slot;
        const key = `${pid}:${slot}`;
        if (!this.slotsNamed.has(key)) {
          this.slotsNamed.add(key);
          b.nameThread(pid, tid, `SM ${slot % smCount} slot ${Math.floor(slot / smCount)}`);
        }
        b.complete(`${k.name} CTA`, pid, tid, start + r.ctaStartS[c]!, r.ctaEndS[c]! - r.ctaStartS[c]!, { cta: c });
      }
      t = start + k.run.makespanS;
    }
    if (sim.link) {
      const l = sim.link;
      const linkStart = t0 + (sim.kernels[0]?.launchS ?? 0);
      for (let s = 0; s < l.stepStartS.length; s++) b.complete(`${opName} step ${s}`, pid, TID_LINK, linkStart + l.stepStartS[s]!, l.stepDurS[s]!);
    }
    this.cursorS = t0 + latencyS;
  }

  toJson(): string {
    return this.buffer.toJson();
  }

  private pidOf(deviceId: string): number {
    let pid = this.pids.get(deviceId);
    if (pid === undefined) {
      pid = this.pids.size + 1;
      this.pids.set(deviceId, pid);
      this.buffer.nameProcess(pid, `${deviceId} (genz cycle engine)`);
      this.buffer.nameThread(pid, TID_OPS, 'ops');
      this.buffer.nameThread(pid, TID_KERNELS, 'kernels');
      this.buffer.nameThread(pid, TID_LINK, 'link');
    }
    return pid;
  }
}
