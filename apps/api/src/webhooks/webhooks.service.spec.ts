import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { ApiConfig } from '../config/api-config.js';
import { WebhookDeliveryRepository } from '../repositories/webhook-deliveries.js';
import {
  type NewWebhookSubscription,
  type WebhookSubscriptionRecord,
  WebhookSubscriptionRepository,
} from '../repositories/webhook-subscriptions.js';
import { automock, type Automocked, callsOf, resolves, stub } from '../testing/automock.js';
import { adminPrincipal } from '../testing/fixtures.js';
import { encodeCursor } from '../http/cursor.js';
import { parseWebhookSecret } from './signature.js';
import { WebhooksService } from './webhooks.service.js';

const WEBHOOK_ID = '3a0c6a55-1f7e-4c4e-9d53-2b8a4f0f1c01';

function subscription(overrides: Partial<WebhookSubscriptionRecord> = {}): WebhookSubscriptionRecord {
  return {
    id: WEBHOOK_ID,
    position: 1,
    url: 'https://mes.example/hook',
    eventTypes: ['device.provisioned'],
    enabled: true,
    createdBy: 'token-admin',
    createdAt: new Date('2030-01-01T00:00:00Z'),
    secretRotatedAt: null,
    ...overrides,
  };
}

describe('WebhooksService', () => {
  let subscriptions: Automocked<WebhookSubscriptionRepository>;
  let deliveries: Automocked<WebhookDeliveryRepository>;
  let service: WebhooksService;

  beforeEach(() => {
    subscriptions = automock(WebhookSubscriptionRepository);
    deliveries = automock(WebhookDeliveryRepository);
    const config = { webhooks: { allowHttp: false } } as unknown as ApiConfig;
    service = new WebhooksService(config, subscriptions, deliveries);
  });

  test('create: the secret is made here, stored as the key, and shown once as whsec_', async () => {
    let stored: Uint8Array | undefined;
    stub(subscriptions, 'create', (record: NewWebhookSubscription) => {
      stored = Uint8Array.from(record.secret);
      return Promise.resolve(subscription());
    });
    const created = await service.create(
      { url: 'https://mes.example/hook', eventTypes: ['device.provisioned'] },
      adminPrincipal(),
    );
    assert.match(created.secret, /^whsec_/);
    assert.deepEqual(parseWebhookSecret(created.secret), stored);
    assert.equal(stored?.length, 32);
    const [[record]] = callsOf(subscriptions, 'create') as [[NewWebhookSubscription]];
    assert.equal(record.createdBy, adminPrincipal().tokenId);
    assert.ok(
      record.secret.every((byte) => byte === 0),
      'the key is wiped from memory once stored',
    );
  });

  test('create: a refused URL names body.url and stores nothing', async () => {
    await assert.rejects(
      service.create({ url: 'http://mes.example/hook', eventTypes: ['device.failed'] }, adminPrincipal()),
      (error: { code: string; errors: { path: string }[] }) => {
        assert.equal(error.code, 'WEBHOOK_URL_REFUSED');
        assert.deepEqual(
          error.errors.map((issue) => issue.path),
          ['body.url'],
        );
        return true;
      },
    );
    assert.equal(callsOf(subscriptions, 'create').length, 0);
  });

  test('list: pages by position with an opaque cursor, never a secret', async () => {
    resolves(subscriptions, 'list', [subscription({ position: 4 }), subscription({ position: 9 })]);
    const page = await service.list({ limit: 1, cursor: encodeCursor('webhooks', [3]) });
    assert.deepEqual(callsOf(subscriptions, 'list'), [[2, 3]]);
    assert.equal(page.nextCursor, encodeCursor('webhooks', [4]));
    assert.equal(page.webhooks.length, 1);
    assert.equal('secret' in (page.webhooks[0] ?? {}), false);
    resolves(subscriptions, 'list', [subscription({ position: 9 })]);
    assert.equal((await service.list({ limit: 1, cursor: page.nextCursor ?? '' })).nextCursor, null);
  });

  test("list: a malformed cursor or another list's cursor is CURSOR_INVALID and nothing is read", async () => {
    const deliveryCursor = encodeCursor('webhook-deliveries', [4]);
    for (const cursor of ['abc', deliveryCursor, encodeCursor('webhooks', ['x'])]) {
      await assert.rejects(
        service.list({ limit: 1, cursor }),
        (error: { code: string; errors: { path: string }[] }) => {
          assert.equal(error.code, 'CURSOR_INVALID');
          assert.deepEqual(
            error.errors.map((issue) => issue.path),
            ['query.cursor'],
          );
          return true;
        },
      );
    }
    resolves(subscriptions, 'get', subscription());
    await assert.rejects(service.deliveryLog(WEBHOOK_ID, { limit: 1, cursor: encodeCursor('webhooks', [4]) }), {
      code: 'CURSOR_INVALID',
    });
    assert.equal(callsOf(subscriptions, 'list').length, 0);
    assert.equal(callsOf(deliveries, 'list').length, 0);
  });

  test('unknown ids: WEBHOOK_NOT_FOUND and WEBHOOK_DELIVERY_NOT_FOUND', async () => {
    resolves(subscriptions, 'get', undefined);
    await assert.rejects(service.get(WEBHOOK_ID), { code: 'WEBHOOK_NOT_FOUND' });
    resolves(subscriptions, 'delete', false);
    await assert.rejects(service.delete(WEBHOOK_ID), { code: 'WEBHOOK_NOT_FOUND' });
    resolves(subscriptions, 'rotateSecret', undefined);
    await assert.rejects(service.rotateSecret(WEBHOOK_ID), { code: 'WEBHOOK_NOT_FOUND' });
    resolves(subscriptions, 'get', subscription());
    resolves(deliveries, 'replay', false);
    await assert.rejects(service.replay(WEBHOOK_ID, WEBHOOK_ID), { code: 'WEBHOOK_DELIVERY_NOT_FOUND' });
  });
});
