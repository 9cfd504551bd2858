import { defaultShowState, SHOW_STATE_VERSION, showStateSchema, type ShowState } from '../../src/shared/osc-protocol';

/**
 * The show state's home in the Live set: the embedded dict `---liveblend_state`. It holds the
 * state as one JSON string under STATE_KEY rather than as a nested dict, because Max dicts have
 * no null and would turn "not measured" into something else; a string round-trips exactly.
 */

export const STATE_DICT = '---liveblend_state';
const STATE_KEY = 'liveblend_show_state';

export type LoadedState = { state: ShowState; problem: null } | { state: ShowState; problem: string };

export function showStateToDict(state: ShowState): { [STATE_KEY]: string } {
  return { [STATE_KEY]: JSON.stringify(state) };
}

/** Parses a show state sent as JSON (OSC) or found in the dict; throws one Error naming every problem. */
export function parseShowState(json: string): ShowState {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new Error(`show state is not JSON (${(error as Error).message}): send the text /liveblend/show/get/state returns`);
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > SHOW_STATE_VERSION) {
    throw new Error(`show state is from a newer LiveBlend (version ${version} > ${SHOW_STATE_VERSION}): update this device`);
  }
  const result = showStateSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(top)'}: ${issue.message}`);
  throw new Error(`invalid show state: ${problems.join('; ')}`);
}

/**
 * Reads what getDict returned. A new device has an empty dict and starts from the defaults; a
 * dict it cannot read also starts from the defaults, with the problem to report — the caller
 * must then leave the dict alone until the user changes something, so a state from a newer
 * LiveBlend is not overwritten just by opening the set.
 */
export function loadShowState(dict: unknown): LoadedState {
  const text = typeof dict === 'object' && dict !== null ? (dict as Record<string, unknown>)[STATE_KEY] : undefined;
  if (text === undefined) return { state: defaultShowState(), problem: null };
  if (typeof text !== 'string') return { state: defaultShowState(), problem: `${STATE_DICT} holds ${typeof text} under ${STATE_KEY}, not show state text` };
  try {
    return { state: parseShowState(text), problem: null };
  } catch (error) {
    return { state: defaultShowState(), problem: (error as Error).message };
  }
}
