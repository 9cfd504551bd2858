import type { ClickSetup } from '../../src/shared/osc-protocol';
import type { Preset } from '../../src/shared/preset';
import { ACCENT_HZ, ATTACK_SECONDS, BEAT_HZ, DECAY_SECONDS, OFFBEAT_DB } from '../../src/dsp/click';
import { timeConstantCoefficient } from '../../src/dsp/compressor';
import { EQ_SECTIONS, eqCoefficients } from '../../src/dsp/eq';
import { designKWeighting } from '../../src/dsp/kweighting';
import { blockLengthFor } from '../../src/dsp/loudness-blocks';
import { rampLength } from '../../src/dsp/ramp';
import { designInterpolator, truePeakOversampling, TRUE_PEAK_TAPS_PER_PHASE } from '../../src/dsp/truepeak';
import { dbToGain } from '../../src/dsp/units';

/**
 * The gen~ Params of the three kernels (strip.genexpr, meter.genexpr, click.genexpr) and the
 * values node sends to them, each as the Max message `gen <name> <value>`. Every value is
 * designed here by src/dsp, so the kernels only run the per-sample maths and agree with src/dsp
 * sample for sample.
 *
 * Routing: every meter Param starts with `meter_`, every click Param with `click_`; no strip
 * Param does.
 *
 * The strip kernel STAGES what it receives. Nothing changes the sound until a trigger:
 *   - a new `recall_count` (any value different from the last) moves to the staged preset as
 *     ProcessingChain.setPreset does: one straight crossfade over `ramp_samples` from the path
 *     playing to a second complete path (trim, EQ, compressor, limiter, fixed settings) started
 *     on the staged preset. Its EQ and compressor first warm up, unheard, on the last 50 ms of
 *     input (its limiter listens), and its share starts rising once its limiter's delay has
 *     passed. A recall during a fade waits for it to end (the newest one wins); one that sounds
 *     the same as the preset playing changes nothing;
 *   - a new `reset_count` lands on the staged preset at once and clears all state, as
 *     ProcessingChain.setPreset followed by reset(): the only moment the limiter's lookahead
 *     (`lim_window`) and the true-peak interpolator (`tp_*`) change, because they set the latency.
 * So a recall is: every pair of stripParams(), in any order, then recallTrigger(n) (or
 * resetTrigger(n)) last, with n counting up per trigger. A change of `samplerate` clears the
 * kernels' state by itself; node then re-sends stripParams() for the new rate and a reset.
 *
 * `ready` (default 0) is not staged. At 0 the strip plays the default preset (unity trim, EQ and
 * compressor out, limiter in at −1 dBTP, computed inside the kernel for the running rate):
 * never silence and never a burst before node is up or after it is gone. 0 → 1 is a recall of the
 * staged preset, 1 → 0 one of the default preset (both over `ramp_samples`); triggers that
 * arrive while it is 0 are held until it is 1.
 * The Param defaults of the tp_* taps are the 4× interpolator, right below 96 kHz and a finer
 * (still correct) estimate above, so the unready limiter works before node has sent anything.
 */

export type ParamMessage = [name: string, value: number];

const TAP_HALF = TRUE_PEAK_TAPS_PER_PHASE / 2;
const COEFFICIENT_NAMES = ['b0', 'b1', 'b2', 'a1', 'a2'] as const;

/**
 * The limiter aims this far under its ceiling; the same value as ROUNDING_MARGIN_DB in
 * src/dsp/limiter.ts (not exported there). The kernel-versus-chain tests fail if they differ.
 */
const LIMITER_ROUNDING_MARGIN_DB = 0.001;

function tapNames(prefix: string): string[] {
  return ['mid', 'even', 'odd'].flatMap((kind) => Array.from({ length: TAP_HALF }, (_, k) => `${prefix}tp_${kind}${k}`));
}

const EQ_PARAM_NAMES = Array.from({ length: EQ_SECTIONS }, (_, s) => COEFFICIENT_NAMES.map((c) => `eq${s}_${c}`)).flat();

export const STRIP_PARAM_NAMES: readonly string[] = Object.freeze([
  'ready',
  'recall_count',
  'reset_count',
  'ramp_samples',
  'trim',
  ...EQ_PARAM_NAMES,
  'comp_on',
  'comp_threshold',
  'comp_ratio',
  'comp_knee',
  'comp_knee_start',
  'comp_attack',
  'comp_release',
  'comp_makeup',
  'comp_link',
  'lim_on',
  'lim_ceiling',
  'lim_release',
  'lim_window',
  'tp_factor',
  ...tapNames(''),
]);

export const METER_PARAM_NAMES: readonly string[] = Object.freeze([
  'meter_block_length',
  ...COEFFICIENT_NAMES.map((c) => `meter_shelf_${c}`),
  ...COEFFICIENT_NAMES.map((c) => `meter_highpass_${c}`),
  'meter_tp_factor',
  ...tapNames('meter_'),
]);

export const CLICK_PARAM_NAMES: readonly string[] = Object.freeze([
  'click_on',
  'click_tempo',
  'click_gain',
  'click_offbeat_gain',
  'click_step',
  'click_beats_per_bar',
  'click_accent_omega',
  'click_beat_omega',
  'click_attack',
  'click_length',
]);

/** Outlets in order: audio left and right, then compressor and limiter gain reduction (dB, ≥ 0, per sample). */
export const STRIP_OUTPUTS = Object.freeze(['left', 'right', 'compressor_gr_db', 'limiter_gr_db'] as const);

/**
 * Outlets in order, each held until the next 100 ms block finishes: the block counter (1 for the
 * first block), the K-weighted mean square of left and right over the block, and the block's
 * sample peak and true peak (linear, louder channel) — the first five atoms of the `meter`
 * message in m4l-device/MESSAGES.md.
 */
