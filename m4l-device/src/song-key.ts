/**
 * Song keys from scene and locator names. A playback set names its scenes "03 Hold On [v2]":
 * the running number and the bracketed tags change as the set list is rearranged, the song does
 * not, so the key drops both: `hold on`. An explicit `[lb:key]` tag names the key outright for
 * songs whose scene names differ (two arrangements of one song, a medley split over scenes).
 *
 * Names that carry no song ("", "—", "---", "* * *") give null: separators, talk and interlude
 * scenes, which the resolver treats as "not a song" rather than a song called "—".
 */

const EXPLICIT_TAG = /\[\s*lb\s*:\s*([^\]]*?)\s*\]/i;
const BRACKETED = /\[[^\]]*\]|\([^)]*\)/g;
/** "03 ", "3. ", "03 - ", "12_": the set-list number in front of the title. */
const LEADING_NUMBER = /^\s*\d+\s*[-.:_)]*\s+|^\s*\d+\s*[-.:_)]+\s*/;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

export function songKeyFromName(name: string): string | null {
  const explicit = EXPLICIT_TAG.exec(name);
  if (explicit) return normalise(explicit[1]);
  const withoutTags = name.replace(BRACKETED, ' ');
  const withoutNumber = withoutTags.replace(LEADING_NUMBER, '');
  // A scene called just "07" keeps its number: it is the only name the song has.
  return normalise(HAS_LETTER_OR_DIGIT.test(withoutNumber) ? withoutNumber : withoutTags);
}

function normalise(text: string): string | null {
  const key = text.replace(/\s+/g, ' ').trim().toLowerCase();
  return HAS_LETTER_OR_DIGIT.test(key) ? key : null;
}
