import { describe, expect, it } from 'vitest';
import { LoudnessMeter, type LoudnessMeasurement } from '../../src/dsp/loudness';
import { channelWeights } from '../../src/dsp/channel-weights';
import { fadeEdges, prng, sineAtPhase, sineSegments, syntheticProgramme, type Segment, type Signal } from '../support/ebu-signals';
import { referenceMeasure } from '../support/reference-meter';

function measure(signal: Signal, options: { chunk?: number; series?: boolean } = {}): LoudnessMeasurement {
  const meter = new LoudnessMeter({ sampleRate: signal.sampleRate, channels: signal.channels.length, series: options.series });
  feed(meter, signal, options.chunk ?? 8192);
  return meter.finish();
}

function feed(meter: LoudnessMeter, signal: Signal, chunk: number, from = 0, to = signal.channels[0].length): void {
  for (let start = from; start < to; start += chunk) {
    const n = Math.min(chunk, to - start);
    meter.process(signal.channels.map((x) => x.subarray(start, start + n)), n);
  }
}

const RATES = [44100, 48000, 96000];
const tone = (seconds: number, levelDb: number | null): Segment => ({ seconds, levelDb });

describe('EBU Tech 3341 minimal requirements (generated at 48 kHz; subset at 44.1 and 96 kHz)', () => {
  describe.each(RATES)('%i Hz', (rate) => {
    it('case 1: −23 dBFS 1 kHz stereo reads M, S, I = −23.0', () => {
      const r = measure(sineSegments(rate, [tone(20, -23)]), { series: true });
      expect(r.integrated).toBeCloseTo(-23, 1);
      expect(Math.abs(r.momentaryMax + 23)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(r.shortTermMax + 23)).toBeLessThanOrEqual(0.1);
      for (const [, m] of r.momentarySeries!) expect(Math.abs(m + 23)).toBeLessThanOrEqual(0.1);
      for (const [, s] of r.shortTermSeries!) expect(Math.abs(s + 23)).toBeLessThanOrEqual(0.1);
    });

    it('case 2: −33 dBFS reads −33.0', () => {
      const r = measure(sineSegments(rate, [tone(20, -33)]));
      expect(Math.abs(r.integrated! + 33)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(r.momentaryMax + 33)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(r.shortTermMax + 33)).toBeLessThanOrEqual(0.1);
    });

    it('case 3: −36/−23/−36 dBFS gives I = −23.0 (relative gate)', () => {
      const r = measure(sineSegments(rate, [tone(10, -36), tone(60, -23), tone(10, -36)]));
      expect(Math.abs(r.integrated! + 23)).toBeLessThanOrEqual(0.1);
    });

    it('case 5: −26/−20/−26 dBFS gives I = −23.0', () => {
      const r = measure(sineSegments(rate, [tone(20, -26), tone(20.1, -20), tone(20, -26)]));
      expect(Math.abs(r.integrated! + 23)).toBeLessThanOrEqual(0.1);
    });

    it('case 6: 5.0 channels (L R C Ls Rs at −28 −28 −24 −30 −30 dBFS) give I = −23.0', () => {
      const signal = sineSegments(rate, [tone(20, 0)], { channelLevelsDb: [-28, -28, -24, -30, -30] });
      expect(Math.abs(measure(signal).integrated! + 23)).toBeLessThanOrEqual(0.1);
    });
  });

  it('case 4: −72/−36/−23/−36/−72 dBFS gives I = −23.0 (absolute and relative gates)', () => {
    const r = measure(sineSegments(48000, [tone(10, -72), tone(10, -36), tone(60, -23), tone(10, -36), tone(10, -72)]));
    expect(Math.abs(r.integrated! + 23)).toBeLessThanOrEqual(0.1);
  });

  it('case 6 as 5.1 with LFE: the LFE channel is excluded', () => {
    const signal = sineSegments(48000, [tone(20, 0)], { channelLevelsDb: [-28, -28, -24, 0, -30, -30] });
    expect(Math.abs(measure(signal).integrated! + 23)).toBeLessThanOrEqual(0.1);
  });

  it('cases 7 and 8 (authentic programme, not redistributable): synthetic programme matches a brute-force reference', () => {
    for (const seed of [7, 8]) {
      const signal = syntheticProgramme(48000, 40, seed);
      const r = measure(signal);
      const ref = referenceMeasure(signal.channels, 48000, [1, 1]);
      expect(Math.abs(r.integrated! - ref.integrated)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(r.lra - ref.lra)).toBeLessThanOrEqual(0.05);
      expect(Math.abs(r.momentaryMax - ref.momentaryMax)).toBeLessThanOrEqual(0.001);
      expect(Math.abs(r.shortTermMax - ref.shortTermMax)).toBeLessThanOrEqual(0.001);
    }
  });

  it('case 9: 1.34 s at −20 / 1.66 s at −30 dBFS keeps S at −23.0 after 3 s', () => {
    const segments: Segment[] = [];
    for (let i = 0; i < 7; i++) segments.push(tone(1.34, -20), tone(1.66, -30));
    const r = measure(sineSegments(48000, segments), { series: true });
    for (const [t, s] of r.shortTermSeries!) if (t >= 3) expect(Math.abs(s + 23)).toBeLessThanOrEqual(0.1);
  });

  it('case 10: a 3 s burst at shifted offsets reads max S = −23.0 in all 20 variants', () => {
    for (let k = 0; k < 20; k++) {
      const r = measure(sineSegments(48000, [tone(1 + k * 0.0047, null), tone(3, -23), tone(1, null)]));
      expect(Math.abs(r.shortTermMax + 23)).toBeLessThanOrEqual(0.1);
    }
  });

  it('case 11: twenty 3 s bursts from −38 to −19 dBFS read max S −38 … −19 per 6 s segment', () => {
    const rate = 48000;
    const segments: Segment[] = [];
    for (let i = 0; i < 20; i++) {
      const offset = (i * 0.137) % 1;
      segments.push(tone(offset, null), tone(3, -38 + i), tone(3 - offset, null));
    }
    const signal = sineSegments(rate, segments);
    const meter = new LoudnessMeter({ sampleRate: rate, channels: 2 });
    for (let i = 0; i < 20; i++) {
      feed(meter, signal, 4000, i * 6 * rate, (i + 1) * 6 * rate);
      const max = meter.blocks.takeMaxima().shortTermEnergy;
      expect(Math.abs(-0.691 + 10 * Math.log10(max) - (-38 + i))).toBeLessThanOrEqual(0.1);
    }
  });

  it('case 12: 0.18 s at −20 / 0.22 s at −30 dBFS keeps M at −23.0 after 1 s', () => {
    const segments: Segment[] = [];
    for (let i = 0; i < 25; i++) segments.push(tone(0.18, -20), tone(0.22, -30));
    const r = measure(sineSegments(48000, segments), { series: true });
    for (const [t, m] of r.momentarySeries!) if (t >= 1) expect(Math.abs(m + 23)).toBeLessThanOrEqual(0.1);
  });

  describe('case 13: a 400 ms burst at shifted offsets', () => {
    const variants = Array.from({ length: 20 }, (_, k) => k);
    const results = variants.map((k) => {
      const signal = sineSegments(48000, [tone(1 + k * 0.0047, null), tone(0.4, -23), tone(1, null)]);
      const meter = new LoudnessMeter({ sampleRate: 48000, channels: 2 });
      feed(meter, signal, 1024);
      return { exact: meter.finish().momentaryMax, everyBlock: meter.stats.snapshot().momentaryMax };
    });

    it('reads max M = −23.0 in all 20 variants (windows evaluated at every sample)', () => {
      for (const r of results) expect(Math.abs(r.exact + 23)).toBeLessThanOrEqual(0.1);
    });

    it('would fail most variants if M were only evaluated every 100 ms (the test can fail)', () => {
      const failures = results.filter((r) => Math.abs(r.everyBlock + 23) > 0.1).length;
      expect(failures).toBeGreaterThanOrEqual(14);
    });
  });

  it('case 13 at 44.1 and 96 kHz', () => {
    for (const rate of [44100, 96000]) {
      for (const k of [3, 11, 17]) {
        const r = measure(sineSegments(rate, [tone(1 + k * 0.0047, null), tone(0.4, -23), tone(1, null)]));
        expect(Math.abs(r.momentaryMax + 23)).toBeLessThanOrEqual(0.1);
      }
    }
  });

  it('case 14: twenty 400 ms bursts from −38 to −19 dBFS read max M −38 … −19 per 800 ms segment', () => {
    const rate = 48000;
    const segments: Segment[] = [];
    for (let i = 0; i < 20; i++) {
      const offset = 0.0131 * i;
      segments.push(tone(offset, null), tone(0.4, -38 + i), tone(0.4 - offset, null));
    }
    const signal = sineSegments(rate, segments);
    const meter = new LoudnessMeter({ sampleRate: rate, channels: 2 });
    let start = 0;
    for (let i = 0; i < 20; i++) {
      const end = Math.round((i + 1) * 0.8 * rate);
      feed(meter, signal, 480, start, end);
      start = end;
      const max = meter.blocks.takeMaxima().momentaryEnergy;
      expect(Math.abs(-0.691 + 10 * Math.log10(max) - (-38 + i))).toBeLessThanOrEqual(0.1);
    }
  });

  describe.each(RATES)('true peak at %i Hz (+0.2 / −0.4 dB)', (rate) => {
    const cases: [string, number, number, number, number][] = [
      ['case 15: fs/4, 0.5 FS, 0°', rate / 4, 0.5, 0, -6.02],
      ['case 16: fs/4, 0.5 FS, 45°', rate / 4, 0.5, 45, -6.02],
      ['case 17: fs/6, 0.5 FS, 60°', rate / 6, 0.5, 60, -6.02],
      ['case 18: fs/8, 0.5 FS, 67.5°', rate / 8, 0.5, 67.5, -6.02],
      ['case 19: fs/4, 1.41 FS, 45°', rate / 4, Math.SQRT2, 45, 3.01],
    ];
    it.each(cases)('%s', (_name, freq, amplitude, phase, expected) => {
      const r = measure(sineAtPhase(rate, 1, freq, amplitude, phase));
      expect(r.truePeak - expected).toBeLessThanOrEqual(0.2);
      expect(r.truePeak - expected).toBeGreaterThanOrEqual(-0.4);
    });
  });

  describe('true peak, cases 20–23: band-limited signals with a 0 dBTP inter-sample peak', () => {
    const rate = 48000;
    const length = rate;
    /** Samples a continuous band-limited signal and scales it so its continuous peak is exactly 1. */
    function normalised(fn: (t: number) => number): Signal {
      let peak = 0;
      for (let i = 0; i < length * 64; i++) peak = Math.max(peak, Math.abs(fn(i / 64 / rate)));
      const x = new Float32Array(length);
      for (let i = 0; i < length; i++) x[i] = fn(i / rate) / peak;
      fadeEdges(x, rate);
      return { sampleRate: rate, channels: [x, x.slice()] };
    }
    const signals: [string, Signal][] = [
      ['20: fs/4 at 45° plus a 100 Hz tone', normalised((t) => Math.sin(2 * Math.PI * 12000 * t + Math.PI / 4) + 0.5 * Math.sin(2 * Math.PI * 100 * t))],
      ['21: a band-limited pulse between samples', normalised((t) => {
        const u = (t - 0.5) * rate * 0.9 + 0.37;
        const window = Math.abs(t - 0.5) < 0.01 ? Math.cos((Math.PI * (t - 0.5)) / 0.02) ** 2 : 0;
        return u === 0 ? window : (window * Math.sin(Math.PI * u)) / (Math.PI * u);
      })],
      ['22: a band-limited square wave (Gibbs overshoot)', normalised((t) => {
        let v = 0;
        for (let h = 1; h * 997 < 20000; h += 2) v += Math.sin(2 * Math.PI * 997 * h * t) / h;
        return v;
      })],
      ['23: a 19 kHz tone at an awkward phase', normalised((t) => Math.sin(2 * Math.PI * 19000 * t + 1.1))],
    ];
    it.each(signals)('case %s reads 0.0 dBTP', (_name, signal) => {
      const r = measure(signal);
      expect(r.truePeak).toBeLessThanOrEqual(0.2);
      expect(r.truePeak).toBeGreaterThanOrEqual(-0.4);
      expect(r.truePeak).toBeGreaterThanOrEqual(r.samplePeak);
    });
  });
});

