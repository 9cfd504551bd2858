import type { LearnProposal } from '../../../shared/api';

export interface LearnRow {
  songKey: string;
  songName: string;
  slot: string;
  beforeTrimDb: number;
  afterTrimDb: number;
  changeDb: number;
  measuredLufs: number | null;
  /** Where the song lands with the new trim: the trim change moves the integrated loudness one for one. */
  expectedLufs: number | null;
  measuredSeconds: number;
  /** The proposal would move the song by less than a tenth of a dB: applying it changes nothing audible. */
  negligible: boolean;
}

const NEGLIGIBLE_DB = 0.1;

/** Proposals in set order with what each would do; songs the show no longer has are left out. */
export function learnRows(proposals: readonly LearnProposal[], songsInOrder: readonly { key: string; name: string }[]): LearnRow[] {
  const order = new Map(songsInOrder.map((song, index) => [song.key, index]));
  const names = new Map(songsInOrder.map((song) => [song.key, song.name]));
  return proposals
    .filter((proposal) => order.has(proposal.songKey))
    .sort((a, b) => order.get(a.songKey)! - order.get(b.songKey)! || a.slot.localeCompare(b.slot))
    .map((proposal) => {
      const changeDb = proposal.afterTrimDb - proposal.beforeTrimDb;
      const measuredLufs = proposal.measured.integrated;
      return {
        songKey: proposal.songKey,
        songName: names.get(proposal.songKey) ?? proposal.songKey,
        slot: proposal.slot,
        beforeTrimDb: proposal.beforeTrimDb,
        afterTrimDb: proposal.afterTrimDb,
        changeDb,
        measuredLufs,
        expectedLufs: measuredLufs === null ? null : measuredLufs + changeDb,
        measuredSeconds: proposal.measured.measuredSeconds,
        negligible: Math.abs(changeDb) < NEGLIGIBLE_DB,
      };
    });
}

export function rowId(row: { songKey: string; slot: string }): string {
  return `${row.songKey}\u0000${row.slot}`;
}

/** The learn:apply items for the rows the user ticked, in set order. */
export function selectedItems(rows: readonly LearnRow[], selected: ReadonlySet<string>): { songKey: string; slot: string }[] {
  return rows.filter((row) => selected.has(rowId(row))).map(({ songKey, slot }) => ({ songKey, slot }));
}
