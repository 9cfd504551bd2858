import { describe, expect, it } from 'vitest';
import { adoptSetSongs, newShow } from '../../src/shared/show';

const set = (...names: string[]) => names.map((name) => ({ key: name.toLowerCase(), name }));

describe('adopting the songs of a Live set', () => {
  it('lists a set built in Live first in its own order, without presets', () => {
    const { show, added } = adoptSetSongs(newShow({ name: 'Tour' }), set('Intro', 'Hold On', 'Finale'));
    expect(added).toEqual(['intro', 'hold on', 'finale']);
    expect(show.songs.map((s) => s.name)).toEqual(['Intro', 'Hold On', 'Finale']);
    expect(show.songs.every((s) => Object.keys(s.presets).length === 0)).toBe(true);
  });

  it('slots new songs in after their predecessor in the set and never moves or renames known ones', () => {
    const first = adoptSetSongs(newShow({ name: 'Tour' }), set('Intro', 'Finale')).show;
    const renamed = { ...first, songs: first.songs.map((s) => (s.key === 'finale' ? { ...s, name: 'The Finale' } : s)) };
    const { show, added } = adoptSetSongs(renamed, set('Opener', 'Intro', 'Ballad', 'Finale'));
    expect(added).toEqual(['opener', 'ballad']);
    expect(show.songs.map((s) => s.name)).toEqual(['Opener', 'Intro', 'Ballad', 'The Finale']);
  });

  it('changes nothing when the show has every song', () => {
    const show = adoptSetSongs(newShow({ name: 'Tour' }), set('Intro')).show;
    const again = adoptSetSongs(show, set('Intro'));
    expect(again.added).toEqual([]);
    expect(again.show).toBe(show);
  });
});
