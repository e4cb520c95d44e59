// Idempotent device requests (POST /v1/devices with an Idempotency-Key header): a retry with the
// same key and the same body gets the device the first request made; the same key with another
// body is refused (draft-ietf-httpapi-idempotency-key-header §2.7).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Hsm, SERVICE_KEY_LABELS, type DerivationContext } from '#ingrain/crypto';
import { canonicalJson } from '#ingrain/encoding';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';

/** An Idempotency-Key value: 1-255 printable ASCII characters, no spaces. */
export const idempotencyKeySchema = z
  .string({ error: 'the Idempotency-Key header is required' })
  .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1-255 printable ASCII characters without spaces');

/** Domain tag of the v1 request hash (a bare SHA-256; stored before issue 9). */
const REQUEST_HASH_V1_DOMAIN = 'ingrain/request-hash/v1';
/** Domain tag of the v2 request hash (HMAC-SHA256 under the request-hash key). */
const REQUEST_HASH_V2_DOMAIN = 'ingrain/request-hash/v2';

/**
 * The SP 800-108 context the request-hash key is derived under, from the derivation master key.
 * `ingrain/api` is not a product id (ids are slugs, without `/`): no device secret has this context.
 */
export const REQUEST_HASH_KEY_CONTEXT: DerivationContext = {
  product: 'ingrain/api',
  serial: 'request-hash',
  purpose: 'hmac-sha256-key/v2',
};
const REQUEST_HASH_KEY_BYTES = 32;

/** `domain ‖ 0x00 ‖ operation ‖ 0x00 ‖ canonicalJson(body)`, the message both versions hash. */
function requestMessage(domain: string, operation: string, body: unknown): Buffer {
  return Buffer.concat([
    Buffer.from(domain, 'utf8'),
    Uint8Array.of(0),
    Buffer.from(operation, 'utf8'),
    Uint8Array.of(0),
    Buffer.from(canonicalJson(body), 'utf8'),
  ]);
}

/**
 * v1, kept only to recognise requests stored before v2: SHA-256 (32 bytes) of
 * `"ingrain/request-hash/v1" ‖ 0x00 ‖ operation ‖ 0x00 ‖ canonicalJson(body)`. Unkeyed: whoever
 * reads the stored hash can test guesses of a short secret input (a PIN) against it offline.
 *
 * @throws TypeError for a body JSON cannot carry (see canonicalJson).
 */
export function requestHashV1(operation: string, body: unknown): Uint8Array {
  return Uint8Array.from(
    createHash('sha256')
      .update(requestMessage(REQUEST_HASH_V1_DOMAIN, operation, body))
      .digest(),
  );
}

/**
 * v2, what is stored: HMAC-SHA256 (32 bytes) under `key` of
 * `"ingrain/request-hash/v2" ‖ 0x00 ‖ operation ‖ 0x00 ‖ canonicalJson(body)`: equal for bodies
 * that differ only in member order or whitespace, different for any other change (including a
 * different operation). Hash the body as validated (after zod), so defaults are part of it and
 * unknown members are not. Without the key, a stored hash says nothing about the body.
 *
 * @throws TypeError for a body JSON cannot carry (see canonicalJson).
 */
export function requestHashV2(key: Uint8Array, operation: string, body: unknown): Uint8Array {
  return Uint8Array.from(
    createHmac('sha256', key)
      .update(requestMessage(REQUEST_HASH_V2_DOMAIN, operation, body))
      .digest(),
  );
}

/** A request's hashes: `keyed` (v2) is stored; `legacy` (v1) only recognises rows stored before v2. */
export interface RequestDigest {
  readonly keyed: Uint8Array;
  readonly legacy: Uint8Array;
}

/**
 * Hashes device requests with the request-hash key: 32 bytes derived once, on first use, in the
 * HSM from the derivation master key (SP 800-108, {@link REQUEST_HASH_KEY_CONTEXT}). Every API
 * process derives the same key from the same token, so a retry may reach any of them; the key is
 * never stored or logged, and rotating the master key changes it (see `assertSameRequest`).
 */
@Injectable()
export class RequestHasher {
  #key: Promise<Uint8Array> | undefined;

  constructor(@Inject(Hsm) private readonly hsm: Pick<Hsm, 'deriveDeviceSecret'>) {}

  /**
   * The request's keyed (stored) and legacy hashes.
   *
   * @throws HsmError when the key cannot be derived (retried on the next call); TypeError for a
   *   body JSON cannot carry.
   */
  async digest(operation: string, body: unknown): Promise<RequestDigest> {
    const key = await this.#requestHashKey();
    return { keyed: requestHashV2(key, operation, body), legacy: requestHashV1(operation, body) };
  }

  #requestHashKey(): Promise<Uint8Array> {
    this.#key ??= this.hsm
      .deriveDeviceSecret(SERVICE_KEY_LABELS.derivationMaster, REQUEST_HASH_KEY_CONTEXT, REQUEST_HASH_KEY_BYTES)
      .catch((error: unknown) => {
        this.#key = undefined;
        throw error;
      });
    return this.#key;
  }
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * For a request whose key matched an earlier request of the same requester: returns normally when
 * the bodies hash alike (answer with the earlier result). The stored hash is compared with the
 * keyed (v2) hash, then with the legacy (v1) one: a row stored before v2 holds a v1 hash, which
 * cannot be re-keyed (the body is not stored), and a replay of its request is still recognised.
 *
 * @throws AppError `IDEMPOTENCY_KEY_REUSED` (extension `existingId`) when they differ.
 */
export function assertSameRequest(storedHash: Uint8Array, incoming: RequestDigest, existingId: string): void {
  if (sameBytes(storedHash, incoming.keyed) || sameBytes(storedHash, incoming.legacy)) return;
  throw new AppError(
    'IDEMPOTENCY_KEY_REUSED',
    'this Idempotency-Key was already used with a different request body: use a new key for a new request',
    { extensions: { existingId } },
  );
}