export const METER_OUTPUTS = Object.freeze(['block_counter', 'energy_left', 'energy_right', 'sample_peak', 'true_peak'] as const);

/** The click's one outlet: mono, summed into both sides of plugout~. */
export const CLICK_OUTPUTS = Object.freeze(['click'] as const);

/**
 * The true-peak interpolator of truepeak.ts folded as the limiter's detector folds it (a
 * linear-phase interpolator: the half-sample phase on mirrored sums, phases p and F − p as
 * even ± odd parts). Both kernels use the folded form.
 */
function truePeakParams(prefix: string, sampleRate: number): ParamMessage[] {
  const interpolator = designInterpolator(truePeakOversampling(sampleRate));
  const { factor, phases } = interpolator;
  const last = TRUE_PEAK_TAPS_PER_PHASE - 1;
  const mid: number[] = [];
  const even: number[] = [];
  const odd: number[] = [];
  for (let k = 0; k < TAP_HALF; k++) {
    mid.push(factor >= 2 ? phases[factor / 2][k] : 0);
    even.push(factor === 4 ? (phases[1][k] + phases[1][last - k]) / 2 : 0);
    odd.push(factor === 4 ? (phases[1][k] - phases[1][last - k]) / 2 : 0);
  }
  const names = tapNames(prefix);
  return [[`${prefix}tp_factor`, factor], ...[...mid, ...even, ...odd].map((v, i): ParamMessage => [names[i], v])];
}

/** Everything the strip kernel needs to play `preset` at `sampleRate`; send a trigger after it (see above). */
export function stripParams(preset: Preset, sampleRate: number, rampMs: number = preset.rampMs): ParamMessage[] {
  const { compressor: comp, limiter: lim } = preset;
  const eq = eqCoefficients(preset.eq, sampleRate);
  return [
    ['ramp_samples', rampLength(rampMs, sampleRate)],
    ['trim', dbToGain(preset.trimDb)],
    ...EQ_PARAM_NAMES.map((name, i): ParamMessage => [name, eq[i]]),
    ['comp_on', comp.enabled ? 1 : 0],
    ['comp_threshold', comp.thresholdDb],
    ['comp_ratio', comp.ratio],
    ['comp_knee', comp.kneeDb],
    ['comp_knee_start', dbToGain(comp.thresholdDb - comp.kneeDb / 2)],
    ['comp_attack', timeConstantCoefficient(comp.attackMs, sampleRate)],
    ['comp_release', timeConstantCoefficient(comp.releaseMs, sampleRate)],
    ['comp_makeup', dbToGain(comp.makeupDb)],
    ['comp_link', comp.stereoLink],
    ['lim_on', lim.enabled ? 1 : 0],
    ['lim_ceiling', dbToGain(lim.ceilingDbtp - LIMITER_ROUNDING_MARGIN_DB)],
    ['lim_release', 1 - Math.exp(-1000 / (lim.releaseMs * sampleRate))],
    ['lim_window', Math.max(2, Math.round((lim.lookaheadMs * sampleRate) / 1000))],
    ...truePeakParams('', sampleRate),
  ];
}

/** Crossfades to the staged preset; `sequence` must differ from the previous recall's (count up). */
export function recallTrigger(sequence: number): ParamMessage {
  return ['recall_count', sequence];
}

/** Lands on the staged preset at once and clears all state (transport stopped, new rate, new lookahead). */
export function resetTrigger(sequence: number): ParamMessage {
  return ['reset_count', sequence];
}

/** 1 once node has sent a preset; 0 when it stops (the strip crossfades back to the default preset). */
export function readyParams(ready: boolean): ParamMessage[] {
  return [['ready', ready ? 1 : 0]];
}

/** The meter kernel's coefficients for `sampleRate`: K-weighting, block length, true-peak interpolator. */
export function meterParams(sampleRate: number): ParamMessage[] {
  const { shelf, highpass } = designKWeighting(sampleRate);
  return [
    ['meter_block_length', blockLengthFor(sampleRate)],
    ...COEFFICIENT_NAMES.map((c): ParamMessage => [`meter_shelf_${c}`, shelf[c]]),
    ...COEFFICIENT_NAMES.map((c): ParamMessage => [`meter_highpass_${c}`, highpass[c]]),
    ...truePeakParams('meter_', sampleRate),
  ];
}

/**
 * The click kernel's sound at `sampleRate` (src/dsp/click.ts's Click: pitches, envelope, level,
 * offbeat level, grid); it stays silent until clickOnParams(true).
 */
export function clickParams(setup: ClickSetup, sampleRate: number): ParamMessage[] {
  return [
    ['click_gain', dbToGain(setup.levelDbfs)],
    ['click_offbeat_gain', dbToGain(OFFBEAT_DB)],
    ['click_step', setup.subdivision === 'eighth' ? 0.5 : 1],
    ['click_beats_per_bar', setup.beatsPerBar],
    ['click_accent_omega', (2 * Math.PI * ACCENT_HZ) / sampleRate],
    ['click_beat_omega', (2 * Math.PI * BEAT_HZ) / sampleRate],
    ['click_attack', ATTACK_SECONDS * sampleRate],
    ['click_length', (ATTACK_SECONDS + DECAY_SECONDS) * sampleRate],
  ];
}

/** Live's tempo: the kernel's step from one sample to the next when Live starts or jumps. */
export function clickTempoParams(bpm: number): ParamMessage[] {
  return [['click_tempo', bpm]];
}

/** 1 only for a click device whose click is switched on and not refused (never on a route to FOH). */
export function clickOnParams(on: boolean): ParamMessage[] {
  return [['click_on', on ? 1 : 0]];
}
