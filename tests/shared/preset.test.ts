import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRESET_VERSION, defaultPreset, migratePreset, parsePreset, presetSchema, type PresetMigration } from '../../src/shared/preset';
import { presetArbitrary } from '../support/preset-arbitrary';

function problems(json: unknown): string {
  try {
    parsePreset(json);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the preset to be refused');
}

describe('defaultPreset', () => {
  it('is where a FOH engineer starts: flat EQ in the usual layout, compressor ready but off, limiter at −1 dBTP', () => {
    const preset = defaultPreset();
    expect(preset.version).toBe(PRESET_VERSION);
    expect(preset.trimDb).toBe(0);
    expect(preset.eq.map((b) => [b.type, b.freqHz, b.gainDb, b.enabled])).toEqual([
      ['highpass', 30, 0, false],
      ['lowshelf', 120, 0, true],
      ['peak', 400, 0, true],
      ['peak', 2500, 0, true],
      ['highshelf', 10000, 0, true],
    ]);
    expect(preset.compressor).toEqual({ enabled: false, thresholdDb: -12, ratio: 2, kneeDb: 6, attackMs: 10, releaseMs: 150, makeupDb: 0, stereoLink: 1 });
    expect(preset.limiter).toMatchObject({ enabled: true, ceilingDbtp: -1 });
    expect(preset.ambience).toEqual({});
    expect(preset.rampMs).toBe(50);
    expect(presetSchema.parse(preset)).toEqual(preset);
  });

  it('is a fresh object each time, parsed or made', () => {
    for (const make of [defaultPreset, () => parsePreset({ version: 1 })]) {
      const a = make();
      a.eq[2].gainDb = -6;
      a.compressor.enabled = true;
      a.ambience.Reverb = -10;
      expect(make()).toEqual(defaultPreset());
    }
  });
});

describe('parsePreset', () => {
  it('fills what a hand-written preset leaves out with the defaults', () => {
    expect(parsePreset({ version: 1 })).toEqual(defaultPreset());
    const preset = parsePreset({ version: 1, trimDb: -3.5, eq: [{}, {}, {}, { gainDb: -4 }, {}], limiter: { ceilingDbtp: -2 }, ambience: { 'A-Reverb': -12, Delay: null } });
    expect(preset.trimDb).toBe(-3.5);
    expect(preset.eq[3]).toEqual({ ...defaultPreset().eq[3], gainDb: -4 });
    expect(preset.limiter).toEqual({ ...defaultPreset().limiter, ceilingDbtp: -2 });
    expect(preset.ambience).toEqual({ 'A-Reverb': -12, Delay: null });
  });

  it('accepts every valid preset and gives it back unchanged, through JSON too', () => {
    fc.assert(
      fc.property(presetArbitrary, (preset) => {
        expect(parsePreset(preset)).toEqual(preset);
        expect(parsePreset(JSON.parse(JSON.stringify(preset)))).toEqual(preset);
      }),
      { numRuns: 200 },
    );
  });

  it('names the field, the value and the allowed range', () => {
    expect(problems({ version: 1, eq: [{}, {}, { freqHz: 25000 }, {}, {}] })).toBe('invalid preset: preset.eq[2].freqHz: 25000 is outside 20–20000 Hz');
    expect(problems({ version: 1, limiter: { ceilingDbtp: 0.5 } })).toMatch(/preset\.limiter\.ceilingDbtp: 0\.5 is outside -20 to 0 dBTP/);
    expect(problems({ version: 1, compressor: { ratio: 0.5 } })).toMatch(/preset\.compressor\.ratio: 0\.5 is outside 1–20:1/);
    expect(problems({ version: 1, rampMs: 5 })).toMatch(/preset\.rampMs: 5 is outside 20–2000 ms/);
    expect(problems({ version: 1, eq: [{ slope: 18 }, {}, {}, {}, {}] })).toMatch(/preset\.eq\[0\]\.slope: 18 is not 12 or 24 dB\/oct/);
    expect(problems({ version: 1, ambience: { 'A-Reverb': -80 } })).toMatch(/preset\.ambience\["A-Reverb"\]: -80 is outside -70 to 0 dB/);
  });

  it('lists every problem at once', () => {
    const message = problems({
      version: 1,
      trimDb: 'loud',
      eq: [{ type: 'bandpass' }, {}, {}, {}, { q: 0 }],
      compressor: { thresold: -20 },
      limiter: null,
      ambience: { '': 0 },
    });
    expect(message.split('\n')[0]).toBe('invalid preset (6 problems):');
    for (const line of [
      'preset.trimDb: "loud" is not a number',
      'preset.eq[0].type: "bandpass" is not one of highpass, lowshelf, peak, highshelf, lowpass',
      'preset.eq[4].q: 0 is outside 0.1–10',
      'preset.compressor.thresold: unknown field (check the spelling)',
      'preset.limiter: null is not an object',
      'preset.ambience[""]: "" is not a return track name (1–128 characters)',
    ]) {
      expect(message).toContain(line);
    }
  });

  it('needs exactly five EQ bands', () => {
    expect(problems({ version: 1, eq: [{}, {}, {}, {}] })).toMatch(/preset\.eq: has 4 bands, needs exactly 5/);
    expect(problems({ version: 1, eq: [{}, {}, {}, {}, {}, {}] })).toMatch(/has 6 bands/);
    expect(problems({ version: 1, eq: {} })).toMatch(/preset\.eq: \{\} is not a list of 5 bands/);
  });

  it('refuses what is not a preset at all', () => {
    expect(problems(null)).toBe('invalid preset: preset: null is not an object');
    expect(problems([1])).toMatch(/preset: \[1\] is not an object/);
    expect(problems({})).toMatch(/preset\.version is missing/);
    expect(problems({ version: '1' })).toMatch(/preset\.version: "1" is not a preset version/);
  });
});

describe('preset migrations', () => {
  it('refuses a preset from a newer LiveBlend and says what to do', () => {
    expect(problems({ version: 2, trimDb: 0 })).toBe('preset is from a newer LiveBlend (version 2 > 1): update LiveBlend');
  });

  it('upgrades one version at a time to the current one', () => {
    const migrations: Record<number, PresetMigration> = {
      1: (p) => ({ ...p, trimDb: (p.gain as number) ?? 0, gain: undefined }),
      2: (p) => ({ ...p, rampMs: 100 }),
    };
    expect(migratePreset({ version: 1, gain: -4 }, migrations, 3)).toEqual({ version: 3, trimDb: -4, gain: undefined, rampMs: 100 });
    expect(migratePreset({ version: 2, trimDb: 1 }, migrations, 3)).toEqual({ version: 3, trimDb: 1, rampMs: 100 });
    expect(() => migratePreset({ version: 1 }, { 2: migrations[2] }, 3)).toThrow(/version 1 cannot be upgraded/);
  });
});
