// Issue 9, defect 10: the idempotency request_hash stored with a device is keyed (HMAC under a
// key derived in the HSM), not a bare SHA-256 of a body that may hold a short PIN; replays are
// still recognised, including those of rows stored with the old unkeyed hash.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { canonicalJson } from '#ingrain/encoding';
import { DeviceRequestsModule } from '../../apps/api/src/device-requests/device-requests.module.js';
import { JobsModule } from '../../apps/api/src/jobs/jobs.module.js';
import { TrustModule } from '../../apps/api/src/trust/index.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { seedCatalogRows, type SeededCatalog } from '../../testkit/catalog-rows.js';

let api: TestApi;
let catalog: SeededCatalog;
let mes: string;

before(async () => {
  api = await startTestApi({ extraModules: [TrustModule, JobsModule, DeviceRequestsModule] });
  catalog = await seedCatalogRows(api.database.kysely, { quantity: 100 });
  mes = await api.createToken('mes');
});

after(() => api?.close());

/** What anyone reading the database could compute from a guessed body before the fix. */
function unkeyedHash(body: unknown): Buffer {
  const message = ['ingrain/request-hash/v1', 'POST /v1/devices', canonicalJson(body)].join('\u0000');
  return createHash('sha256').update(message, 'utf8').digest();
}

function requestDevice(key: string, body: object) {
  return api.http().post('/v1/devices').set('authorization', `Bearer ${mes}`).set('idempotency-key', key).send(body);
}

async function storedHash(deviceId: string): Promise<Buffer> {
  const row = await api.database.kysely
    .selectFrom('devices')
    .select('request_hash')
    .where('id', '=', deviceId)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.request_hash);
}

test('the stored request hash is keyed; a replay is recognised; another body is refused', async () => {
  const body = { workOrderId: catalog.workOrderId, inputs: catalog.inputs };
  const key = randomUUID();
  const first = await requestDevice(key, body);
  assert.equal(first.status, 202, first.text);
  const deviceId = (first.body as { id: string }).id;

  const stored = await storedHash(deviceId);
  assert.equal(stored.length, 32);
  assert.notDeepEqual(stored, unkeyedHash(body), 'the stored hash must not be computable without the key');

  const replay = await requestDevice(key, body);
  assert.equal(replay.status, 202, replay.text);
  assert.equal((replay.body as { id: string }).id, deviceId);
  const other = await requestDevice(key, { ...body, serial: 'SN-OTHER-1' });
  assert.equal(other.status, 422, other.text);
  assert.equal((other.body as { code: string }).code, 'IDEMPOTENCY_KEY_REUSED');
});

test('a row stored with the old unkeyed hash still recognises its replay', async () => {
  const body = { workOrderId: catalog.workOrderId, inputs: catalog.inputs };
  const key = randomUUID();
  const first = await requestDevice(key, body);
  assert.equal(first.status, 202, first.text);
  const deviceId = (first.body as { id: string }).id;
  await api.database.kysely
    .updateTable('devices')
    .set({ request_hash: new Uint8Array(unkeyedHash(body)) })
    .where('id', '=', deviceId)
    .execute();

  const replay = await requestDevice(key, body);
  assert.equal(replay.status, 202, replay.text);
  assert.equal((replay.body as { id: string }).id, deviceId);
  const other = await requestDevice(key, { ...body, serial: 'SN-OTHER-2' });
  assert.equal(other.status, 422, other.text);
});
