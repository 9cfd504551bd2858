/**
 * A dynamics processor's gain-reduction readout for meters: the reduction at the end of the
 * last block and the largest since the meter last read it, so a UI polling at 30 Hz still sees
 * a 1 ms limiter grab.
 */
export class GainReductionReadout {
  private last = 0;
  private peak = 0;

  /** Called once per block by the processor (dB of reduction, ≥ 0). */
  record(blockMaxDb: number, lastDb: number): void {
    this.last = lastDb;
    if (blockMaxDb > this.peak) this.peak = blockMaxDb;
  }

  /** Reduction now, in dB (0 when nothing is reduced). */
  get currentDb(): number {
    return this.last;
  }

  /** Largest reduction since the previous call, in dB; starts a new span. */
  takeMaxDb(): number {
    const peak = Math.max(this.peak, this.last);
    this.peak = 0;
    return peak;
  }

  /** Takes over `other`'s unreported peak (a recall's new path taking over from the old one). */
  absorb(other: GainReductionReadout): void {
    this.peak = Math.max(this.peak, other.peak, other.last);
    other.clear();
  }

  clear(): void {
    this.last = 0;
    this.peak = 0;
  }
}
