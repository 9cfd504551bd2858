/**
 * Pairs analysed files with the show's songs by name, so "03 - Fire Song (master).wav" seeds
 * "Fire Song": case, punctuation, track numbers and bracketed notes are ignored. The panel shows
 * these pairs and the core seeds trims from the same ones.
 */
export function normaliseName(name: string): string {
  const base = name.replace(/^.*[\\/]/, '').replace(/\.[A-Za-z0-9]{2,5}$/, '');
  return base
    .toLowerCase()
    .replace(/[([{][^)\]}]*[)\]}]/g, ' ')
    .replace(/^\s*\d+\s*[-_.]?\s*/, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Each song at most once, to the first file (in the order given) whose name matches it. */
export function matchFilesToSongs(paths: readonly string[], songs: readonly { key: string; name: string }[]): { path: string; songKey: string }[] {
  const byName = new Map(songs.map((song) => [normaliseName(song.name), song.key]));
  const taken = new Set<string>();
  const matches: { path: string; songKey: string }[] = [];
  for (const path of paths) {
    const songKey = byName.get(normaliseName(path));
    if (songKey && !taken.has(songKey)) {
      taken.add(songKey);
      matches.push({ path, songKey });
    }
  }
  return matches;
}