describe('EBU Tech 3342 loudness range (±1 LU)', () => {
  const cases: [string, Segment[], number][] = [
    ['case 1: −20 then −30 dBFS', [tone(20, -20), tone(20, -30)], 10],
    ['case 2: −20 then −15 dBFS', [tone(20, -20), tone(20, -15)], 5],
    ['case 3: −40 then −20 dBFS', [tone(20, -40), tone(20, -20)], 20],
    ['case 4: −50/−35/−20/−35/−50 dBFS', [tone(20, -50), tone(20, -35), tone(20, -20), tone(20, -35), tone(20, -50)], 15],
  ];
  describe.each([48000, 44100, 96000])('%i Hz', (rate) => {
    it.each(cases)('%s', (_name, segments, expected) => {
      expect(Math.abs(measure(sineSegments(rate, segments)).lra - expected)).toBeLessThanOrEqual(1);
    });
  });

  it('cases 5 and 6 (authentic programme): synthetic programme LRA matches a brute-force reference within 0.05 LU', () => {
    for (const seed of [5, 6]) {
      const signal = syntheticProgramme(48000, 60, seed);
      const ref = referenceMeasure(signal.channels, 48000, [1, 1]);
      expect(ref.lra).toBeGreaterThan(3);
      expect(Math.abs(measure(signal).lra - ref.lra)).toBeLessThanOrEqual(0.05);
    }
  });
});

