// End to end, the API as a real process (bin/ingrain-api on PGlite, SoftHSM, Redis) and a real HTTP
// receiver (node:http, this process): devices are provisioned, quarantined and scrapped while the
// receiver stalls; the API is killed (SIGKILL) mid-delivery and started again; the receiver then
// fails each event's first attempt. Every event arrives at least once, with a stable id, a
// Standard Webhooks signature that verifies, in order per ordering key; a receiver that keeps
// failing gets backed-off retries in the delivery log until the delivery is dead-lettered; a
// replay (after a secret rotation) delivers it again with the same id, signed with the new secret;
// no secret appears in any answer after creation or in the API's output.
import assert from 'node:assert/strict';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { orderDevices, pollUntil, startLocalStack, type LocalStack } from '../../testkit/stack/index.js';
import { randomChipUid, successReport, type ClaimedImage } from '../../testkit/station-reports.js';

const MAX_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 200;
const BACKOFF_MAX_MS = 1_000;
const API_ENV = {
  INGRAIN_WEBHOOKS_POLL_INTERVAL_MS: '100',
  INGRAIN_WEBHOOKS_TIMEOUT_MS: '4000',
  INGRAIN_WEBHOOKS_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
  INGRAIN_WEBHOOKS_BACKOFF_BASE_MS: String(BACKOFF_BASE_MS),
  INGRAIN_WEBHOOKS_BACKOFF_MAX_MS: String(BACKOFF_MAX_MS),
};
const EVENT_TYPES = ['device.provisioned', 'device.quarantined', 'device.failed', 'work_order.closed'];

// ─── The receiver ───────────────────────────────────────────────────────────────────────────────

interface Received {
  readonly path: string;
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly body: string;
  /** What the receiver answered (0: it never answered). */
  status: number;
}

type Behaviour = (request: Received, earlier: readonly Received[]) => number | 'stall';

