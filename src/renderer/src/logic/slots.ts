import type { DeviceInfo, Show } from '../../../shared/api';
import { parseSlotId, slotId, type Slot } from '../../../shared/show';

const ROLE_ORDER = { bus: 0, iem: 1, click: 2 } as const;

/**
 * Every preset slot the panel can show, as slot ids: those of the rig's bus and IEM devices and
 * those the show declares (a device may be missing today), bus slots first. Click devices play
 * the click and hold no song preset.
 */
export function presetSlots(show: Show | null, devices: readonly DeviceInfo[]): string[] {
  const slots = new Map<string, Slot>();
  // A device that has not reported its track yet has no slot to edit.
  for (const slot of [...(show?.slots ?? []), ...devices]) if (slot.role !== 'click' && slot.track !== '') slots.set(slotId(slot), slot);
  return [...slots]
    .sort(([, a], [, b]) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.track.localeCompare(b.track))
    .map(([id]) => id);
}

export function slotLabel(id: string): string {
  const slot = parseSlotId(id);
  return slot ? `${slot.track} (${slot.role})` : id;
}
