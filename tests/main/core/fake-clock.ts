import type { Clock } from '../../../src/main/core/clock';

/** A clock that moves only when the test says so; timers fire in time order as it passes them. */
export class FakeClock implements Clock {
  private time = 1_000_000;
  private timers: { at: number; every: number | null; fire: () => void }[] = [];

  now(): number {
    return this.time;
  }

  every(ms: number, tick: () => void): () => void {
    const timer = { at: this.time + ms, every: ms, fire: tick };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  }

  after(ms: number, fire: () => void): () => void {
    const timer = { at: this.time + ms, every: null, fire };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.time = next.at;
      if (next.every === null) this.timers = this.timers.filter((t) => t !== next);
      else next.at += next.every;
      next.fire();
    }
    this.time = end;
  }
}