class Receiver {
  readonly received: Received[] = [];
  readonly #stalled: ServerResponse[] = [];
  behaviour: Record<string, Behaviour> = {};
  #server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((request, response) => void this.#handle(request, response));
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const header = (name: string) => String(request.headers[name] ?? '');
    const received: Received = {
      path: request.url ?? '',
      id: header('webhook-id'),
      timestamp: header('webhook-timestamp'),
      signature: header('webhook-signature'),
      body: Buffer.concat(chunks).toString('utf8'),
      status: 0,
    };
    const earlier = this.received.filter((r) => r.path === received.path && r.id === received.id);
    this.received.push(received);
    const answer = (this.behaviour[received.path] ?? (() => 204))(received, earlier);
    if (answer === 'stall') {
      this.#stalled.push(response);
      return;
    }
    received.status = answer;
    response.writeHead(answer).end();
  }

  /** The first successful request of each event id on `path`, in arrival order. */
  deliveredOn(path: string): Received[] {
    const seen = new Set<string>();
    return this.received.filter((r) => {
      if (r.path !== path || r.status < 200 || r.status > 299 || seen.has(r.id)) return false;
      seen.add(r.id);
      return true;
    });
  }

  async stop(): Promise<void> {
    for (const response of this.#stalled.splice(0)) response.destroy();
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}

/** A receiver's own Standard Webhooks check (written from the spec, not the API's code). */
function verifies(secretText: string, request: Received): boolean {
  const key = Buffer.from(secretText.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${request.id}.${request.timestamp}.${request.body}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(request.timestamp)) <= 300;
  return (
    fresh &&
    request.signature.split(' ').some((entry) => {
      const [version, mac = ''] = entry.split(',', 2);
      const given = Buffer.from(mac, 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    })
  );
}

// ─── Talking to the API ─────────────────────────────────────────────────────────────────────────

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  orderingKey: string;
  sequence: number;
  status: string;
  attempts: number;
  attemptLog: {
    attempt: number;
    startedAt: string;
    outcome: string;
    responseStatus: number | null;
    errorClass: string | null;
  }[];
}

interface EventBody {
  id: string;
  type: string;
  orderingKey: string;
  sequence: number;
  data: Record<string, unknown>;
}

describe('end to end: webhooks survive an API crash mid-delivery', () => {
  const receiver = new Receiver();
  const apiLines: string[] = [];
  /** Every answer the API gave after the first secret was shown. */
  const answers: string[] = [];
  let dir: string;
  let stack: LocalStack;

  async function call(method: string, path: string, token: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${stack.api.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(path === '/v1/devices' ? { 'idempotency-key': randomUUID() } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    answers.push(text);
    return { status: response.status, text, json: text === '' ? undefined : JSON.parse(text) };
  }

  async function deliveries(webhookId: string): Promise<Delivery[]> {
    const answer = await call('GET', `/v1/webhooks/${webhookId}/deliveries?limit=100`, stack.adminToken);
    assert.equal(answer.status, 200, answer.text);
    return (answer.json as { deliveries: Delivery[] }).deliveries;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-e2e-webhooks-'));
    await receiver.start();
    stack = await startLocalStack({
      dir: join(dir, 'stack'),
      stationIds: ['st-1'],
      apiEnv: API_ENV,
      apiLogLevel: 'info',
      onApiLine: (line) => apiLines.push(line),
    });
  });
  after(async () => {
    await stack?.close();
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('every event at least once, in order, stable ids, verified; retries, dead letter, replay; no secret shown again', async () => {
    const admin = stack.adminToken;
    const mes = stack.catalog.mesToken;
    const station = stack.catalog.stationTokens.get('st-1') ?? '';

    // Subscriptions: the MES's receiver for everything; one that keeps failing, for provisioned devices.
    const bad = await call('POST', '/v1/webhooks', admin, { url: 'ftp://mes.example/hook', eventTypes: EVENT_TYPES });
    assert.equal(bad.status, 422, bad.text);
    assert.deepEqual(
      (bad.json as { errors: { path: string }[] }).errors.map((e) => e.path),
      ['body.url'],
    );
    const created = await call('POST', '/v1/webhooks', admin, { url: `${receiver.url}/main`, eventTypes: EVENT_TYPES });
    assert.equal(created.status, 201, created.text);
    const main = created.json as { id: string; secret: string };
    assert.match(main.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const createdFailing = await call('POST', '/v1/webhooks', admin, {
      url: `${receiver.url}/failing`,
      eventTypes: ['device.provisioned'],
    });
    assert.equal(createdFailing.status, 201, createdFailing.text);
    const failing = createdFailing.json as { id: string; secret: string };
    const secrets = [main.secret, failing.secret];
    answers.length = 0; // from here on, no answer may carry a secret

    const list = await call('GET', '/v1/webhooks?limit=1', admin);
    const page = list.json as { webhooks: { id: string }[]; nextCursor: string | null };
    assert.deepEqual([page.webhooks.map((w) => w.id), page.nextCursor !== null], [[main.id], true]);
    const rest = await call('GET', `/v1/webhooks?limit=1&cursor=${page.nextCursor ?? ''}`, admin);
    const next = rest.json as { webhooks: { id: string }[]; nextCursor: string | null };
    assert.deepEqual([next.webhooks.map((w) => w.id), next.nextCursor], [[failing.id], null]);
    const foreign = await call('GET', `/v1/webhooks/${main.id}/deliveries?cursor=${page.nextCursor ?? ''}`, admin);
    assert.deepEqual(
      [foreign.status, (foreign.json as { code: string }).code],
      [400, 'CURSOR_INVALID'],
      'one list per cursor',
    );
    assert.equal((await call('GET', '/v1/webhooks', mes)).status, 403, 'admin only');

    // The receiver stalls: the first attempt hangs until the API dies.
    receiver.behaviour = { '/main': () => 'stall', '/failing': () => 503 };
    const order = await orderDevices(stack.client(mes), {
      productId: stack.catalog.productId,
      quantity: 3,
      serialPrefix: 'SN-WH-',
    });
    const [provisionedId = '', quarantinedId = '', scrappedId = ''] = order.deviceIds;
    const claim = async (deviceId: string): Promise<ClaimedImage> => {
      const chipUid = randomChipUid();
      const answer = await call('POST', `/v1/devices/${deviceId}/claim`, station, { chipUid, claimId: randomUUID() });
      assert.equal(answer.status, 200, answer.text);
      return { ...(answer.json as ClaimedImage), chipUid };
    };
    const exact = await claim(provisionedId);
    const report = async (deviceId: string, body: unknown, verdict: string) => {
      const answer = await call('POST', `/v1/devices/${deviceId}/result`, station, body);
      assert.equal(answer.status, 200, answer.text);
      assert.equal((answer.json as { verdict: string }).verdict, verdict);
    };
    await report(provisionedId, successReport(exact), 'provisioned');
    const wrong = await claim(quarantinedId);
    await report(quarantinedId, successReport(wrong, { chipUid: randomChipUid() }), 'quarantined');
    const scrapped = await call('POST', `/v1/devices/${scrappedId}/scrap`, admin, { reason: 'dropped on the floor' });
    assert.equal(scrapped.status, 200, scrapped.text);

    await pollUntil(
      'a delivery in flight',
      () => (receiver.received.some((r) => r.path === '/main') ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
    await stack.api.kill();
    const inFlight = receiver.received.filter((r) => r.path === '/main' && r.status === 0).map((r) => r.id);
    assert.ok(inFlight.length > 0, 'killed mid-delivery');

    // Back: each event's first attempt after the restart fails (500), the next one succeeds.
    const sinceRestart = receiver.received.length;
    receiver.behaviour['/main'] = (request) =>
      receiver.received.slice(sinceRestart).filter((r) => r.path === '/main' && r.id === request.id).length > 1
        ? 204
        : 500;
    await stack.api.start();
    const closed = await call('POST', `/v1/work-orders/${order.workOrderId}/close`, mes);
    assert.equal(closed.status, 200, closed.text);

    const mainLog = await pollUntil(
      'every event delivered to the main receiver',
      async () => {
        const log = await deliveries(main.id);
        return log.length === 4 && log.every((d) => d.status === 'delivered') ? log : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    const deliveredBodies = receiver.deliveredOn('/main');
    assert.equal(deliveredBodies.length, 4, 'each of the four events delivered');
    const events = deliveredBodies.map((r) => JSON.parse(r.body) as EventBody);
    assert.deepEqual(
      events.map((e) => [e.type, e.data['deviceId'] ?? e.data['workOrderId']]).sort(),
      [
        ['device.failed', scrappedId],
        ['device.provisioned', provisionedId],
        ['device.quarantined', quarantinedId],
        ['work_order.closed', order.workOrderId],
      ].sort(),
    );
    const byType = new Map(events.map((e) => [e.type, e]));
    assert.equal(byType.get('device.quarantined')?.data['reason'], 'identity-mismatch');
    assert.equal(byType.get('device.failed')?.data['reason'], 'dropped on the floor');
    assert.equal(byType.get('device.failed')?.data['fromState'], 'queued');
    assert.equal(typeof byType.get('device.provisioned')?.data['attestationLeafIndex'], 'number');
    assert.equal((byType.get('work_order.closed')?.data['counts'] as { provisioned: number }).provisioned, 1);

    // Stable ids, signatures, order per key.
    for (const request of receiver.received.filter((r) => r.path === '/main')) {
      assert.ok(verifies(main.secret, request), `signature of ${request.id} verifies`);
      assert.equal((JSON.parse(request.body) as EventBody).id, request.id, 'body id = webhook-id');
    }
    for (const id of inFlight) {
      const attempts = receiver.received.filter((r) => r.path === '/main' && r.id === id);
      assert.ok(attempts.length >= 3, `event ${id}: stalled, failed, delivered — one id throughout`);
      assert.ok(new Set(attempts.map((r) => r.body)).size === 1, 'the same body every time');
    }
    const lastSequence = new Map<string, number>();
    for (const event of events) {
      assert.ok(event.sequence > (lastSequence.get(event.orderingKey) ?? 0), `${event.orderingKey} in order`);
      lastSequence.set(event.orderingKey, event.sequence);
    }

    // The delivery log: failed attempts (the receiver's 500s; on a loaded machine an answer may
    // also come after the timeout), then the delivery.
    for (const delivery of mainLog) {
      const outcomes = delivery.attemptLog.map((a) => [a.outcome, a.responseStatus, a.errorClass]);
      assert.deepEqual(outcomes.at(-1), ['delivered', 204, null]);
      const failures = outcomes.slice(0, -1);
      assert.ok(failures.length > 0, 'the first attempt after the restart failed');
      for (const failure of failures) {
        assert.ok(
          [JSON.stringify(['failed', 500, 'http-5xx']), JSON.stringify(['failed', null, 'timeout'])].includes(
            JSON.stringify(failure),
          ),
          JSON.stringify(failure),
        );
      }
      if (inFlight.includes(delivery.eventId)) {
        assert.ok(delivery.attempts > delivery.attemptLog.length, 'the attempt the crash cut short is counted');
      }
    }
    assert.ok(
      mainLog.some((d) => d.attemptLog.some((a) => a.responseStatus === 500 && a.errorClass === 'http-5xx')),
      "the receiver's 500 is in the log",
    );

    // The failing receiver: retries with backoff, then the dead letter.
    const [dead] = await pollUntil(
      'the failing delivery dead-lettered',
      async () => {
        const log = await deliveries(failing.id);
        return log.length === 1 && log[0]?.status === 'dead' ? log : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    assert.ok(dead !== undefined);
    assert.equal(dead.attempts, MAX_ATTEMPTS);
    const failures = dead.attemptLog.filter((a) => a.outcome === 'failed');
    assert.ok(failures.every((a) => a.responseStatus === 503 && a.errorClass === 'http-5xx'));
    const lastAttempts = dead.attemptLog.slice(-Math.min(dead.attemptLog.length, MAX_ATTEMPTS - 1));
    for (let i = 1; i < lastAttempts.length; i++) {
      const gapMs = Date.parse(lastAttempts[i]?.startedAt ?? '') - Date.parse(lastAttempts[i - 1]?.startedAt ?? '');
      const attempt = lastAttempts[i - 1]?.attempt ?? 1;
      const leastMs = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1)) / 2;
      assert.ok(gapMs >= leastMs - 5, `attempt ${attempt + 1} waited ${gapMs} ms ≥ ${leastMs} ms`);
    }

    // Rotate the secret, let the receiver recover, replay: same id, signed with the new secret.
    const rotated = await call('POST', `/v1/webhooks/${failing.id}/rotate-secret`, admin);
    assert.equal(rotated.status, 200, rotated.text);
    const newSecret = (rotated.json as { secret: string }).secret;
    assert.notEqual(newSecret, failing.secret);
    answers.pop(); // the rotation's own answer carries the new secret, once
    secrets.push(newSecret);
    receiver.behaviour['/failing'] = () => 204;
    const replayed = await call('POST', `/v1/webhooks/${failing.id}/deliveries/${dead.id}/replay`, admin);
    assert.equal(replayed.status, 202, replayed.text);
    assert.equal(
      (await call('POST', `/v1/webhooks/${failing.id}/deliveries/${randomUUID()}/replay`, admin)).status,
      404,
    );
    await pollUntil(
      'the replay delivered',
      async () => ((await deliveries(failing.id))[0]?.status === 'delivered' ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const [replay] = receiver.deliveredOn('/failing');
    assert.ok(replay !== undefined);
    assert.equal(replay.id, dead.eventId, 'the same event id');
    assert.equal(verifies(newSecret, replay), true, 'signed with the new secret');
    assert.equal(verifies(failing.secret, replay), false, 'not with the old one');
    assert.equal(
      byType.get('device.provisioned')?.id,
      replay.id,
      'both subscriptions got the one device.provisioned event',
    );

    // No secret after creation: not in any answer, not in the API's output.
    const printed = [...answers, ...apiLines].join('\n');
    for (const secret of secrets) {
      assert.ok(!printed.includes(secret), 'a secret was shown again');
      assert.ok(!printed.includes(secret.slice('whsec_'.length, 30)), 'a secret was shown again (base64)');
    }
    assert.ok(
      apiLines.some((line) => line.includes('attempt')),
      'the API logged the failed attempts',
    );
  });
});
