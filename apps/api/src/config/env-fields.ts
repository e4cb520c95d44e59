// The field kinds of the API's environment (env-schema.ts and the per-area config files).
import { z } from 'zod';

// Empty variables count as unset (compose files and shells often export VAR=).
export const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** The text of a whole number from `min` to `max`; the message names the range, never the value. */
function wholeNumber(min: number, max: number) {
  const message = `expected an integer from ${min} to ${max}`;
  return z.string().regex(/^\d+$/, message).transform(Number).pipe(z.number().min(min, message).max(max, message));
}

/** A whole number from `min` to `max` (unset: `fallback`); the message names the range, never the value. */
export function integer(min: number, max: number, fallback: number) {
  return optionalText.pipe(wholeNumber(min, max).default(fallback));
}

/** A whole number from `min` to `max`, or undefined when unset (the default then lives with its user). */
export function optionalInteger(min: number, max: number) {
  return optionalText.pipe(wholeNumber(min, max).optional());
}
