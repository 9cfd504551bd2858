import { z } from 'zod';
import { DEVICE_ROLES } from '../../src/shared/osc-protocol';
import { CONTROL_KEYS, CONTROL_LIMITS, isControlKey, type ControlChange } from './device-controls';

/**
 * Schemas of every message the patch and the [js] adapter send node.script (m4l-device/MESSAGES.md,
 * "Into node.script"). Max hands node atoms: numbers and symbols. A symbol that looks like a
 * number ("2024") arrives as a number, and an unquoted name with spaces as several symbols, so
 * names accept any atoms and join them back with spaces.
 */

const name = z.array(z.union([z.string(), z.number()])).transform((atoms) => atoms.map(String).join(' '));
const int = z.number().int();
const finite = z.number();

function jsonText<T extends z.ZodType>(what: string, schema: T) {
  return z.tuple([z.string()]).transform((atoms, ctx): z.output<T> => {
    let raw: unknown;
    try {
      raw = JSON.parse(atoms[0]);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${what} is not JSON` });
      return z.NEVER;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: `${what}: ${parsed.error.issues[0].message} at ${parsed.error.issues[0].path.join('.') || 'top'}` });
      return z.NEVER;
    }
    return parsed.data;
  });
}

/** `param <key> <value>` from the patch's live.* controls, checked against the control's range. */
const param = z.tuple([z.string(), finite]).transform(([key, value], ctx): ControlChange => {
  if (!isControlKey(key)) {
    ctx.addIssue({ code: 'custom', message: `unknown control "${key}": expected one of ${CONTROL_KEYS.join(', ')}` });
    return z.NEVER;
  }
  const { min, max, unit } = CONTROL_LIMITS[key];
  if (key === 'bypass' ? value !== 0 && value !== 1 : value < min || value > max) {
    const range = key === 'bypass' ? '0 or 1' : `${min} to ${max} ${unit}`;
    ctx.addIssue({ code: 'custom', message: `${key} ${value} is outside ${range}`, path: [1] });
    return z.NEVER;
  }
  return key === 'bypass' ? { key, value: value as 0 | 1 } : { key, value };
});

/** Live's time signatures: numerator 1–99, denominator a power of two up to 16. */
const signature = z.tuple([int.min(1).max(99), int.refine((d) => [1, 2, 4, 8, 16].includes(d), { error: 'the denominator must be 1, 2, 4, 8 or 16' })]);

export const MAX_INBOUND = {
  live_ready: z.tuple([]),
  set_name: name,
  track: z.tuple([int.min(-1)], z.union([z.string(), z.number()])).transform(([index, ...rest]) => ({ index, name: rest.map(String).join(' ') })),
  routing: name,
  scenes: jsonText('scenes', z.array(z.string()).max(10_000)),
  scene_triggered: z.tuple([int.min(0)]),
  playing_slot: z.tuple([int.min(0), int.min(-2)]),
  tempo: z.tuple([finite.min(20).max(999)]),
  signature,
  playing: z.tuple([z.union([z.literal(0), z.literal(1)])]),
  song_time: z.tuple([finite.min(0)]),
  cue_points: jsonText('cue_points', z.array(z.object({ name: z.string(), time: finite.min(0) })).max(10_000)),
  samplerate: z.tuple([finite.min(8000).max(384_000)]),
  meter: z.tuple([int.min(0), finite.min(0), finite.min(0), finite.min(0), finite.min(0), finite.min(0), finite.min(0)]),
  role: z.tuple([z.enum(DEVICE_ROLES)]),
  learn_apply: z.tuple([]),
  param,
  /** Not from the patch's wiring but from a message box, for a panel on another discovery port. */
  discovery_port: z.tuple([int.min(1).max(65535)]),
} as const;

export type MaxSelector = keyof typeof MAX_INBOUND;
export type MaxMessage = { [S in MaxSelector]: { selector: S; args: z.output<(typeof MAX_INBOUND)[S]> } }[MaxSelector];

export const MAX_SELECTORS = Object.keys(MAX_INBOUND) as MaxSelector[];

export function parseMaxMessage(selector: string, atoms: readonly unknown[]): { ok: true; message: MaxMessage } | { ok: false; reason: string } {
  if (!Object.hasOwn(MAX_INBOUND, selector)) return { ok: false, reason: `unknown message "${selector}"` };
  const schema = MAX_INBOUND[selector as MaxSelector];
  const parsed = schema.safeParse(atoms);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? ` (argument ${Number(issue.path[0]) + 1})` : '';
    return { ok: false, reason: `${selector} ${atoms.map(String).join(' ')}: ${issue.message}${where}` };
  }
  return { ok: true, message: { selector, args: parsed.data } as MaxMessage };
}
