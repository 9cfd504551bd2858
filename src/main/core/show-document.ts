import type { DeviceSlot, ShowDocument } from '../../shared/api';
import { parseSlotKey, slotKey } from '../../shared/api';
import { defaultPreset, type Preset } from '../../shared/preset';
import { parseSlotId, slotId, type Show, type Slot } from '../../shared/show';

/**
 * The show file (src/shared/show.ts) and the panel's view of it (ShowDocument in
 * src/shared/api.ts) name slots differently ("Tracks/bus" vs "bus:Tracks") and keep the venue EQ
 * as five gains vs five bands. These are the only places that translate between the two.
 */

export function toShowSlot(key: string): Slot {
  const slot: DeviceSlot = parseSlotKey(key);
  return { track: slot.track, role: slot.role };
}

export function toApiSlotKey(id: string): string {
  const slot = parseSlotId(id);
  if (!slot) throw new Error(`show slot ${JSON.stringify(id)} is not "<track>/<role>"`);
  return slotKey(slot);
}

export function toShowDocument(show: Show): ShowDocument {
  const bands = defaultPreset().eq;
  return {
    name: show.name,
    targetLufs: show.targetLufs,
    toleranceLu: show.toleranceLu,
    ceilings: { ...show.ceilings },
    songs: show.songs.map((song) => ({
      key: song.key,
      name: song.name,
      presets: Object.fromEntries(Object.entries(song.presets).map(([id, preset]) => [toApiSlotKey(id), preset])),
    })),
    venue: {
      name: show.venue.name,
      trimDb: show.venue.trimDb,
      eq: bands.map((band, i) => ({ ...band, gainDb: show.venue.eqGainDb[i] })) as Preset['eq'],
    },
    notes: show.notes,
    revision: show.revision,
  };
}

export function venueGains(eq: Preset['eq']): [number, number, number, number, number] {
  return [eq[0].gainDb, eq[1].gainDb, eq[2].gainDb, eq[3].gainDb, eq[4].gainDb];
}

export function sameSlot(a: Slot, b: Slot): boolean {
  return slotId(a) === slotId(b);
}
