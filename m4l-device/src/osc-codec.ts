import { Buffer } from 'node:buffer';
import { decode, encode } from 'node-osc';
import type { OscAddressSpec, OscArg, OscArgValues } from '../../src/shared/osc-protocol';

/**
 * OSC packets in and out of the device, on node-osc's codec. node-osc's decoder returns values
 * without their type tags, and the protocol checks tags (an int where a string belongs is an
 * error, not a coincidence), so the header is read here first, with bounds checked, and the
 * values come from node-osc.
 */

export type DecodedPacket = { ok: true; address: string; tags: string; values: unknown[] } | { ok: false; address: string; reason: string };

function readPaddedString(packet: Buffer, offset: number, what: string): { value: string; next: number } | string {
  if (offset >= packet.length) return `${what} missing at byte ${offset} (packet is ${packet.length} bytes)`;
  const end = packet.indexOf(0, offset);
  if (end < 0) return `${what} at byte ${offset} has no terminating zero byte`;
  return { value: packet.toString('utf8', offset, end), next: offset + (Math.floor((end - offset) / 4) + 1) * 4 };
}

export function decodePacket(packet: Buffer): DecodedPacket {
  if (packet.length % 4 !== 0) return { ok: false, address: '', reason: `packet is ${packet.length} bytes, not a multiple of 4: not OSC` };
  const address = readPaddedString(packet, 0, 'address');
  if (typeof address === 'string') return { ok: false, address: '', reason: address };
  if (address.value === '#bundle') return { ok: false, address: '', reason: 'OSC bundles are not accepted: send each message on its own' };
  if (!address.value.startsWith('/')) return { ok: false, address: '', reason: 'address does not start with "/": not an OSC message' };
  const tags = readPaddedString(packet, address.next, 'type tag string');
  if (typeof tags === 'string') return { ok: false, address: address.value, reason: tags };
  if (!tags.value.startsWith(',')) return { ok: false, address: address.value, reason: `type tag string at byte ${address.next} does not start with ","` };
  try {
    const message = decode(packet) as { args: Array<{ value: unknown }> };
    return { ok: true, address: address.value, tags: tags.value.slice(1), values: message.args.map((arg) => arg.value) };
  } catch (error) {
    return { ok: false, address: address.value, reason: `arguments do not match type tags "${tags.value}": ${(error as Error).message}` };
  }
}

export function encodeMessage<A extends readonly OscArg[]>(address: string, args: A, values: OscArgValues<A>): Buffer {
  const typed = args.map((arg, i) => ({ type: arg.tag, value: (values as unknown[])[i] }));
  return encode({ oscType: 'message', address, args: typed });
}

/** The reply a request's table entry promises, on its reply address. */
export function encodeReply<A extends readonly OscArg[], R extends readonly OscArg[]>(spec: OscAddressSpec<A, R>, values: OscArgValues<R>): Buffer {
  if (!spec.reply) throw new Error(`${spec.address} has no reply`);
  return encodeMessage(spec.reply.address, spec.reply.args, values);
}
