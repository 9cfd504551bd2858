import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { MeterReading } from '../../../shared/api';

export interface HistoryPoint {
  /** Seconds since the song started on this device. */
  t: number;
  shortTerm: number | null;
}

/** Six minutes at 10 Hz: longer songs keep their most recent part. */
export const HISTORY_POINTS = 3600;

/**
 * Meter readings per device and each device's short-term history of the song it is playing.
 * Both live in shallowRefs replaced once per animation frame by commit(): a reading arriving
 * ten times a second from each of many devices must not make Vue track thousands of numbers.
 */
export const useMetersStore = defineStore('meters', () => {
  const readings = shallowRef<Record<string, MeterReading>>({});
  const history = shallowRef<Record<string, { songKey: string | null; startedAt: number; points: HistoryPoint[] }>>({});

  function commit(batch: readonly MeterReading[]): void {
    if (batch.length === 0) return;
    const nextReadings = { ...readings.value };
    const nextHistory = { ...history.value };
    for (const reading of batch) {
      nextReadings[reading.deviceId] = reading;
      let song = nextHistory[reading.deviceId];
      if (!song || song.songKey !== reading.songKey) song = { songKey: reading.songKey, startedAt: reading.at, points: [] };
      // The points array grows in place: only the outer record is new, which is what triggers a redraw.
      song.points.push({ t: (reading.at - song.startedAt) / 1000, shortTerm: reading.shortTerm });
      if (song.points.length > HISTORY_POINTS) song.points.splice(0, song.points.length - HISTORY_POINTS);
      nextHistory[reading.deviceId] = song;
    }
    readings.value = nextReadings;
    history.value = nextHistory;
  }

  function forget(deviceIds: readonly string[]): void {
    const gone = new Set(deviceIds);
    readings.value = Object.fromEntries(Object.entries(readings.value).filter(([id]) => !gone.has(id)));
  }

  return { readings, history, commit, forget };
});
