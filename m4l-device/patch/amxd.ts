/**
 * The .amxd container (DESIGN.md §4): chunks of a 4-letter ASCII tag, a little-endian uint32
 * length and the payload. An unfrozen audio effect is `ampf` ("aaaa"), `meta` (4 bytes) and
 * `ptch` (the patcher JSON as UTF-8, ending "\n\0").
 */

/** `project.amxdtype` of an audio effect: "aaaa" read as a big-endian uint32. */
export const AMXD_TYPE_AUDIO_EFFECT = 1633771873;

const AUDIO_EFFECT = 'aaaa';
const META = new Uint8Array(4);

export interface AmxdChunk {
  tag: string;
  payload: Uint8Array;
}

function chunk(tag: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  out.set(new TextEncoder().encode(tag), 0);
  new DataView(out.buffer).setUint32(4, payload.length, true);
  out.set(payload, 8);
  return out;
}

/** Writes patcher JSON text into an .amxd audio effect. */
export function writeAmxd(patcherJson: string): Uint8Array {
  const ptch = new TextEncoder().encode(`${patcherJson}\n\0`);
  const parts = [chunk('ampf', new TextEncoder().encode(AUDIO_EFFECT)), chunk('meta', META), chunk('ptch', ptch)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Splits an .amxd into its chunks; throws naming the offset where the file stops making sense. */
export function readAmxdChunks(bytes: Uint8Array): AmxdChunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: AmxdChunk[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) throw new Error(`.amxd: truncated chunk header at byte ${at} (${bytes.length - at} bytes left, 8 needed)`);
    const tag = String.fromCharCode(...bytes.subarray(at, at + 4));
    if (!/^[\x20-\x7e]{4}$/.test(tag)) throw new Error(`.amxd: chunk tag at byte ${at} is not 4 ASCII letters`);
    const length = view.getUint32(at + 4, true);
    if (at + 8 + length > bytes.length) throw new Error(`.amxd: chunk "${tag}" at byte ${at} claims ${length} bytes but only ${bytes.length - at - 8} remain`);
    chunks.push({ tag, payload: bytes.subarray(at + 8, at + 8 + length) });
    at += 8 + length;
  }
  return chunks;
}

/** The device type and patcher JSON of an .amxd, checked against the layout above. */
export function readAmxd(bytes: Uint8Array): { deviceType: string; patcher: unknown } {
  const chunks = readAmxdChunks(bytes);
  const tags = chunks.map((c) => c.tag).join(',');
  if (tags !== 'ampf,meta,ptch') throw new Error(`.amxd: expected chunks ampf,meta,ptch, found ${tags}`);
  const [ampf, meta, ptch] = chunks;
  if (ampf.payload.length !== 4) throw new Error(`.amxd: ampf payload is ${ampf.payload.length} bytes, expected 4`);
  if (meta.payload.length !== 4) throw new Error(`.amxd: meta payload is ${meta.payload.length} bytes, expected 4`);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(ptch.payload);
  if (!text.endsWith('\n\0')) throw new Error('.amxd: ptch payload does not end with "\\n\\0"');
  return { deviceType: String.fromCharCode(...ampf.payload), patcher: JSON.parse(text.slice(0, -2)) };
}
