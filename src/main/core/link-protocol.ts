import { z } from 'zod';

/**
 * Messages between LinkService (in the core) and link-host.ts (the child process that owns the
 * Link addon), over the child's IPC channel. Both sides parse what they receive.
 */

export const MIN_QUANTUM = 1;
export const MAX_QUANTUM = 16;

const quantum = z.number().min(MIN_QUANTUM).max(MAX_QUANTUM);

export const hostConfigSchema = z.strictObject({
  quantum,
  startStopSync: z.boolean(),
  enabled: z.boolean(),
});
export type HostConfig = z.infer<typeof hostConfigSchema>;

export const hostCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('enable'), enabled: z.boolean() }),
  z.strictObject({ type: z.literal('quantum'), quantum }),
  z.strictObject({ type: z.literal('startStopSync'), enabled: z.boolean() }),
  z.strictObject({ type: z.literal('stop') }),
]);
export type HostCommand = z.infer<typeof hostCommandSchema>;

/** The session as the host read it at `at` (monotonic ms, see monotonicMs). */
export const hostSnapshotSchema = z.strictObject({
  type: z.literal('state'),
  at: z.number(),
  enabled: z.boolean(),
  tempo: z.number().positive(),
  beat: z.number(),
  phase: z.number(),
  quantum,
  peers: z.number().int().min(0),
  playing: z.boolean(),
  startStopSync: z.boolean(),
});
export type HostSnapshot = z.infer<typeof hostSnapshotSchema>;

export const hostMessageSchema = z.discriminatedUnion('type', [
  hostSnapshotSchema,
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

/**
 * CLOCK_MONOTONIC in milliseconds. Every process on the machine reads the same clock, so a beat
 * the host read at `at` can be carried forward by the core without asking the host again.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
