/** Time and timers, injected so the hub's 2.5 s and 2 s rules can be tested without waiting. */
export interface Clock {
  now(): number;
  every(ms: number, tick: () => void): () => void;
  after(ms: number, fire: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
  after(ms, fire) {
    const timer = setTimeout(fire, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
