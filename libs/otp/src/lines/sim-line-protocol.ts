import { z } from 'zod';

// The simulator's per-fixture control socket (a Unix socket, one JSON object per line each way):
// the channel a pty lacks for DTR, RTS, BREAK and GPIO. One home for both ends: the station's
// `SimLineDriver` and the simulator's line-control server.

/** A request to the simulated fixture. */
export const simLineRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('modem'), dtr: z.boolean(), rts: z.boolean() }),
  z.strictObject({ op: z.literal('break'), durationMs: z.number().int().min(0).max(10_000) }),
  z.strictObject({ op: z.literal('gpio'), levels: z.record(z.string().regex(/^\d+$/), z.boolean()) }),
  z.strictObject({ op: z.literal('status') }),
]);
export type SimLineRequest = z.infer<typeof simLineRequestSchema>;

/** What the fixture's chip does after the request. */
export const simLineStatusSchema = z.strictObject({
  mode: z.enum(['bootloader', 'application', 'in-reset', 'empty']),
  boot0High: z.boolean(),
  resetAsserted: z.boolean(),
});
export type SimLineStatus = z.infer<typeof simLineStatusSchema>;

export const simLineResponseSchema = z.union([
  z.strictObject({ ok: z.literal(true), status: simLineStatusSchema }),
  z.strictObject({ ok: z.literal(false), error: z.string() }),
]);
export type SimLineResponse = z.infer<typeof simLineResponseSchema>;
