import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { DeviceInfo, NowPlaying } from '../../../shared/api';
import { usePanelApi } from '../api/inject';

/** The device registry and which song each device is playing. */
export const useDevicesStore = defineStore('devices', () => {
  const api = usePanelApi();
  const devices = ref<DeviceInfo[]>([]);
  const nowPlaying = ref<NowPlaying>({});

  const lostDevices = computed(() => devices.value.filter((device) => device.state === 'lost'));

  /** Tracks in name order, each with its devices (a track may hold a bus and a click device). */
  const byTrack = computed(() => {
    const tracks = new Map<string, DeviceInfo[]>();
    for (const device of [...devices.value].sort((a, b) => a.track.localeCompare(b.track) || a.role.localeCompare(b.role))) {
      const list = tracks.get(device.track) ?? [];
      list.push(device);
      tracks.set(device.track, list);
    }
    return [...tracks].map(([track, list]) => ({ track, devices: list }));
  });

  /** The song the rig is playing: what most connected devices report, bus devices first. */
  const playingSongKey = computed<string | null>(() => {
    const votes = new Map<string, number>();
    for (const device of devices.value) {
      const key = nowPlaying.value[device.id];
      if (device.state !== 'connected' || !key) continue;
      votes.set(key, (votes.get(key) ?? 0) + (device.role === 'bus' ? 2 : 1));
    }
    let best: string | null = null;
    let most = 0;
    for (const [key, count] of votes) if (count > most) [best, most] = [key, count];
    return best;
  });

  function setDevices(next: DeviceInfo[]): void {
    devices.value = next;
  }

  function setNowPlaying(next: NowPlaying): void {
    nowPlaying.value = next;
  }

  async function load(): Promise<void> {
    const [list, playing] = await Promise.all([api.request('devices:list', {}), api.request('nowPlaying:get', {})]);
    devices.value = list;
    nowPlaying.value = playing;
  }

  return { devices, nowPlaying, lostDevices, byTrack, playingSongKey, setDevices, setNowPlaying, load };
});
