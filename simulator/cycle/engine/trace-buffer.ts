// Chrome trace-event JSON ({"traceEvents": [...]}; opens in Perfetto and chrome://tracing): "X" complete events with
// pid/tid, ts and dur in microseconds, plus "M" metadata naming processes and threads. Events keep the order they
// were added; numbers print with a fixed 3 decimals (ns resolution), so the same run gives byte-identical text.

export interface TraceArgs {
  readonly [key: string]: number | string;
}

export class TraceBuffer {
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private nameIds: Int32Array = new Int32Array(256);
  private pids: Int32Array = new Int32Array(256);
  private tids: Int32Array = new Int32Array(256);
  private startsS: Float64Array = new Float64Array(256);
  private dursS: Float64Array = new Float64Array(256);
  private readonly argsOf = new Map<number, TraceArgs>();
  private count = 0;
  private readonly processNames = new Map<number, string>();
  private readonly threadNames = new Map<string, { pid: number; tid: number; name: string }>();

  get eventCount(): number {
    return this.count;
  }

  nameProcess(pid: number, name: string): void {
    this.processNames.set(pid, name);
  }

  nameThread(pid: number, tid: number, name: string): void {
    this.threadNames.set(`${pid}:${tid}`, { pid, tid, name });
  }

  /** One complete event from `startS` lasting `durS` (seconds). */
  complete(name: string, pid: number, tid: number, startS: number, durS: number, args?: TraceArgs): void {
    if (this.count === this.pids.length) this.grow();
    let id = this.nameIndex.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, id);
    }
    const i = this.count++;
    this.nameIds[i] = id;
    this.pids[i] = pid;
    this.tids[i] = tid;
    this.startsS[i] = startS;
    this.dursS[i] = Math.max(0, durS);
    if (args !== undefined) this.argsOf.set(i, args);
  }

  toJson(): string {
    const parts: string[] = [];
    for (const pid of [...this.processNames.keys()].sort((a, b) => a - b)) {
      parts.push(`{"name":"process_name","ph":"M","pid":${pid},"tid":0,"args":{"name":${JSON.stringify(this.processNames.get(pid))}}}`);
    }
    const threads = [...this.threadNames.values()].sort((a, b) => a.pid - b.pid || a.tid - b.tid);
    for (const t of threads) {
      parts.push(`{"name":"thread_name","ph":"M","pid":${t.pid},"tid":${t.tid},"args":{"name":${JSON.stringify(t.name)}}}`);
      parts.push(`{"name":"thread_sort_index","ph":"M","pid":${t.pid},"tid":${t.tid},"args":{"sort_index":${t.tid}}}`);
    }
    for (let i = 0; i < this.count; i++) {
      const args = this.argsOf.get(i);
      const argText = args === undefined ? '' : `,"args":${formatArgs(args)}`;
      parts.push(`{"name":${JSON.stringify(this.names[this.nameIds[i]!])},"ph":"X","pid":${this.pids[i]},"tid":${this.tids[i]},`
        + `"ts":${us(this.startsS[i]!)},"dur":${us(this.dursS[i]!)}${argText}}`);
    }
    return `{"traceEvents":[\n${parts.join(',\n')}\n],"displayTimeUnit":"ns"}\n`;
  }

  private grow(): void {
    const n = this.pids.length * 2;
    const i32 = (a: Int32Array): Int32Array => { const b = new Int32Array(n); b.set(a); return b; };
    const f64 = (a: Float64Array): Float64Array => { const b = new Float64Array(n); b.set(a); return b; };
    this.nameIds = i32(this.nameIds);
    this.pids = i32(this.pids);
    this.tids = i32(this.tids);
    this.startsS = f64(this.startsS);
    this.dursS = f64(this.dursS);
  }
}

/** Seconds as microseconds with 3 decimals; never NaN/Infinity in the file. */
function us(seconds: number): string {
  const v = seconds * 1e6;
  return Number.isFinite(v) ? v.toFixed(3) : '0.000';
}

function formatArgs(args: TraceArgs): string {
  const keys = Object.keys(args).sort();
  return `{${keys.map((k) => {
    const v = args[k]!;
    return `${JSON.stringify(k)}:${typeof v === 'number' ? (Number.isFinite(v) ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : 'null') : JSON.stringify(v)}`;
  }).join(',')}}`;
}
