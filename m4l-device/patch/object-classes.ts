/**
 * Inlet and outlet counts and outlet types of every Max object class the device uses, as Max
 * itself saves them in patcher JSON (checked against devices and patches saved by Max 8/9).
 * The writer fills boxes from this table and the validator checks boxes against it, so a cord
 * to an inlet that does not exist is caught here instead of silently dropped by Max on load.
 *
 * `gen~` and `js` are not in the table: their counts depend on their code (the in/out boxes of
 * the embedded gen patcher; `inlets = N` / `outlets = N` in the script) and are worked out by
 * the validator from that code.
 */

export interface ObjectIo {
  inlets: number;
  outlettype: string[];
}

type IoOf = (args: readonly string[]) => ObjectIo;

const fixed =
  (inlets: number, outlettype: string[]): IoOf =>
  () => ({ inlets, outlettype });

const repeat = (n: number, type: string): string[] => Array.from({ length: n }, () => type);

/** `trigger` letters → the type of the outlet Max reports for them. */
const TRIGGER_TYPES: Readonly<Record<string, string>> = { b: 'bang', i: 'int', f: 'float', l: '', s: '', a: '' };

function triggerIo(args: readonly string[]): ObjectIo {
  const letters = args.length === 0 ? ['i', 'i'] : args;
  return { inlets: 1, outlettype: letters.map((a) => TRIGGER_TYPES[a] ?? '') };
}

/** route and routepass: one inlet per argument plus the input, one outlet per argument plus "no match". */
function routeIo(args: readonly string[]): ObjectIo {
  const n = Math.max(args.length, 1);
  return { inlets: n + 1, outlettype: repeat(n + 1, '') };
}

const isFloatArg = (args: readonly string[]): boolean => args.some((a) => a.includes('.'));

/** Classes written as `newobj` boxes, keyed by the first word of their text. */
export const NEWOBJ_CLASSES: Readonly<Record<string, IoOf>> = {
  'plugin~': fixed(2, ['signal', 'signal']),
  'plugout~': fixed(2, ['signal', 'signal']),
  'node.script': fixed(1, ['', '']),
  'live.thisdevice': fixed(1, ['bang', 'int', 'int']),
  'dspstate~': fixed(1, ['int', 'float', 'int', 'int']),
  'snapshot~': fixed(2, ['float']),
  metro: fixed(2, ['bang']),
  t: triggerIo,
  trigger: triggerIo,
  pack: (args) => ({ inlets: Math.max(args.length, 2), outlettype: [''] }),
  prepend: fixed(1, ['']),
  route: routeIo,
  routepass: routeIo,
  gate: (args) => ({ inlets: 2, outlettype: repeat(Number(args[0] ?? 1), '') }),
  'zl.join': fixed(2, ['', '']),
  coll: fixed(1, ['', '', '', '']),
  i: fixed(2, ['int']),
  '+': (args) => ({ inlets: 2, outlettype: [isFloatArg(args) ? 'float' : 'int'] }),
  split: (args) => ({ inlets: 3, outlettype: repeat(2, isFloatArg(args) ? 'float' : 'int') }),
  dict: fixed(2, ['dictionary', '', '', '']),
  pcontrol: fixed(1, ['']),
  // Live's beat: a sample-synchronised phase per quarter note, and the transport as messages.
  'plugphasor~': fixed(1, ['signal', 'list']),
  'plugsync~': fixed(1, ['int', 'int', 'int', 'float', 'list', 'float', 'float', 'int', 'int']),
  'sig~': fixed(1, ['signal']),
};

/** Classes that are their own maxclass (UI objects, message and comment boxes). */
export const UI_CLASSES: Readonly<Record<string, ObjectIo>> = {
  message: { inlets: 2, outlettype: [''] },
  comment: { inlets: 1, outlettype: [] },
  panel: { inlets: 1, outlettype: [] },
  flonum: { inlets: 1, outlettype: ['', 'bang'] },
  led: { inlets: 1, outlettype: ['int'] },
  'live.dial': { inlets: 1, outlettype: ['', 'float'] },
  'live.menu': { inlets: 1, outlettype: ['', '', 'float'] },
  'live.text': { inlets: 1, outlettype: ['', ''] },
  'live.toggle': { inlets: 1, outlettype: [''] },
};

/** Classes with signal inlets; a signal cord into any other class is a mistake Max would refuse. */
export const SIGNAL_INLET_CLASSES = new Set(['plugout~', 'gen~', 'snapshot~']);

/** Object text split into class and arguments, with `@attr value` pairs left out. */
export function parseObjectText(text: string): { className: string; args: string[] } {
  const words = text.trim().split(/\s+/);
  const attrAt = words.findIndex((w, k) => k > 0 && w.startsWith('@'));
  const args = words.slice(1, attrAt === -1 ? undefined : attrAt);
  return { className: words[0] ?? '', args };
}

/** Classes whose first argument names something shared across the whole Live set. */
export const NAMED_CLASSES = new Set(['dict', 'coll', 'send', 's', 'receive', 'r', 'value', 'v', 'buffer~']);

/** Ableton's rule: names that must stay inside one device instance start with `---`. */
export const DEVICE_LOCAL_PREFIX = '---';
