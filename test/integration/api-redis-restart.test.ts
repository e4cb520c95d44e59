// Issue 9, defect 10: after a Redis restart without persistence, the queued devices get their
// jobs back as soon as the API's connection is ready again, not at the next 5-minute pass.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { DeviceRequestsModule } from '../../apps/api/src/device-requests/device-requests.module.js';
import { JobQueue } from '../../apps/api/src/jobs/job-queue.js';
import { JobsModule } from '../../apps/api/src/jobs/jobs.module.js';
import { TrustModule } from '../../apps/api/src/trust/index.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { seedCatalogRows, type SeededCatalog } from '../../testkit/catalog-rows.js';
import { startRedis, type RedisServer } from '../../testkit/stack/redis.js';

const DEVICES = 4;
/** Well under the reconciler's 5-minute period: only a pass on reconnection can make it. */
const REQUEUE_DEADLINE_MS = 15_000;

let api: TestApi;
let catalog: SeededCatalog;
let restarted: RedisServer | undefined;

before(async () => {
  api = await startTestApi({ extraModules: [TrustModule, JobsModule, DeviceRequestsModule] });
  catalog = await seedCatalogRows(api.database.kysely, { quantity: 100 });
});

after(async () => {
  await api?.close();
  await restarted?.stop();
});

async function pendingJobs(deviceIds: readonly string[]): Promise<number> {
  const jobs = api.app.get(JobQueue);
  let found = 0;
  for (const id of deviceIds) if ((await jobs.inspect(catalog.line, id).catch(() => undefined)) !== undefined) found++;
  return found;
}

test('queued devices are re-enqueued within seconds of Redis coming back empty', async () => {
  const mes = await api.createToken('mes');
  const deviceIds: string[] = [];
  for (let n = 0; n < DEVICES; n++) {
    const response = await api
      .http()
      .post('/v1/devices')
      .set('authorization', `Bearer ${mes}`)
      .set('idempotency-key', randomUUID())
      .send({ workOrderId: catalog.workOrderId, inputs: catalog.inputs });
    assert.equal(response.status, 202, response.text);
    deviceIds.push((response.body as { id: string }).id);
  }
  assert.equal(await pendingJobs(deviceIds), DEVICES);

  await api.redis.stop(); // no persistence: every job is gone
  restarted = await startRedis(3, api.redis.port);

  const started = Date.now();
  let found = 0;
  while (Date.now() - started < REQUEUE_DEADLINE_MS) {
    found = await pendingJobs(deviceIds);
    if (found === DEVICES) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.equal(found, DEVICES, `jobs back after ${Date.now() - started} ms`);
  const devices = await api.http().get('/v1/devices?state=queued').set('authorization', `Bearer ${mes}`);
  assert.equal((devices.body as { devices: unknown[] }).devices.length, DEVICES);
});
