import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WebhooksConfig } from '../config/webhooks-config.js';
import { type ClaimedDelivery, WebhookDeliveryRepository } from '../repositories/webhook-deliveries.js';
import { automock, callsOf, resolves } from '../testing/automock.js';
import { LEASE_MARGIN_MS, WebhookDispatcher } from './webhook-dispatcher.js';
import { parseWebhookSecret, signWebhook } from './signature.js';
import { WebhookSender } from './webhook-sender.js';

const settings: WebhooksConfig = {
  pollIntervalMs: 100,
  timeoutMs: 1_000,
  maxAttempts: 3,
  backoffBaseMs: 1_000,
  backoffMaxMs: 8_000,
  batchSize: 10,
  allowHttp: false,
};

const secret = parseWebhookSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');

function claim(attempt: number): ClaimedDelivery {
  return {
    id: `delivery-${attempt}`,
    leaseId: 'lease-1',
    attempt,
    subscriptionId: 'sub-1',
    url: 'https://mes.example/hook',
    secret,
    eventId: '6f1c2b9e-0000-4000-8000-000000000001',
    body: '{"type":"device.provisioned"}',
  };
}

function dispatcherWith(claims: ClaimedDelivery[], sent: Awaited<ReturnType<WebhookSender['post']>>) {
  const deliveries = automock(WebhookDeliveryRepository);
  resolves(deliveries, 'claimDue', claims);
  resolves(deliveries, 'recordAttempt', undefined);
  const sender = automock(WebhookSender);
  resolves(sender, 'post', sent);
  return { dispatcher: new WebhookDispatcher(undefined, deliveries, sender), deliveries, sender };
}

type RecordArgs = Parameters<WebhookDeliveryRepository['recordAttempt']>;

describe('WebhookDispatcher', () => {
  test('claims under a lease longer than the timeout, signs at the attempt time, records a delivery', async () => {
    const ok = { delivered: true, responseStatus: 204, errorClass: null, durationMs: 12 };
    const { dispatcher, deliveries, sender } = dispatcherWith([claim(1)], ok);
    assert.equal(await dispatcher.deliverDue(settings), 1);
    assert.deepEqual(callsOf(deliveries, 'claimDue'), [[10, 1_000 + LEASE_MARGIN_MS]]);
    const [[url, headers, body, timeoutMs]] = callsOf(sender, 'post') as [Parameters<WebhookSender['post']>];
    assert.deepEqual([url, body, timeoutMs], ['https://mes.example/hook', '{"type":"device.provisioned"}', 1_000]);
    assert.equal(headers['webhook-id'], claim(1).eventId);
    const timestamp = Number(headers['webhook-timestamp']);
    assert.ok(Math.abs(timestamp - Date.now() / 1000) < 60);
    assert.equal(headers['webhook-signature'], signWebhook(secret, claim(1).eventId, timestamp, body));
    const [[, outcome, next]] = callsOf(deliveries, 'recordAttempt') as [RecordArgs];
    assert.deepEqual([outcome.delivered, outcome.responseStatus, next.deadLetter], [true, 204, false]);
  });

  test('a failure before the last attempt is retried after the backoff of its attempt number', async () => {
    const failed = { delivered: false, responseStatus: 503, errorClass: 'http-5xx', durationMs: 5 };
    const { dispatcher, deliveries } = dispatcherWith([claim(2)], failed);
    await dispatcher.deliverDue(settings);
    const [[, outcome, next]] = callsOf(deliveries, 'recordAttempt') as [RecordArgs];
    assert.deepEqual([outcome.delivered, outcome.errorClass, next.deadLetter], [false, 'http-5xx', false]);
    assert.ok(next.retryDelayMs >= 1_000 && next.retryDelayMs <= 2_000, String(next.retryDelayMs));
  });

  test('the last attempt failing dead-letters the delivery', async () => {
    const failed = { delivered: false, responseStatus: null, errorClass: 'timeout', durationMs: 1_000 };
    const { dispatcher, deliveries } = dispatcherWith([claim(3)], failed);
    await dispatcher.deliverDue(settings);
    const [[, , next]] = callsOf(deliveries, 'recordAttempt') as [RecordArgs];
    assert.equal(next.deadLetter, true);
  });

  test('nothing due: nothing sent', async () => {
    const ok = { delivered: true, responseStatus: 200, errorClass: null, durationMs: 1 };
    const { dispatcher, sender } = dispatcherWith([], ok);
    assert.equal(await dispatcher.deliverDue(settings), 0);
    assert.equal(callsOf(sender, 'post').length, 0);
  });
});
