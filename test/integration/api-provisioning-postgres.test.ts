// Provisioning on PostgreSQL, with two API instances sharing the database, the Redis server and the
// HSM token (two connection pools: truly concurrent transactions, as two processes would run
// them): the quota, the idempotency key, the chip binding and the attestation each hold exactly
// once however the requests are spread over the instances.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { attestationLeafBytes, verifyAttestationEnvelope, verifyCheckpoint, verifyInclusion } from '#ingrain/crypto';
import request from 'supertest';
import type { Response } from 'supertest';
import { LogReader } from '../../apps/api/src/audit/log-reader.js';
import { Database } from '../../apps/api/src/database/database.js';
import { DeviceRequestsModule } from '../../apps/api/src/device-requests/device-requests.module.js';
import { createApp } from '../../apps/api/src/http/create-app.js';
import { JobQueue } from '../../apps/api/src/jobs/job-queue.js';
import { JobsModule } from '../../apps/api/src/jobs/jobs.module.js';
import { DeviceRepository, WorkOrderRepository } from '../../apps/api/src/repositories/index.js';
import { TrustModule, TrustService } from '../../apps/api/src/trust/index.js';
import { seedCatalogRows, type SeededCatalog } from '../../testkit/catalog-rows.js';
import { randomChipUid, successReport, type ClaimedImage } from '../../testkit/station-reports.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';

const MODULES = [TrustModule, JobsModule, DeviceRequestsModule];

let api: TestApi;
let second: NestFastifyApplication;
let secondDatabase: Database;
let mes: string;
let station: string;
let catalog: SeededCatalog;

const bearer = (token: string) => `Bearer ${token}`;
/** Supertest on instance 0 (the test API) or 1 (the second instance). */
const on = (instance: number) => (instance % 2 === 0 ? api.http() : request(second.getHttpServer()));

function requestDevice(instance: number, body: object, key: string = randomUUID()): Promise<Response> {
  return on(instance).post('/v1/devices').set('Authorization', bearer(mes)).set('Idempotency-Key', key).send(body);
}

function claim(instance: number, deviceId: string, chipUid: string): Promise<Response> {
  return on(instance)
    .post(`/v1/devices/${deviceId}/claim`)
    .set('Authorization', bearer(station))
    .send({ chipUid, claimId: randomUUID() });
}

async function createDevice(seed: SeededCatalog = catalog): Promise<string> {
  const response = await requestDevice(0, { workOrderId: seed.workOrderId, inputs: seed.inputs });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return (response.body as { id: string }).id;
}

before(async () => {
  api = await startTestApi({ databaseKind: 'postgres', extraModules: MODULES });
  secondDatabase = await Database.open(api.databaseConfig, { migrate: false });
  second = await createApp(api.config, {
    database: secondDatabase,
    extraModules: MODULES,
    logDestination: { write: () => undefined },
  });
  catalog = await seedCatalogRows(api.database.kysely, { quantity: 1000 });
  mes = await api.createToken('mes');
  station = await api.createToken('station', 'station', catalog.stationId);
});

after(async () => {
  await second?.close();
  await secondDatabase?.close();
  await api?.close();
});

void describe('on PostgreSQL', () => {
  test('the happy path: create → job → claim on one instance → result on the other → attested and logged', async () => {
    const deviceId = await createDevice();
    const job = await api.app.get(JobQueue).inspect(catalog.line, deviceId);
    assert.deepEqual(job?.data, { deviceId, productId: catalog.productId, layoutVersion: 1 });
    const claimed = await claim(0, deviceId, randomChipUid());
    assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
    const answer = await on(1)
      .post(`/v1/devices/${deviceId}/result`)
      .set('Authorization', bearer(station))
      .send(successReport(claimed.body as ClaimedImage));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const { attestation } = answer.body as { attestation: { leafIndex: number; envelope: object } };
    const trust = api.app.get(TrustService);
    assert.equal(
      verifyAttestationEnvelope(attestation.envelope, trust.attestationSigner.publicKeySpkiDer).deviceId,
      deviceId,
    );
    const log = api.app.get(LogReader);
    const checkpoint = verifyCheckpoint(
      (await log.latestCheckpoint()).note,
      trust.logSigner.publicKeySpkiDer,
      trust.logOrigin,
    );
    const proof = await log.inclusionProof(attestation.leafIndex, checkpoint.treeSize);
    verifyInclusion(
      { leafBytes: attestationLeafBytes(attestation.envelope) },
      attestation.leafIndex,
      checkpoint.treeSize,
      proof.hashes,
      checkpoint.rootHash,
    );
  });

  test('20 concurrent requests over two instances for a work order of 5 issue exactly 5', async () => {
    const order = await seedCatalogRows(api.database.kysely, { quantity: 5 });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => requestDevice(i, { workOrderId: order.workOrderId, inputs: order.inputs })),
    );
    assert.deepEqual(responses.map((r) => r.status).sort(), [
      ...Array<number>(5).fill(202),
      ...Array<number>(15).fill(409),
    ]);
    assert.ok(
      responses
        .filter((r) => r.status === 409)
        .every((r) => (r.body as { code: string }).code === 'WORK_ORDER_EXHAUSTED'),
    );
    const db = api.database.kysely;
    assert.equal((await new DeviceRepository(db).search({ workOrderId: order.workOrderId }, { limit: 50 })).length, 5);
    assert.equal((await new WorkOrderRepository(db).get(order.workOrderId))?.issued, 5);
    assert.equal((await api.app.get(JobQueue).depth(order.line)).waiting, 5);
  });

  test('one idempotency key sent to both instances at once makes one device', async () => {
    const key = randomUUID();
    const body = { workOrderId: catalog.workOrderId, inputs: catalog.inputs };
    const responses = await Promise.all([0, 1, 2, 3].map((i) => requestDevice(i, body, key)));
    assert.deepEqual(
      responses.map((r) => r.status),
      [202, 202, 202, 202],
    );
    assert.equal(new Set(responses.map((r) => (r.body as { id: string }).id)).size, 1);
  });

  test('one chip claimed for two devices on two instances at once: exactly one binding', async () => {
    const [a, b] = [await createDevice(), await createDevice()];
    const chipUid = randomChipUid();
    const responses = await Promise.all([claim(0, a, chipUid), claim(1, b, chipUid)]);
    assert.deepEqual(responses.map((r) => r.status).sort(), [200, 409]);
    const refused = responses.find((r) => r.status === 409);
    assert.equal((refused?.body as { code: string }).code, 'CHIP_ALREADY_BOUND');
    const winner = (responses.find((r) => r.status === 200)?.body as { deviceId: string }).deviceId;
    assert.equal((refused?.body as { deviceId: string }).deviceId, winner);
  });

  test('the same success report sent to both instances at once: one attestation, one log leaf', async () => {
    const deviceId = await createDevice();
    const claimed = await claim(0, deviceId, randomChipUid());
    const report = successReport(claimed.body as ClaimedImage);
    const log = api.app.get(LogReader);
    const sizeBefore = (await log.latestCheckpoint()).treeSize;
    const answers = await Promise.all(
      [0, 1, 0, 1].map((i) =>
        on(i).post(`/v1/devices/${deviceId}/result`).set('Authorization', bearer(station)).send(report),
      ),
    );
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 200, 200, 200],
    );
    const leaves = new Set(
      answers.map((r) => (r.body as { attestation: { leafIndex: number } }).attestation.leafIndex),
    );
    assert.equal(leaves.size, 1);
    assert.equal((await log.latestCheckpoint()).treeSize, sizeBefore + 1);
  });
});
