import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  formatWebhookSecret,
  generateWebhookSecret,
  parseWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookHeaders,
  WEBHOOK_SECRET_BYTES,
} from './signature.js';

// The published example of the Standard Webhooks reference libraries ("sign function works",
// standard-webhooks/standard-webhooks libraries/javascript/src/webhook.test.ts).
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestampSeconds: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signatures', () => {
  test("the spec's example vector", () => {
    const key = parseWebhookSecret(SPEC.secret);
    assert.equal(signWebhook(key, SPEC.id, SPEC.timestampSeconds, SPEC.body), SPEC.signature);
    assert.deepEqual(webhookHeaders(key, SPEC.id, SPEC.timestampSeconds, SPEC.body), {
      'webhook-id': SPEC.id,
      'webhook-timestamp': String(SPEC.timestampSeconds),
      'webhook-signature': SPEC.signature,
    });
  });

  test('a secret is 32 random bytes, shown as whsec_ + base64, and parses back', () => {
    const secret = generateWebhookSecret();
    assert.equal(secret.length, WEBHOOK_SECRET_BYTES);
    const text = formatWebhookSecret(secret);
    assert.match(text, /^whsec_[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(parseWebhookSecret(text), secret);
    assert.notDeepEqual(generateWebhookSecret(), secret);
  });

  test('verification: the right signature among several, within the tolerance', () => {
    const key = parseWebhookSecret(SPEC.secret);
    const headers = { id: SPEC.id, timestamp: String(SPEC.timestampSeconds), signature: SPEC.signature };
    const now = SPEC.timestampSeconds + 10;
    assert.equal(verifyWebhook(key, headers, SPEC.body, now), true);
    const several = `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${SPEC.signature}`;
    assert.equal(verifyWebhook(key, { ...headers, signature: several }, SPEC.body, now), true);
  });

  test('verification refuses another body, id, key, an old timestamp, another version', () => {
    const key = parseWebhookSecret(SPEC.secret);
    const headers = { id: SPEC.id, timestamp: String(SPEC.timestampSeconds), signature: SPEC.signature };
    const now = SPEC.timestampSeconds;
    assert.equal(verifyWebhook(key, headers, '{"test": 2432232315}', now), false);
    assert.equal(verifyWebhook(key, { ...headers, id: 'msg_other' }, SPEC.body, now), false);
    assert.equal(verifyWebhook(generateWebhookSecret(), headers, SPEC.body, now), false);
    assert.equal(verifyWebhook(key, headers, SPEC.body, now + 301), false);
    assert.equal(verifyWebhook(key, { ...headers, timestamp: 'soon' }, SPEC.body, now), false);
    assert.equal(
      verifyWebhook(key, { ...headers, signature: SPEC.signature.replace('v1,', 'v2,') }, SPEC.body, now),
      false,
    );
    assert.equal(verifyWebhook(key, { ...headers, signature: 'v1,' }, SPEC.body, now), false);
  });
});
