/**
 * LiveBlend.amxd, described box by box (DESIGN.md §4, m4l-device/MESSAGES.md).
 *
 * Audio: plugin~ → gen~ strip → plugout~; the strip's output also feeds the gen~ meter kernel.
 * The click: gen~ has no transport, so the click kernel gets Live's beat as two signals —
 * [plugphasor~] (the beat's phase, sample-synchronised to Live; 0 while Live is stopped) and
 * [plugsync~]'s beat count (1 PPQ, with its fraction) through [sig~], polled with the meters and
 * only needed to within half a beat — and builds the exact beat position from them
 * (m4l-device/gen/click.genexpr). A transport-locked [phasor~ … @lock 1] would give a phase too,
 * but over a fixed note value, not Live's song position. The kernel's mono output is summed into
 * both sides of plugout~ in every device; it stays silent unless node switches it on, which
 * node does only for a click device whose track does not route to FOH.
 * Meters: one metro (20 ms, faster than the 100 ms block rate) bangs one snapshot~ per meter
 * value in a single trigger, so every `meter` message holds values of the same signal vector,
 * with the block counter sampled last into pack's hot inlet.
 *
 * Holding messages until node is up: everything bound for node.script enters one [gate 2 1].
 * Until node says `ready` the gate sends each message to a queue: [coll] stores it under an
 * increasing index ([i] + [+ 1]); on `ready` the trigger first turns the gate to node, then
 * dumps the coll in index order (the messages in the order they came) into node and clears it.
 * All of that happens in one scheduler pass, so nothing can slip in between or be lost. The
 * queue keeps at most QUEUE_LIMIT messages (two minutes of meter blocks): if node never starts,
 * the device does not grow without bound. Initialisation uses trigger, never delay.
 */
import { PRESET_LIMITS } from '../../src/shared/preset';
import { genIo } from './code-io';
import { PatchBuilder } from './patch-builder';
import { PARAMETER_VISIBILITY, UNIT_STYLE, type EnumParam, type PatchSpec, type RangeParam } from './types';
import { DEVICE_HEIGHT } from './validate';

export const NODE_SCRIPT = 'liveblend-device.js';
export const LIVE_SCRIPT = 'liveblend-live.js';
export const GUIDE_PATCHER = 'liveblend-guide.maxpat';
export const STATE_DICT = '---liveblend_state';
const DEVICE_WIDTH = 560;

/** Values in one `meter` message (MESSAGES.md): counter, energy L, R, sample peak, true peak, compressor GR, limiter GR. */
export const METER_VALUES = 7;
/** Messages held before node is ready: 6000 is two minutes of 20 ms meter polls. */
export const QUEUE_LIMIT = 6000;

export const ROLES = ['bus', 'click', 'iem'] as const;

const dB = (key: string, longName: string, shortName: string, min: number, max: number, initial: number): RangeParam => ({
  kind: 'range',
  key,
  longName,
  shortName,
  min,
  max,
  initial,
  unitStyle: UNIT_STYLE.decibel,
  visibility: PARAMETER_VISIBILITY.automated,
});

/** The parameters Live automates; their long names are a promise (released-long-names.json). */
export const TRIM = dB('trim', 'Trim', 'Trim', PRESET_LIMITS.trimDb.min, PRESET_LIMITS.trimDb.max, 0);
export const EQ_GAINS = [1, 2, 3, 4, 5].map((band) => dB(`eq${band}_gain`, `EQ ${band} Gain`, `EQ${band}`, PRESET_LIMITS.gainDb.min, PRESET_LIMITS.gainDb.max, 0));
export const CEILING = dB('ceiling', 'Ceiling', 'Ceiling', PRESET_LIMITS.ceilingDbtp.min, PRESET_LIMITS.ceilingDbtp.max, -1);
/** The dials of a preset, in the device view's order; node shows the recalled preset on each (`ui <key> <value>`). */
export const PRESET_DIALS = [TRIM, ...EQ_GAINS, CEILING];

