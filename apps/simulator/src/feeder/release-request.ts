import { z } from 'zod';

/**
 * A release request file, as the station's DirectoryFixtureControl writes it (docs/station.md,
 * "Fixtures and chip handling"): `{ formatVersion: 1, port, chipUid, bin, reason, requestedAt }`.
 * The simulator states the format itself (apps do not import each other).
 */
export const releaseRequestSchema = z.object({
  formatVersion: z.literal(1),
  port: z.string().min(1),
  chipUid: z
    .string()
    .regex(/^[0-9a-f]{2,64}$/)
    .nullable(),
  bin: z.enum(['done', 'quarantine']),
  reason: z.string().max(500),
  requestedAt: z.string().optional(),
});
export type ReleaseRequest = z.output<typeof releaseRequestSchema>;

/** Parses a request file's text; undefined when it is not a valid request. */
export function parseReleaseRequest(text: string): ReleaseRequest | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = releaseRequestSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
