import { parseSlotKey, slotKey, type DeviceInfo, type ShowDocument } from '../../../shared/api';

const ROLE_ORDER = { bus: 0, iem: 1, click: 2 } as const;

/**
 * Every preset slot the panel can show: those of the rig's bus and IEM devices and those the
 * show already has presets for (a device may be missing today), bus slots first.
 */
export function presetSlots(show: ShowDocument | null, devices: readonly DeviceInfo[]): string[] {
  const keys = new Set<string>(devices.filter((device) => device.role !== 'click').map((device) => slotKey(device)));
  for (const song of show?.songs ?? []) for (const key of Object.keys(song.presets)) keys.add(key);
  return [...keys].sort((a, b) => {
    const [slotA, slotB] = [parseSlotKey(a), parseSlotKey(b)];
    return ROLE_ORDER[slotA.role] - ROLE_ORDER[slotB.role] || slotA.track.localeCompare(slotB.track);
  });
}

export function slotLabel(key: string): string {
  const { track, role } = parseSlotKey(key);
  return `${track} (${role})`;
}
