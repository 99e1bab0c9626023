// A clock domain: converts between cycles of one clock and seconds. Components of one device may sit in different
// domains (SM clock, memory clock, link clock); the event queue runs in seconds.
import { GenzError } from '../../../common/errors.ts';

export class ClockDomain {
  readonly periodS: number;

  constructor(readonly name: string, readonly clockHz: number, path: (string | number)[] = []) {
    if (!(Number.isFinite(clockHz) && clockHz > 0)) {
      throw new GenzError('invalid_input', `clock of ${name} must be a positive number of Hz, found ${clockHz}`, path);
    }
    this.periodS = 1 / clockHz;
  }

  cyclesToS(cycles: number): number {
    return cycles * this.periodS;
  }

  sToCycles(seconds: number): number {
    return seconds * this.clockHz;
  }
}
