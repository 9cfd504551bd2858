import { describe, expect, it } from 'vitest';
import { advance, barPosition, msUntilNextBar, phaseOf } from '../../../src/main/core/link-timing';

describe('Link timing helpers', () => {
  it('folds beats into the bar like Link, also before the origin', () => {
    expect(phaseOf(5.5, 4)).toBeCloseTo(1.5);
    expect(phaseOf(-1.25, 4)).toBeCloseTo(2.75);
    expect(phaseOf(8, 4)).toBe(0);
  });

  it('carries a reading forward at its tempo, wrapping the phase at the bar line', () => {
    // 120 BPM: 500 ms is one beat.
    expect(advance({ beat: 10.5, phase: 2.5, tempo: 120, quantum: 4 }, 1000)).toEqual({ beat: 12.5, phase: 0.5 });
  });

  it('numbers bars from 1 and beats within the bar from 1', () => {
    expect(barPosition(0.2, 0.2, 4)).toEqual({ bar: 1, beatInBar: 1, phase: 0.2 });
    expect(barPosition(13.5, 1.5, 4)).toEqual({ bar: 4, beatInBar: 2, phase: 1.5 });
    expect(barPosition(-1.5, 2.5, 4)).toEqual({ bar: 0, beatInBar: 3, phase: 2.5 });
  });

  it('gives the time to the next bar line at the session tempo', () => {
    // Beat 4 of a 4/4 bar at 120 BPM: one beat, 500 ms, to go.
    expect(msUntilNextBar(3, 4, 120)).toBe(500);
    expect(msUntilNextBar(0, 4, 120)).toBe(2000);
  });
});
