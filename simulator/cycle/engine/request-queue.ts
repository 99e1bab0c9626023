// A FIFO of pending requests (a port's queue) on typed arrays: bytes plus the (target, tag, arg) to reply to.
// Grows by doubling; no allocation per request.

export class RequestQueue {
  private bytes: Float64Array;
  private targets: Int32Array;
  private tags: Int32Array;
  private args: Int32Array;
  private head = 0;
  private count = 0;
  /** Fields of the request the last `shift()` returned. */
  outBytes = 0;
  outTarget = 0;
  outTag = 0;
  outArg = 0;

  constructor(initialCapacity = 64) {
    const n = Math.max(4, initialCapacity);
    this.bytes = new Float64Array(n);
    this.targets = new Int32Array(n);
    this.tags = new Int32Array(n);
    this.args = new Int32Array(n);
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  push(bytes: number, target: number, tag: number, arg: number): void {
    if (this.count === this.bytes.length) this.grow();
    const i = (this.head + this.count) % this.bytes.length;
    this.bytes[i] = bytes;
    this.targets[i] = target;
    this.tags[i] = tag;
    this.args[i] = arg;
    this.count++;
  }

  shift(): boolean {
    if (this.count === 0) return false;
    const i = this.head;
    this.outBytes = this.bytes[i]!;
    this.outTarget = this.targets[i]!;
    this.outTag = this.tags[i]!;
    this.outArg = this.args[i]!;
    this.head = (this.head + 1) % this.bytes.length;
    this.count--;
    return true;
  }

  private grow(): void {
    const n = this.bytes.length * 2;
    const order = (a: Float64Array | Int32Array, b: Float64Array | Int32Array): void => {
      for (let j = 0; j < this.count; j++) b[j] = a[(this.head + j) % a.length]!;
    };
    const bytes = new Float64Array(n);
    const targets = new Int32Array(n);
    const tags = new Int32Array(n);
    const args = new Int32Array(n);
    order(this.bytes, bytes);
    order(this.targets, targets);
    order(this.tags, tags);
    order(this.args, args);
    this.bytes = bytes;
    this.targets = targets;
    this.tags = tags;
    this.args = args;
    this.head = 0;
  }
}
