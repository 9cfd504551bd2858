import type { DeviceInfo, LinkState, Show, SongLoudness } from '../../../shared/api';
import { slotId } from '../../../shared/show';

export interface CheckItem {
  id: 'presets' | 'devices' | 'routing' | 'sample-rate' | 'link' | 'tolerance';
  label: string;
  ok: boolean;
  /** What is wrong and where, or what was checked. */
  detail: string;
}

/**
 * Slots that need a preset for every song: bus devices. In-ear devices play at unity with only
 * their limiter at the IEM ceiling, and click devices play the click, whatever the song.
 */
function songPresetSlots(devices: readonly DeviceInfo[]): string[] {
  return [...new Set(devices.filter((device) => device.role === 'bus').map((device) => slotId(device)))];
}

function list(names: readonly string[], most = 4): string {
  return names.length <= most ? names.join(', ') : `${names.slice(0, most).join(', ')} and ${names.length - most} more`;
}

/**
 * The pre-show checklist: everything that should be true before the first song, each with the
 * names of what fails so the fix is obvious.
 */
export function preShowChecklist(input: { show: Show; devices: readonly DeviceInfo[]; link: LinkState | null; loudness: readonly SongLoudness[] }): CheckItem[] {
  const { show, devices, link, loudness } = input;
  const slots = songPresetSlots(devices);

  const missingPresets = show.songs.flatMap((song) => slots.filter((slot) => !song.presets[slot]).map((slot) => `${song.name} (${slot})`));
  const showSlots = show.slots.map(slotId);
  const connected = new Set(devices.filter((device) => device.state === 'connected').map((device) => slotId(device)));
  const absent = showSlots.filter((slot) => !connected.has(slot));
  const alarms = devices.filter((device) => device.alarm !== null).map((device) => `${device.track}: ${device.alarm}`);
  const rates = [...new Set(devices.map((device) => device.sampleRate))].sort((a, b) => a - b);
  const { targetLufs, toleranceLu } = show;
  const songNames = new Map(show.songs.map((song) => [song.key, song.name]));
  const outside = loudness.filter((entry) => songNames.has(entry.songKey) && entry.integrated !== null && Math.abs(entry.integrated - targetLufs) > toleranceLu);
  const measured = new Set(loudness.filter((entry) => entry.integrated !== null).map((entry) => entry.songKey));
  const unmeasured = show.songs.filter((song) => !measured.has(song.key)).length;

  return [
    {
      id: 'presets',
      label: 'Every song has a preset',
      ok: slots.length > 0 && missingPresets.length === 0,
      detail: slots.length === 0 ? 'no bus device in the rig to hold presets' : missingPresets.length ? `missing: ${list(missingPresets)}` : `${show.songs.length} songs × ${slots.length} slots`,
    },
    {
      id: 'devices',
      label: 'Expected devices present',
      ok: absent.length === 0 && devices.length > 0,
      detail: devices.length === 0 ? 'no device has announced itself' : absent.length ? `not connected: ${list(absent)}` : `${connected.size} connected`,
    },
    { id: 'routing', label: 'No routing alarm', ok: alarms.length === 0, detail: alarms.length ? list(alarms, 3) : 'routing checked on every device' },
    {
      id: 'sample-rate',
      label: 'Sample rate consistent',
      ok: rates.length <= 1,
      detail: rates.length > 1 ? `devices run at ${rates.map((rate) => `${rate / 1000} kHz`).join(' and ')}` : rates.length ? `${rates[0] / 1000} kHz` : 'no devices',
    },
    {
      id: 'link',
      label: 'Link peers present',
      ok: link !== null && link.enabled && link.peers > 0,
      detail: link === null || !link.enabled ? 'Link is off' : link.peers > 0 ? `${link.peers} peer${link.peers === 1 ? '' : 's'}` : 'no peer: is Link on in Live?',
    },
    {
      id: 'tolerance',
      label: 'Songs within tolerance',
      ok: outside.length === 0,
      detail: outside.length
        ? `outside ±${toleranceLu} LU: ${list(outside.map((entry) => songNames.get(entry.songKey)!))}`
        : unmeasured > 0
          ? `${unmeasured} song${unmeasured === 1 ? '' : 's'} not measured yet`
          : 'all measured songs within tolerance',
    },
  ];
}