/** What node's `ui` messages address (MESSAGES.md): readouts, then one per preset dial, keyed like `param`. */
const UI_CONTROLS = ['song', 'integrated', 'short_term', 'gr', 'limiting', 'alarm', 'role', ...PRESET_DIALS.map((param) => param.key)];
export const BYPASS: EnumParam = { kind: 'enum', key: 'bypass', longName: 'Bypass', shortName: 'Bypass', items: ['off', 'on'], initial: 0, visibility: PARAMETER_VISIBILITY.automated };
/** Stored with the set but not automatable: changing role mid-song is never what a user wants. */
export const ROLE: EnumParam = { kind: 'enum', key: 'role', longName: 'Role', shortName: 'Role', items: ROLES, initial: 0, visibility: PARAMETER_VISIBILITY.storedOnly };
const LEARN: EnumParam = { kind: 'enum', key: 'learn_apply', longName: 'Apply Learn', shortName: 'Learn', items: ['off', 'on'], initial: 0, visibility: PARAMETER_VISIBILITY.hidden };
const DOCS: EnumParam = { kind: 'enum', key: 'docs', longName: 'Docs', shortName: 'Docs', items: ['off', 'on'], initial: 0, visibility: PARAMETER_VISIBILITY.hidden };

export interface DeviceKernels {
  strip: string;
  meter: string;
  click: string;
}

type KernelIo = Record<keyof DeviceKernels, ReturnType<typeof genIo>>;

/** The kernels' shape the wiring relies on; throws naming the kernel and what is wrong. */
function checkKernels(kernels: DeviceKernels): KernelIo {
  const strip = genIo(kernels.strip);
  const meter = genIo(kernels.meter);
  const click = genIo(kernels.click);
  if (strip.ins < 2 || strip.outs < 2) throw new Error(`strip.genexpr uses in1..in${strip.ins} and out1..out${strip.outs}: the strip needs stereo in (in1, in2) and stereo out (out1, out2)`);
  if (meter.ins < 2) throw new Error(`meter.genexpr uses in1..in${meter.ins}: the meter reads the strip's stereo output (in1, in2)`);
  const values = meter.outs + strip.outs - 2;
  if (values !== METER_VALUES) {
    throw new Error(
      `the meter message needs ${METER_VALUES} values (MESSAGES.md) but meter.genexpr has ${meter.outs} outputs and strip.genexpr ${strip.outs - 2} beyond its audio pair (${values})`,
    );
  }
  if (click.ins !== 2 || click.outs !== 1) {
    throw new Error(`click.genexpr uses in1..in${click.ins} and out1..out${click.outs}: the click reads the beat phase and position (in1, in2) and writes one mono click (out1)`);
  }
  const declared = [...strip.params, ...meter.params, ...click.params];
  const shared = [...new Set(declared.filter((p, k) => declared.indexOf(p) !== k))];
  if (shared.length > 0) throw new Error(`Params ${shared.join(', ')} are declared by more than one kernel: node's \`gen <name>\` must reach exactly one`);
  return { strip, meter, click };
}

const label = (p: PatchBuilder, id: string, text: string, at: [number, number], width: number): void => {
  p.ui(id, 'comment', at[0], at[1] + 600, width, 18, { presentation: [at[0], at[1], width, 18], attrs: { text, fontsize: 9 } });
};

