// Idempotent device requests (POST /v1/devices with an Idempotency-Key header): a retry with the
// same key and the same body gets the device the first request made; the same key with another
// body is refused (draft-ietf-httpapi-idempotency-key-header §2.7).
import { createHash } from 'node:crypto';
import { canonicalJson } from '#ingrain/encoding';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';

/** An Idempotency-Key value: 1-255 printable ASCII characters, no spaces. */
export const idempotencyKeySchema = z
  .string({ error: 'the Idempotency-Key header is required' })
  .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1-255 printable ASCII characters without spaces');

/** Domain tag of the request hash: names the operation and this hashing scheme's version. */
const REQUEST_HASH_DOMAIN = 'ingrain/request-hash/v1';

/**
 * SHA-256 (32 bytes) of `REQUEST_HASH_DOMAIN ‖ 0x00 ‖ operation ‖ 0x00 ‖ canonicalJson(body)`:
 * equal for bodies that differ only in member order or whitespace, different for any other change
 * (including a different operation). Hash the body as validated (after zod), so defaults are
 * part of it and unknown members are not.
 *
 * @throws TypeError for a body JSON cannot carry (see canonicalJson).
 */
export function requestHash(operation: string, body: unknown): Uint8Array {
  return Uint8Array.from(
    createHash('sha256')
      .update(REQUEST_HASH_DOMAIN)
      .update(Uint8Array.of(0))
      .update(operation)
      .update(Uint8Array.of(0))
      .update(canonicalJson(body))
      .digest(),
  );
}

/**
 * Checks an Idempotency-Key header value.
 *
 * @throws AppError `IDEMPOTENCY_KEY_INVALID` when it is missing or malformed.
 */
export function parseIdempotencyKey(value: unknown): string {
  const parsed = idempotencyKeySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new AppError('IDEMPOTENCY_KEY_INVALID', parsed.error.issues[0]?.message ?? 'invalid Idempotency-Key', {
    errors: [{ path: 'headers.idempotency-key', message: parsed.error.issues[0]?.message ?? 'invalid' }],
  });
}

/**
 * For a request whose key matched an earlier request of the same requester: returns normally when
 * the bodies hash alike (answer with the earlier result).
 *
 * @throws AppError `IDEMPOTENCY_KEY_REUSED` (extension `existingId`) when they differ.
 */
export function assertSameRequest(storedHash: Uint8Array, incomingHash: Uint8Array, existingId: string): void {
  if (Buffer.compare(storedHash, incomingHash) === 0) return;
  throw new AppError(
    'IDEMPOTENCY_KEY_REUSED',
    'this Idempotency-Key was already used with a different request body: use a new key for a new request',
    { extensions: { existingId } },
  );
}
