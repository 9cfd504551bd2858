/**
 * Beat position against the sample clock, as the device follows Live's transport and Link: the
 * position integrates the tempo sample by sample, and a tempo change takes effect at the next
 * sample, so the click follows it within the beat it happens in.
 *
 * The position is kept as an anchor (beat and tempo at the last change) plus samples since, not
 * as a running sum, so it does not drift over a two-hour show and a beat's sample is computed in
 * one step: ceil((beat − anchor beat) × samples per beat). At integer tempos and rates that is
 * exact arithmetic; elsewhere a beat that falls within a millionth of a sample after a sample
 * boundary sounds on that sample rather than the next.
 */

const SAMPLE_ROUNDING = 1e-6;
export const MIN_TEMPO_BPM = 20;
export const MAX_TEMPO_BPM = 999;

export class BeatClock {
  private sampleRate: number;
  private tempo: number;
  private anchorBeat: number;
  /** Samples produced since the anchor. */
  private elapsed = 0;

  constructor(sampleRate: number, tempoBpm: number, startBeat = 0) {
    checkRate(sampleRate);
    checkTempo(tempoBpm);
    checkBeat(startBeat);
    this.sampleRate = sampleRate;
    this.tempo = tempoBpm;
    this.anchorBeat = startBeat;
  }

  get tempoBpm(): number {
    return this.tempo;
  }

  get samplesPerBeat(): number {
    return (60 * this.sampleRate) / this.tempo;
  }

  /** Beat position of the next sample to be produced. */
  get position(): number {
    return this.anchorBeat + this.elapsed / this.samplesPerBeat;
  }

  /** From the next sample on, the beat moves at `tempoBpm`. */
  setTempo(tempoBpm: number): void {
    checkTempo(tempoBpm);
    this.anchorBeat = this.position;
    this.elapsed = 0;
    this.tempo = tempoBpm;
  }

  /** Jumps: the next sample is at `beat` (transport relocated, or Link's phase corrected). */
  locate(beat: number): void {
    checkBeat(beat);
    this.anchorBeat = beat;
    this.elapsed = 0;
  }

  setSampleRate(sampleRate: number): void {
    checkRate(sampleRate);
    this.anchorBeat = this.position;
    this.elapsed = 0;
    this.sampleRate = sampleRate;
  }

  /**
   * Offset from the next sample to the first sample whose position is ≥ `beat`: 0 when that is
   * the next sample, negative when it has already been produced.
   */
  samplesUntil(beat: number): number {
    // "+ 0" turns the −0 that ceil gives for a beat on the anchor into 0.
    return Math.ceil((beat - this.anchorBeat) * this.samplesPerBeat - SAMPLE_ROUNDING) - this.elapsed + 0;
  }

  advance(frames: number): void {
    this.elapsed += frames;
  }
}

function checkRate(sampleRate: number): void {
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) throw new RangeError(`beat clock: sample rate ${sampleRate} Hz must be a positive number`);
}

function checkTempo(tempoBpm: number): void {
  if (!Number.isFinite(tempoBpm) || tempoBpm < MIN_TEMPO_BPM || tempoBpm > MAX_TEMPO_BPM) {
    throw new RangeError(`beat clock: tempo ${tempoBpm} BPM is outside ${MIN_TEMPO_BPM}–${MAX_TEMPO_BPM} (Live's range)`);
  }
}

function checkBeat(beat: number): void {
  if (!Number.isFinite(beat)) throw new RangeError(`beat clock: beat ${beat} must be a finite number`);
}