export function describeDevice(kernels: DeviceKernels): PatchSpec {
  const io = checkKernels(kernels);
  const p = new PatchBuilder();

  // Audio path.
  const plugin = p.obj('plugin', 'plugin~', 20, 20);
  const strip = p.obj('strip', 'gen~', 20, 90, { genCode: kernels.strip });
  const plugout = p.obj('plugout', 'plugout~', 20, 200);
  const meter = p.obj('meter', 'gen~', 200, 140, { genCode: kernels.meter });
  for (const ch of [0, 1]) {
    p.connect(plugin, ch, strip, ch);
    p.connect(strip, ch, plugout, ch);
    p.connect(strip, ch, meter, ch);
  }

  // The click, from Live's beat (see the module comment); plugsync~ outputs as Live plays and is
  // also polled with the meters, so the beat count stays fresh while nothing else moves.
  const beatPhase = p.obj('beat-phase', 'plugphasor~', 380, 20);
  const beatSync = p.obj('beat-sync', 'plugsync~', 480, 20);
  const beatCount = p.obj('beat-count', 'sig~', 480, 50);
  const click = p.obj('click', 'gen~', 380, 90, { genCode: kernels.click });
  p.connect(beatPhase, 0, click, 0);
  p.connect(beatSync, 6, beatCount, 0);
  p.connect(beatCount, 0, click, 1);
  for (const ch of [0, 1]) p.connect(click, 0, plugout, ch);

  // Everything bound for node goes through the ready gate (see the module comment).
  const node = p.obj('node', `node.script ${NODE_SCRIPT} @autostart 1`, 620, 520, { attrs: { saved_object_attributes: { autostart: 1, defer: 0, watch: 0 } } });
  const gate = p.obj('ready-gate', 'gate 2 1', 620, 380);
  p.connect(gate, 1, node, 0);
  const queueSplit = p.obj('queue-split', 't b l', 520, 410);
  const queueIndex = p.obj('queue-index', 'i', 520, 440);
  const indexFan = p.obj('queue-index-fan', 't i i', 520, 470);
  const indexNext = p.obj('queue-index-next', '+ 1', 580, 500);
  const indexLimit = p.obj('queue-limit', `split 0 ${QUEUE_LIMIT - 1}`, 520, 500);
  const join = p.obj('queue-join', 'zl.join', 520, 530);
  const store = p.obj('queue-store', 'prepend store', 520, 560);
  const queue = p.obj('queue', 'coll', 520, 590);
  p.connect(gate, 0, queueSplit, 0);
  p.connect(queueSplit, 1, join, 1);
  p.connect(queueSplit, 0, queueIndex, 0);
  p.connect(queueIndex, 0, indexFan, 0);
  p.connect(indexFan, 1, indexNext, 0);
  p.connect(indexNext, 0, queueIndex, 1);
  p.connect(indexFan, 0, indexLimit, 0);
  p.connect(indexLimit, 0, join, 0);
  p.connect(join, 0, store, 0);
  p.connect(store, 0, queue, 0);
  p.connect(queue, 0, node, 0);
  const toNode = (from: string, outlet = 0) => p.connect(from, outlet, gate, 1);

  // Meters: one poll, one snapshot~ per value, counter last.
  const poll = p.obj('meter-poll', 'metro 20 @active 1', 200, 200);
  p.connect(poll, 0, beatSync, 0);
  const fan = p.obj('meter-fan', `t ${Array.from({ length: METER_VALUES }, () => 'b').join(' ')}`, 200, 230);
  const pack = p.obj('meter-pack', `pack 0 ${Array.from({ length: METER_VALUES - 1 }, () => '0.').join(' ')}`, 200, 300);
  const meterMsg = p.obj('meter-msg', 'prepend meter', 200, 330);
  p.connect(poll, 0, fan, 0);
  const sources: [string, number][] = [
    ...Array.from({ length: io.meter.outs }, (_, k): [string, number] => [meter, k]),
    ...Array.from({ length: io.strip.outs - 2 }, (_, k): [string, number] => [strip, k + 2]),
  ];
  sources.forEach(([source, outlet], k) => {
    const snap = p.obj(`meter-snap${k}`, 'snapshot~', 200 + 70 * k, 265);
    p.connect(source, outlet, snap, 0);
    p.connect(fan, k, snap, 0);
    p.connect(snap, 0, pack, k);
  });
  p.connect(pack, 0, meterMsg, 0);
  toNode(meterMsg);

  // Live: the adapter starts when live.thisdevice says LiveAPI is usable, never at load.
  const thisDevice = p.obj('thisdevice', 'live.thisdevice', 900, 20);
  const init = p.obj('init', 't b b', 900, 50);
  const dsp = p.obj('dspstate', 'dspstate~', 980, 80);
  const rate = p.obj('samplerate-msg', 'prepend samplerate', 980, 110);
  const live = p.obj('live-adapter', `js ${LIVE_SCRIPT}`, 900, 140);
  p.connect(thisDevice, 0, init, 0);
  p.connect(init, 1, dsp, 0);
  p.connect(init, 0, live, 0);
  p.connect(dsp, 1, rate, 0);
  toNode(rate);
  toNode(live);

  // Device view: top row.
  label(p, 'title', 'LiveBlend', [6, 4], 60);
  const role = p.ui('role', 'live.menu', 70, 640, 60, 15, { presentation: [70, 5, 60, 15], param: ROLE });
  const roleMsg = p.obj('role-msg', 'prepend role', 70, 670);
  p.connect(role, 1, roleMsg, 0);
  toNode(roleMsg);
  const song = p.ui('song', 'comment', 140, 640, 300, 18, { presentation: [140, 4, 300, 18], attrs: { text: '(no song)', fontsize: 11 } });
  const docs = p.ui('docs', 'live.text', 500, 640, 50, 15, { presentation: [504, 5, 50, 15], param: DOCS, attrs: { mode: 0, text: 'Docs', texton: 'Docs' } });
  const openDocs = p.msg('docs-open', `load ${GUIDE_PATCHER}`, 500, 670);
  const pcontrol = p.obj('docs-window', 'pcontrol', 500, 700);
  p.connect(docs, 0, openDocs, 0);
  p.connect(openDocs, 0, pcontrol, 0);

  // Automatable parameters: each sends `param <key> <value>` to node.
  const dials = PRESET_DIALS;
  const dialIds = dials.map((param, k) => {
    const x = 6 + 54 * k;
    const dial = p.ui(`dial-${param.key}`, 'live.dial', x, 760, 44, 48, { presentation: [x, 26, 44, 48], param });
    const send = p.obj(`param-${param.key}`, `prepend param ${param.key}`, x, 830 + 30 * (k % 2));
    p.connect(dial, 0, send, 0);
    toNode(send);
    return dial;
  });
  const bypassX = 6 + 54 * dials.length;
  label(p, 'bypass-label', 'Bypass', [bypassX, 30], 44);
  const bypass = p.ui('bypass', 'live.toggle', bypassX, 780, 16, 16, { presentation: [bypassX + 12, 50, 16, 16], param: BYPASS });
  const bypassSend = p.obj('param-bypass', `prepend param ${BYPASS.key}`, bypassX, 830);
  p.connect(bypass, 0, bypassSend, 0);
  toNode(bypassSend);

  // Readouts.
  const readout = (id: string, caption: string, x: number, width: number) => {
    label(p, `${id}-label`, caption, [x, 84], width);
    return p.ui(id, 'flonum', x, 960, width, 18, { presentation: [x, 100, width, 18], attrs: { format: 6, ignoreclick: 1, parameter_enable: 0 } });
  };
  const integrated = readout('integrated', 'Integrated LUFS', 6, 80);
  const shortTerm = readout('short-term', 'Short-term LUFS', 92, 80);
  const gr = readout('gr', 'Gain red. dB', 178, 70);
  label(p, 'limiting-label', 'Limit', [256, 84], 34);
  const limiting = p.ui('limiting', 'led', 256, 960, 18, 18, { presentation: [262, 100, 18, 18], attrs: { ignoreclick: 1, parameter_enable: 0, oncolor: [1, 0.35, 0.2, 1] } });
  const alarm = p.ui('alarm', 'comment', 6, 1000, 420, 18, { presentation: [6, 126, 420, 18], attrs: { text: '', textcolor: [1, 0.3, 0.25, 1], fontsize: 11 } });
  const learn = p.ui('learn', 'live.text', 440, 960, 110, 15, { presentation: [444, 101, 110, 15], param: LEARN, attrs: { mode: 0, text: 'Apply learned trims', texton: 'Apply learned trims' } });
  const learnMsg = p.msg('learn-msg', 'learn_apply', 440, 990);
  p.connect(learn, 0, learnMsg, 0);
  toNode(learnMsg);

  // Out of node, by selector.
  const fromNode = p.obj('from-node', 'route ready gen ui js state', 620, 560);
  p.connect(node, 0, fromNode, 0);

  const onReady = p.obj('on-ready', 't b b b', 620, 600);
  const openGate = p.msg('gate-to-node', '2', 700, 630);
  const dump = p.msg('queue-dump', 'dump', 660, 630);
  const clear = p.msg('queue-clear', 'clear', 620, 630);
  p.connect(fromNode, 0, onReady, 0);
  p.connect(onReady, 2, openGate, 0);
  p.connect(openGate, 0, gate, 0);
  p.connect(onReady, 1, dump, 0);
  p.connect(dump, 0, queue, 0);
  p.connect(onReady, 0, clear, 0);
  p.connect(clear, 0, queue, 0);

  for (const [target, params, x] of [
    [strip, io.strip.params, 300],
    [meter, io.meter.params, 500],
    [click, io.click.params, 700],
  ] as const) {
    if (params.length === 0) continue;
    const pass = p.obj(`gen-${target}`, `routepass ${params.join(' ')}`, x, 40);
    p.connect(fromNode, 1, pass, 0);
    params.forEach((_, k) => p.connect(pass, k, target, 0));
  }

  const ui = p.obj('ui-route', `route ${UI_CONTROLS.join(' ')}`, 760, 600);
  p.connect(fromNode, 2, ui, 0);
  const setText = (id: string, outlet: number, target: string, y = 640) => {
    const set = p.obj(id, 'prepend set', 760 + 90 * outlet, y);
    p.connect(ui, outlet, set, 0);
    p.connect(set, 0, target, 0);
  };
  setText('ui-song', UI_CONTROLS.indexOf('song'), song);
  // `set` moves a dial without output: showing the recalled value is not an edit going back to node.
  dials.forEach((param, k) => setText(`ui-${param.key}`, UI_CONTROLS.indexOf(param.key), dialIds[k], 720));
  p.connect(ui, UI_CONTROLS.indexOf('integrated'), integrated, 0);
  p.connect(ui, UI_CONTROLS.indexOf('short_term'), shortTerm, 0);
  p.connect(ui, UI_CONTROLS.indexOf('gr'), gr, 0);
  p.connect(ui, UI_CONTROLS.indexOf('limiting'), limiting, 0);
  setText('ui-alarm', UI_CONTROLS.indexOf('alarm'), alarm);
  const roleRoute = p.obj('ui-role', `route ${ROLES.join(' ')}`, 1480, 640);
  p.connect(ui, UI_CONTROLS.indexOf('role'), roleRoute, 0);
  ROLES.forEach((_, k) => {
    const set = p.msg(`ui-role-${k}`, `set ${k}`, 1480 + 50 * k, 670);
    p.connect(roleRoute, k, set, 0);
    p.connect(set, 0, role, 0);
  });

  p.connect(fromNode, 3, live, 0);
  const touchState = p.obj('state-touch', 't b', 1100, 600);
  const state = p.obj('state', `dict ${STATE_DICT} @embed 1`, 1100, 630, { attrs: { saved_object_attributes: { embed: 1, parameter_enable: 0, parameter_mappable: 0 } } });
  p.connect(fromNode, 4, touchState, 0);
  p.connect(touchState, 0, state, 0);

  return p.build(DEVICE_WIDTH, DEVICE_HEIGHT, [NODE_SCRIPT, LIVE_SCRIPT, GUIDE_PATCHER]);
}
