// Standard Webhooks signatures (standardwebhooks.com, "Signature scheme"): HMAC-SHA256 under the
// subscription's secret of `<webhook-id>.<webhook-timestamp>.<body>`, base64, sent as
// `webhook-signature: v1,<base64>` (several space-separated while secrets overlap).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
/** The spec asks for 24–64 random bytes; 32 here. */
export const WEBHOOK_SECRET_BYTES = 32;

/** A new random secret (raw bytes: the HMAC key). */
export function generateWebhookSecret(): Uint8Array {
  return new Uint8Array(randomBytes(WEBHOOK_SECRET_BYTES));
}

/** `whsec_` + base64 of the key: the form the create and rotate answers show once. */
export function formatWebhookSecret(secret: Uint8Array): string {
  return `${SECRET_PREFIX}${Buffer.from(secret).toString('base64')}`;
}

/** The key of a `whsec_…` (or bare base64) secret. */
export function parseWebhookSecret(text: string): Uint8Array {
  const base64 = text.startsWith(SECRET_PREFIX) ? text.slice(SECRET_PREFIX.length) : text;
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

/** `v1,<base64 HMAC-SHA256(secret, id.timestamp.body)>`. */
export function signWebhook(secret: Uint8Array, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/** The three headers of one delivery attempt, signed at `timestampSeconds`. */
export function webhookHeaders(
  secret: Uint8Array,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signWebhook(secret, id, timestampSeconds, body),
  };
}

/**
 * A receiver's check: the timestamp within `toleranceSeconds` of `nowSeconds` (the spec's replay
 * protection) and one of the `v1` signatures equal to ours, compared in constant time.
 */
export function verifyWebhook(
  secret: Uint8Array,
  headers: { readonly id: string; readonly timestamp: string; readonly signature: string },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (!/^\d+$/.test(headers.timestamp)) return false;
  const timestamp = Number(headers.timestamp);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, headers.id, timestamp, body).slice(3), 'base64');
  return headers.signature.split(' ').some((entry) => {
    const [version, mac] = entry.split(',', 2);
    if (version !== 'v1' || mac === undefined) return false;
    const given = Buffer.from(mac, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