describe('streaming', () => {
  it('one block and random-size chunks give identical results', () => {
    const signal = syntheticProgramme(44100, 12, 42);
    const whole = measure(signal, { chunk: signal.channels[0].length, series: true });
    const random = prng(3);
    const meter = new LoudnessMeter({ sampleRate: 44100, channels: 2, series: true });
    for (let start = 0; start < signal.channels[0].length; ) {
      const n = Math.min(1 + Math.floor(random() * 9000), signal.channels[0].length - start);
      meter.process(signal.channels.map((x) => x.subarray(start, start + n)), n);
      start += n;
    }
    expect(meter.finish()).toEqual(whole);
  });

  it('silence has no integrated loudness and −Infinity peaks', () => {
    const r = measure({ sampleRate: 48000, channels: [new Float32Array(48000 * 5), new Float32Array(48000 * 5)] });
    expect(r.integrated).toBeNull();
    expect(r.truePeak).toBe(-Infinity);
    expect(r.lra).toBe(0);
  });

  it('audio under 400 ms has peaks but no integrated loudness', () => {
    const r = measure(sineSegments(48000, [tone(0.3, -10)]));
    expect(r.integrated).toBeNull();
    expect(r.samplePeak).toBeCloseTo(-10, 1);
  });

  it('true peak is never below the sample peak and tracks a full-scale burst at the very end', () => {
    const x = new Float32Array(48000);
    x[x.length - 1] = 1;
    const r = measure({ sampleRate: 48000, channels: [x] });
    expect(r.samplePeak).toBe(0);
    expect(r.truePeak).toBeGreaterThanOrEqual(0);
  });

  it.each([[176400, 2], [192000, 1]])('measures at %i Hz (true peak oversampled %i×)', (rate) => {
    const r = measure(sineSegments(rate, [tone(5, -20)]));
    expect(Math.abs(r.integrated! + 20)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(r.truePeak + 20)).toBeLessThanOrEqual(0.05);
  });

  it('rejects a channel count mismatch with a clear message', () => {
    const meter = new LoudnessMeter({ sampleRate: 48000, channels: 2 });
    expect(() => meter.process([new Float32Array(10)], 10)).toThrow(/1 input channels, expected 2/);
  });

  it('mono weights one channel', () => {
    expect(Array.from(channelWeights(1))).toEqual([1]);
    const r = measure(sineSegments(48000, [tone(10, -20)], { channels: 1 }));
    // A mono −20 dBFS sine is 3 dB below the same sine on two channels.
    expect(Math.abs(r.integrated! + 23)).toBeLessThanOrEqual(0.1);
  });
});
