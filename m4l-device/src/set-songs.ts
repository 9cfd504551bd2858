import type { SetSong } from '../../src/shared/osc-protocol';
import { songKeyFromName } from './song-key';
import type { CuePoint } from './song-resolver';

/**
 * The songs of a Live set in set order, for panels that show a set before any song has a preset.
 * Scenes come first, in scene order: that is the set list of a session-view show. A song played
 * from several scenes (a relaunch scene, "[lb:key]" variants) is listed once, at its first scene.
 * Locators add the songs of an arrangement show, in time order, where no scene already names them.
 * Separators ("—", empty names) carry no song and are left out.
 */
export function setSongs(sceneNames: readonly string[], cues: readonly CuePoint[]): SetSong[] {
  const songs: SetSong[] = [];
  const listed = new Set<string>();
  const add = (name: string, at: { scene: number } | { cue: number }) => {
    const key = songKeyFromName(name);
    if (key === null || listed.has(key)) return;
    listed.add(key);
    songs.push({ key, name, ...at });
  };
  sceneNames.forEach((name, scene) => add(name, { scene }));
  // Stable sort: locators at the same time keep Live's order.
  [...cues].sort((a, b) => a.time - b.time).forEach((cue, index) => add(cue.name, { cue: index }));
  return songs;
}
