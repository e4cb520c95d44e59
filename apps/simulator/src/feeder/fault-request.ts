import { z } from 'zod';
import { faultPlanSchema, type FaultPlan } from '#ingrain/simulator';

/** Longest a cut power may stay off before the feeder brings it back. */
export const MAX_POWER_BACK_AFTER_MS = 60_000;
/** When a request names none. */
export const DEFAULT_POWER_BACK_AFTER_MS = 500;

/**
 * A fault request file (`<releaseDir>/faults/*.json`): arm `plan` on the chip that fixture `port`
 * holds now (counters start at arming), and bring its power back `powerBackAfterMs` after a
 * power-loss fault cut it — what a flaky supply, a loose probe or a noisy cable does at a line.
 * `chipUid`, when given, must be the chip in the fixture (else the request is stale and ignored).
 */
export const faultRequestSchema = z.strictObject({
  formatVersion: z.literal(1),
  port: z.string().min(1),
  chipUid: z
    .string()
    .regex(/^[0-9a-f]{2,64}$/)
    .nullable()
    .default(null),
  plan: faultPlanSchema,
  powerBackAfterMs: z.int().min(0).max(MAX_POWER_BACK_AFTER_MS).default(DEFAULT_POWER_BACK_AFTER_MS),
});
export type FaultRequest = Omit<z.output<typeof faultRequestSchema>, 'plan'> & { readonly plan: FaultPlan };

/** Parses a request file's text; undefined when it is not a valid fault request. */
export function parseFaultRequest(text: string): FaultRequest | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = faultRequestSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
