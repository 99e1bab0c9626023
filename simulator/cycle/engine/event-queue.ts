// A binary min-heap of events on typed arrays: time (s), then insertion sequence, so equal times pop in the order
// they were pushed (deterministic tie-break). Each event is (timeS, target, tag, arg): the target component index,
// a component-defined tag and one integer argument. Nothing is allocated per event; the arrays double when full.

export class EventQueue {
  private timesS: Float64Array;
  private seqs: Float64Array;
  private targets: Int32Array;
  private tags: Int32Array;
  private args: Int32Array;
  private count = 0;
  private nextSeq = 0;
  /** Fields of the event the last `pop()` returned. */
  timeS = 0;
  target = 0;
  tag = 0;
  arg = 0;

  constructor(initialCapacity = 1024) {
    const n = Math.max(16, initialCapacity);
    this.timesS = new Float64Array(n);
    this.seqs = new Float64Array(n);
    this.targets = new Int32Array(n);
    this.tags = new Int32Array(n);
    this.args = new Int32Array(n);
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
    this.nextSeq = 0;
  }

  push(timeS: number, target: number, tag: number, arg: number): void {
    if (this.count === this.timesS.length) this.grow();
    const seq = this.nextSeq++;
    // Sift up: move parents down until the slot for the new event is found.
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.timesS[parent]!;
      if (pt < timeS || (pt === timeS && this.seqs[parent]! < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    this.timesS[i] = timeS;
    this.seqs[i] = seq;
    this.targets[i] = target;
    this.tags[i] = tag;
    this.args[i] = arg;
  }

  /** Removes the earliest event into timeS/target/tag/arg; false when empty. */
  pop(): boolean {
    if (this.count === 0) return false;
    this.timeS = this.timesS[0]!;
    this.target = this.targets[0]!;
    this.tag = this.tags[0]!;
    this.arg = this.args[0]!;
    const last = --this.count;
    if (last === 0) return true;
    const t = this.timesS[last]!;
    const s = this.seqs[last]!;
    const tg = this.targets[last]!;
    const tag = this.tags[last]!;
    const arg = this.args[last]!;
    // Sift the last event down from the root.
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      const right = child + 1;
      if (right < last) {
        const ct = this.timesS[child]!;
        const rt = this.timesS[right]!;
        if (rt < ct || (rt === ct && this.seqs[right]! < this.seqs[child]!)) child = right;
      }
      const ct = this.timesS[child]!;
      if (t < ct || (t === ct && s < this.seqs[child]!)) break;
      this.move(child, i);
      i = child;
    }
    this.timesS[i] = t;
    this.seqs[i] = s;
    this.targets[i] = tg;
    this.tags[i] = tag;
    this.args[i] = arg;
    return true;
  }

  private move(from: number, to: number): void {
    this.timesS[to] = this.timesS[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.targets[to] = this.targets[from]!;
    this.tags[to] = this.tags[from]!;
    this.args[to] = this.args[from]!;
  }

  private grow(): void {
    const n = this.timesS.length * 2;
    const grow64 = (a: Float64Array): Float64Array => { const b = new Float64Array(n); b.set(a); return b; };
    const grow32 = (a: Int32Array): Int32Array => { const b = new Int32Array(n); b.set(a); return b; };
    this.timesS = grow64(this.timesS);
    this.seqs = grow64(this.seqs);
    this.targets = grow32(this.targets);
    this.tags = grow32(this.tags);
    this.args = grow32(this.args);
  }
}
