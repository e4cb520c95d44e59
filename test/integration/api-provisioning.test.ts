// Provisioning against the real app on PGlite, a SoftHSM token with the service keys and Redis,
// driven over HTTP as an MES and a station would: device requests (idempotent, quota-bound), the
// job each one queues, claims and bindings, station results judged by the API (provisioned with a
// verifiable attestation in the transparency log, quarantined with a diff, retried), admin
// release and scrap, refusals of malformed input with nothing stored or queued, every endpoint ×
// role, and no secret in any response, job or log line.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { verifyAttestationEnvelope, verifyCheckpoint, verifyInclusion, attestationLeafBytes } from '#ingrain/crypto';
import type { Response } from 'supertest';
import { LogReader } from '../../apps/api/src/audit/log-reader.js';
import type { Role } from '../../apps/api/src/auth/roles.js';
import { DeviceRequestsModule } from '../../apps/api/src/device-requests/device-requests.module.js';
import { JobQueue } from '../../apps/api/src/jobs/job-queue.js';
import { JobReconciler } from '../../apps/api/src/jobs/job-reconciler.js';
import { JobsModule } from '../../apps/api/src/jobs/jobs.module.js';
import {
  DeviceRepository,
  ProductRepository,
  StationRepository,
  WorkOrderRepository,
} from '../../apps/api/src/repositories/index.js';
import { TrustModule, TrustService } from '../../apps/api/src/trust/index.js';
import { testStationKey, type TestStationKey } from '#ingrain/crypto/testing';
import { seedCatalogRows, type SeededCatalog } from '../../testkit/catalog-rows.js';
import { openClaim, secretEncodings } from '../../testkit/sealed-claims.js';
import { linkErrorReport, maskedData, randomChipUid, successReport } from '../../testkit/station-reports.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';

interface DeviceBody {
  id: string;
  serial: string;
  state: string;
  chipUid: string | null;
  stationId: string | null;
  jobId: string | null;
  workOrderId: string | null;
  certificatePem: string | null;
  attestationLeafIndex: number | null;
  history: {
    fromState: string | null;
    toState: string;
    reason: string | null;
    details: Record<string, unknown> | null;
    chipUid: string | null;
  }[];
}

interface ClaimBody {
  deviceId: string;
  chipUid: string;
  claimId: string;
  stationId: string;
  jobId: string | null;
  layout: { name: string; version: number; digestSha256: string };
  image: { family: string; dataHex: string; lockedBlocks: number[]; lockBytesHex: string };
  secretRanges: { name: string; offsetBytes: number; lengthBytes: number }[];
  sealedSecrets: unknown;
}

/** A claim as its station reads it: the image with the opened secrets merged (SECRET BYTES INCLUDED). */
interface OpenedClaimBody extends ClaimBody {
  /** The full image, secrets included, as hex (the response's dataHex has them zeroed). */
  fullDataHex: string;
}

interface ResultBody {
  deviceId: string;
  state: string;
  verdict: string;
  reason: string;
  diff: { region: string; offsetBytes: number; expected: number | string; actual: number | string }[];
  omittedDiffs: number;
  attestation: {
    leafIndex: number;
    envelope: { payloadType: string; payload: string; signatures: { keyid: string; sig: string }[] };
  } | null;
}

let api: TestApi;
let mes: string;
let auditor: string;
let station: string;
let catalog: SeededCatalog;
/** Every secret value a claim handed out: none may appear in a log line, a job or another response. */
const secretHexes = new Set<string>();
/** The station and sealing key behind each station token of this file. */
const stationOfToken = new Map<string, { readonly stationId: string; readonly key: TestStationKey }>();
/** The claimId each claim request sent. */
const claimIds = new WeakMap<Response, string>();

const bearer = (token: string) => `Bearer ${token}`;

function assertProblem(response: Response, status: number, code: string): Record<string, unknown> {
  assert.equal(response.status, status, JSON.stringify(response.body));
  const body = response.body as Record<string, unknown>;
  assert.equal(body['code'], code, JSON.stringify(body));
  return body;
}

function requestDevice(body: Record<string, unknown>, key: string | null = randomUUID(), token = mes) {
  const request = api.http().post('/v1/devices').set('Authorization', bearer(token));
  return (key === null ? request : request.set('Idempotency-Key', key)).send(body);
}

async function createDevice(seed: SeededCatalog = catalog, extra: Record<string, unknown> = {}): Promise<DeviceBody> {
  const response = await requestDevice({ workOrderId: seed.workOrderId, inputs: seed.inputs, ...extra });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return response.body as DeviceBody;
}

async function claim(deviceId: string, chipUid: string, token = station): Promise<Response> {
  const claimId = randomUUID();
  const response = await api
    .http()
    .post(`/v1/devices/${deviceId}/claim`)
    .set('Authorization', bearer(token))
    .send({ chipUid, claimId });
  claimIds.set(response, claimId);
  return response;
}

/**
 * A claim response opened as the claiming station would: with its key and the binding it expects.
 * Checks that none of the secrets appears in the response in any encoding.
 */
function opened(response: Response, deviceId: string, chipUid: string, token = station): OpenedClaimBody {
  assert.equal(response.status, 200, JSON.stringify(response.body));
  assert.equal(response.headers['cache-control'], 'no-store', 'the claim must never be cached');
  const body = response.body as ClaimBody;
  const holder = stationOfToken.get(token);
  assert.ok(holder, 'a station token of this file');
  const claimId = claimIds.get(response) ?? '';
  assert.equal(body.claimId, claimId);
  const binding = { deviceId, chipUid, claimId, stationId: holder.stationId };
  const { data, secrets } = openClaim(body, holder.key.privateKey, binding);
  for (const secret of secrets) {
    secretHexes.add(Buffer.from(secret).toString('hex'));
    for (const text of secretEncodings(secret)) assert.equal(response.text.includes(text), false, 'a secret in clear');
  }
  return { ...body, fullDataHex: Buffer.from(data).toString('hex') };
}

async function claimOk(deviceId: string, chipUid: string = randomChipUid(), token = station): Promise<OpenedClaimBody> {
  return opened(await claim(deviceId, chipUid, token), deviceId, chipUid, token);
}

/** A station token, remembered with its station's sealing key. */
async function stationToken(name: string, stationId: string, key: TestStationKey): Promise<string> {
  const token = await api.createToken('station', name, stationId);
  stationOfToken.set(token, { stationId, key });
  return token;
}

function report(deviceId: string, body: unknown, token = station): Promise<Response> {
  return api
    .http()
    .post(`/v1/devices/${deviceId}/result`)
    .set('Authorization', bearer(token))
    .send(body as object);
}

async function getDevice(deviceId: string): Promise<DeviceBody> {
  const response = await api.http().get(`/v1/devices/${deviceId}`).set('Authorization', bearer(mes));
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body as DeviceBody;
}

const jobs = () => api.app.get(JobQueue);

/** Row counts and queue state that a refused request must leave as they were. */
async function snapshot(seed: SeededCatalog = catalog) {
  const db = api.database.kysely;
  const devices = await db
    .selectFrom('devices')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const events = await db
    .selectFrom('device_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const order = await new WorkOrderRepository(db).get(seed.workOrderId);
  const product = await new ProductRepository(db).get(seed.productId);
  const depth = await jobs().depth(seed.line);
  return {
    devices: Number(devices.n),
    events: Number(events.n),
    issued: order?.issued,
    serialNext: product?.serialNext,
    depth,
  };
}

before(async () => {
  api = await startTestApi({ extraModules: [TrustModule, JobsModule, DeviceRequestsModule] });
  catalog = await seedCatalogRows(api.database.kysely, { quantity: 1000 });
  mes = await api.createToken('mes', 'mes-line-1');
  auditor = await api.createToken('auditor');
  station = await stationToken('station-token', catalog.stationId, catalog.stationKey);
});

after(async () => {
  await api?.close();
});

void describe('a device provisioned as an MES and a station would', () => {
  test('create → queued job without secrets → claim → result → provisioned with a verifiable attestation', async () => {
    const created = await createDevice();
    assert.equal(created.state, 'queued');
    assert.equal(created.jobId, created.id);
    assert.match(created.serial, /^SN-\d{6}$/);
    assert.equal(created.workOrderId, catalog.workOrderId);
    assert.equal(created.certificatePem, null, 'the certificate is issued at claim, chip-bound');
    assert.deepEqual(
      created.history.map((event) => [event.fromState, event.toState]),
      [[null, 'queued']],
    );
    for (const member of ['imageData', 'sealedPrivateKey', 'requestHash', 'image', 'dataHex']) {
      assert.equal(member in created, false, member);
    }

    const job = await jobs().inspect(catalog.line, created.id);
    assert.equal(job?.state, 'waiting');
    assert.deepEqual(job?.data, { deviceId: created.id, productId: catalog.productId, layoutVersion: 1 });

    const chipUid = randomChipUid();
    const claimed = await claimOk(created.id, chipUid);
    assert.equal(claimed.chipUid, chipUid);
    assert.match((await getDevice(created.id)).certificatePem ?? '', /BEGIN CERTIFICATE/);
    assert.equal(claimed.layout.name, 'sensor-node');
    assert.deepEqual(claimed.image.lockedBlocks, [0, 1, 2, 3, 4]);
    assert.equal(claimed.image.lockBytesHex, '0000000000ffffffffffffffffffffff');
    assert.deepEqual(claimed.secretRanges, [{ name: 'pairing_key', offsetBytes: 128, lengthBytes: 16 }]);
    const pairingKey = claimed.fullDataHex.slice(256, 288);
    assert.notEqual(pairingKey, '0'.repeat(32), 'the claim carries the re-derived secret, sealed');
    assert.equal(claimed.image.dataHex.slice(256, 288), '0'.repeat(32), 'in clear, the secret range is zeroed');
    assert.equal(JSON.stringify(job?.data).includes(pairingKey), false);
    assert.equal(JSON.stringify(created).includes(pairingKey), false);

    const answer = await report(created.id, successReport(claimed));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const result = answer.body as ResultBody;
    assert.equal(result.verdict, 'provisioned');
    assert.equal(result.state, 'provisioned');
    assert.ok(result.attestation);

    const trust = api.app.get(TrustService);
    const attestation = verifyAttestationEnvelope(
      result.attestation.envelope,
      trust.attestationSigner.publicKeySpkiDer,
    );
    assert.equal(attestation.deviceId, created.id);
    assert.equal(attestation.serial, created.serial);
    assert.equal(attestation.chip.uidHex, chipUid);
    assert.equal(attestation.stationId, catalog.stationId);
    assert.equal(attestation.jobId, created.id);
    assert.equal(attestation.workOrderId, catalog.workOrderId);
    assert.equal(attestation.layout.digestSha256, claimed.layout.digestSha256);
    assert.equal(attestation.otp.dataHex, Buffer.from(maskedData(claimed)).toString('hex'));

    const log = api.app.get(LogReader);
    const checkpoint = await log.latestCheckpoint();
    const verified = verifyCheckpoint(checkpoint.note, trust.logSigner.publicKeySpkiDer, trust.logOrigin);
    const proof = await log.inclusionProof(result.attestation.leafIndex, verified.treeSize);
    verifyInclusion(
      { leafBytes: attestationLeafBytes(result.attestation.envelope) },
      result.attestation.leafIndex,
      verified.treeSize,
      proof.hashes,
      verified.rootHash,
    );

    const device = await getDevice(created.id);
    assert.equal(device.state, 'provisioned');
    assert.equal(device.attestationLeafIndex, result.attestation.leafIndex);
    assert.deepEqual(
      device.history.map((event) => [event.fromState, event.toState, event.reason]),
      [
        [null, 'queued', 'requested'],
        ['queued', 'claimed', 'claim'],
        ['claimed', 'provisioned', 'exact-match'],
      ],
    );

    // The same report again (a station that lost the answer): the same attestation, no new leaf.
    const again = await report(created.id, successReport(claimed));
    assert.equal(again.status, 200);
    assert.deepEqual((again.body as ResultBody).attestation, result.attestation);
    assert.equal((await log.latestCheckpoint()).treeSize, verified.treeSize);

    const metrics = await api.http().get('/metrics');
    assert.match(
      metrics.text,
      new RegExp(
        `ingrain_provisioning_outcomes_total\\{station="${catalog.stationId}",outcome="provisioned",reason="exact-match"\\} 2`,
      ),
    );
  });
});

void describe('gateway-f7: a sealed device private key', () => {
  test('is unsealed for the claim and erased once the device is provisioned', async () => {
    const gateway = await seedCatalogRows(api.database.kysely, { example: 'gateway-f7', quantity: 5 });
    const gatewayStation = await stationToken('gateway-station', gateway.stationId, gateway.stationKey);
    const created = await createDevice(gateway);
    const devices = new DeviceRepository(api.database.kysely);
    assert.ok(await devices.sealedPrivateKey(created.id), 'sealed at issuance');
    const claimed = await claimOk(created.id, randomChipUid(), gatewayStation);
    assert.deepEqual(
      claimed.secretRanges.map((range) => range.name),
      ['device_key', 'support_pin'],
    );
    const answer = await report(created.id, successReport(claimed), gatewayStation);
    assert.equal((answer.body as ResultBody).verdict, 'provisioned', JSON.stringify(answer.body));
    assert.equal(await devices.sealedPrivateKey(created.id), undefined, 'erased when provisioned');
    // A re-claim of a provisioned device is refused; nothing could rematerialize its key anyway.
    assertProblem(await claim(created.id, claimed.chipUid, gatewayStation), 409, 'DEVICE_STATE_CONFLICT');
  });
});

void describe('idempotent device requests', () => {
  test('the same key and body, sequential and concurrent, give one device, one identity and one job', async () => {
    const key = randomUUID();
    const body = { workOrderId: catalog.workOrderId, inputs: catalog.inputs };
    const before = await snapshot();
    const first = await requestDevice(body, key);
    assert.equal(first.status, 202);
    const repeats = await Promise.all([1, 2, 3, 4].map(() => requestDevice(body, key)));
    const sequential = await requestDevice({ inputs: catalog.inputs, workOrderId: catalog.workOrderId }, key);
    for (const response of [...repeats, sequential]) {
      assert.equal(response.status, 202, JSON.stringify(response.body));
      const device = response.body as DeviceBody;
      assert.equal(device.id, (first.body as DeviceBody).id);
      assert.equal(device.certificatePem, (first.body as DeviceBody).certificatePem);
    }
    const afterwards = await snapshot();
    assert.equal(afterwards.devices, before.devices + 1);
    assert.equal(afterwards.issued, (before.issued ?? 0) + 1);
    assert.equal(afterwards.depth.waiting, before.depth.waiting + 1);
  });

  test('the same key with another body is refused with the first device id; nothing is stored', async () => {
    const key = randomUUID();
    const first = await requestDevice({ workOrderId: catalog.workOrderId, inputs: catalog.inputs }, key);
    assert.equal(first.status, 202);
    const before = await snapshot();
    const changed = { ...catalog.inputs, gain: 2.5 };
    const problem = assertProblem(
      await requestDevice({ workOrderId: catalog.workOrderId, inputs: changed }, key),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    assert.equal(problem['existingId'], (first.body as DeviceBody).id);
    assert.deepEqual(await snapshot(), before);
  });

  test('keys are per requester: another MES token with the same key gets its own device', async () => {
    const key = randomUUID();
    const otherMes = await api.createToken('mes', 'mes-line-2');
    const body = { workOrderId: catalog.workOrderId, inputs: catalog.inputs };
    const mine = (await requestDevice(body, key)).body as DeviceBody;
    const theirs = (await requestDevice(body, key, otherMes)).body as DeviceBody;
    assert.notEqual(mine.id, theirs.id);
  });
});

void describe('work-order quota', () => {
  test('20 concurrent requests for a work order of 5 issue exactly 5 devices and 5 jobs', async () => {
    const order = await seedCatalogRows(api.database.kysely, { quantity: 5 });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => requestDevice({ workOrderId: order.workOrderId, inputs: order.inputs })),
    );
    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(statuses, [...Array<number>(5).fill(202), ...Array<number>(15).fill(409)]);
    for (const response of responses.filter((r) => r.status === 409)) {
      assert.equal((response.body as { code: string }).code, 'WORK_ORDER_EXHAUSTED');
    }
    const db = api.database.kysely;
    const devices = await new DeviceRepository(db).search({ workOrderId: order.workOrderId }, { limit: 100 });
    assert.equal(devices.length, 5);
    assert.equal(new Set(devices.map((device) => device.serial)).size, 5);
    assert.equal((await new WorkOrderRepository(db).get(order.workOrderId))?.issued, 5);
    assert.equal((await jobs().depth(order.line)).waiting, 5);
  });

  test('a closed work order issues nothing', async () => {
    const order = await seedCatalogRows(api.database.kysely, { quantity: 3 });
    await new WorkOrderRepository(api.database.kysely).close(order.workOrderId, { closed: true });
    const before = await snapshot(order);
    assertProblem(
      await requestDevice({ workOrderId: order.workOrderId, inputs: order.inputs }),
      409,
      'WORK_ORDER_CLOSED',
    );
    assert.deepEqual(await snapshot(order), before);
  });
});

void describe('claims and bindings', () => {
  test('a second claim by the same chip is idempotent; by another chip it is refused', async () => {
    const device = await createDevice();
    const chipUid = randomChipUid();
    const first = await claimOk(device.id, chipUid);
    const again = await claimOk(device.id, chipUid.toUpperCase());
    assert.equal(again.fullDataHex, first.fullDataHex);
    const problem = assertProblem(await claim(device.id, randomChipUid()), 409, 'IDENTITY_BOUND_ELSEWHERE');
    assert.equal(problem['deviceId'], device.id);
    assert.equal((await getDevice(device.id)).chipUid, chipUid);
  });

  test('a chip bound to one job is refused for another, naming the device it holds', async () => {
    const [held, other] = [await createDevice(), await createDevice()];
    const chipUid = randomChipUid();
    await claimOk(held.id, chipUid);
    const problem = assertProblem(await claim(other.id, chipUid), 409, 'CHIP_ALREADY_BOUND');
    assert.equal(problem['deviceId'], held.id);
    assert.equal((await getDevice(other.id)).state, 'queued');

    const binding = await api.http().get(`/v1/bindings/${chipUid.toUpperCase()}`).set('Authorization', bearer(station));
    assert.equal(binding.status, 200);
    assert.deepEqual(binding.body, { deviceId: held.id, state: 'claimed' });
    const none = await api.http().get(`/v1/bindings/${randomChipUid()}`).set('Authorization', bearer(station));
    assertProblem(none, 404, 'BINDING_NOT_FOUND');
  });

  test('concurrent claims of one device by two chips: exactly one wins', async () => {
    const device = await createDevice();
    const responses = await Promise.all([claim(device.id, randomChipUid()), claim(device.id, randomChipUid())]);
    assert.deepEqual(responses.map((r) => r.status).sort(), [200, 409]);
  });

  test('an unknown device is 404; a malformed id or UID is 400', async () => {
    assertProblem(await claim(randomUUID(), randomChipUid()), 404, 'DEVICE_NOT_FOUND');
    assertProblem(await claim('not-a-uuid', randomChipUid()), 400, 'VALIDATION_FAILED');
    const device = await createDevice();
    const before = await snapshot();
    for (const chipUid of ['', 'abc', 'zz'.repeat(4), '00'.repeat(33)]) {
      assertProblem(await claim(device.id, chipUid), 400, 'VALIDATION_FAILED');
    }
    assertProblem(
      await api
        .http()
        .post(`/v1/devices/${device.id}/claim`)
        .set('Authorization', bearer(station))
        .send({ chipUid: randomChipUid(), claimId: randomUUID(), extra: 1 }),
      400,
      'VALIDATION_FAILED',
    );
    for (const body of [{ chipUid: randomChipUid() }, { chipUid: randomChipUid(), claimId: 'a b' }]) {
      const response = await api
        .http()
        .post(`/v1/devices/${device.id}/claim`)
        .set('Authorization', bearer(station))
        .send(body);
      assertProblem(response, 400, 'VALIDATION_FAILED');
    }
    assert.deepEqual(await snapshot(), before);
  });
});

void describe("station scope: a station acts on its line's devices, and reports on the ones it claimed", () => {
  /** A second station on the catalog's line, and a product of another line with its own station. */
  let sameLine: string;
  let sameLineId: string;
  let other: SeededCatalog;
  let otherLine: string;

  before(async () => {
    sameLineId = `${catalog.stationId}-b`;
    const key = testStationKey();
    await new StationRepository(api.database.kysely).create({
      id: sameLineId,
      name: 'Station B',
      line: catalog.line,
      sealingPublicKey: key.publicKey,
    });
    sameLine = await stationToken('station-b', sameLineId, key);
    other = await seedCatalogRows(api.database.kysely, { example: 'gateway-f7', quantity: 20 });
    otherLine = await stationToken('other-line-station', other.stationId, other.stationKey);
  });

  const attestedStation = (result: ResultBody) => {
    assert.ok(result.attestation, JSON.stringify(result));
    const trust = api.app.get(TrustService);
    return verifyAttestationEnvelope(result.attestation.envelope, trust.attestationSigner.publicKeySpkiDer).stationId;
  };

  test('a report for a device another station claimed is refused; nothing is recorded, nothing is signed', async () => {
    const device = await createDevice();
    const claimed = await claimOk(device.id);
    const before = await getDevice(device.id);
    const eventsBefore = await snapshot();
    for (const body of [successReport(claimed, { outcome: 'conflict' }), successReport(claimed)]) {
      const problem = assertProblem(await report(device.id, body, sameLine), 409, 'DEVICE_CLAIMED_BY_OTHER_STATION');
      assert.equal(problem['deviceId'], device.id);
    }
    assert.deepEqual(await getDevice(device.id), before, 'the device is as it was: claimed, no event, no attestation');
    assert.deepEqual(await snapshot(), eventsBefore);

    const own = await report(device.id, successReport(claimed));
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(
      attestedStation(own.body as ResultBody),
      catalog.stationId,
      'the attestation names the claiming station',
    );
    // Even the answer already recorded is not the other station's to read.
    assertProblem(await report(device.id, successReport(claimed), sameLine), 409, 'DEVICE_CLAIMED_BY_OTHER_STATION');
  });

  test("a device of another line's product is refused to the station: claim, binding and report, no secret handed out", async () => {
    const device = await createDevice(other);
    const chipUid = randomChipUid();
    const before = await snapshot(other);
    const refused = assertProblem(await claim(device.id, chipUid, station), 409, 'DEVICE_OTHER_LINE');
    assert.equal(refused['deviceId'], device.id);
    assert.equal('image' in refused, false);
    assert.deepEqual(await snapshot(other), before, 'nothing bound, nothing recorded');
    assert.equal((await getDevice(device.id)).state, 'queued');

    // Its own line's station claims it; the other line's station can neither find, take over nor report it.
    const claimed = await claimOk(device.id, chipUid, otherLine);
    const held = await getDevice(device.id);
    const binding = await api.http().get(`/v1/bindings/${chipUid}`).set('Authorization', bearer(station));
    assertProblem(binding, 409, 'DEVICE_OTHER_LINE');
    const reclaim = assertProblem(await claim(device.id, chipUid, station), 409, 'DEVICE_OTHER_LINE');
    assert.equal('image' in reclaim, false);
    assertProblem(await report(device.id, successReport(claimed), station), 409, 'DEVICE_OTHER_LINE');
    assert.deepEqual(await getDevice(device.id), held, 'nothing recorded');

    const own = await report(device.id, successReport(claimed), otherLine);
    assert.equal((own.body as ResultBody).verdict, 'provisioned', JSON.stringify(own.body));
  });

  test('a chip re-claimed by another station of the line is handed over: one event naming both, the station changes', async () => {
    const device = await createDevice();
    const chipUid = randomChipUid();
    const first = await claimOk(device.id, chipUid);
    const handed = await claimOk(device.id, chipUid, sameLine);
    assert.equal(handed.stationId, sameLineId);
    assert.equal(handed.fullDataHex, first.fullDataHex, 'the same identity, for the same chip');
    assert.throws(
      () =>
        openClaim(handed, catalog.stationKey.privateKey, {
          deviceId: device.id,
          chipUid,
          claimId: handed.claimId,
          stationId: catalog.stationId,
        }),
      { code: 'SEAL_OPEN_FAILED' },
      'the station it was taken from cannot open the hand-over',
    );

    const stored = await getDevice(device.id);
    assert.equal(stored.state, 'claimed');
    assert.equal(stored.stationId, sameLineId);
    assert.deepEqual(
      stored.history
        .map((event) => [event.fromState, event.toState, event.reason, event.chipUid, event.details])
        .slice(1),
      [
        ['queued', 'claimed', 'claim', chipUid, null],
        ['claimed', 'claimed', 'handed-over', chipUid, { fromStationId: catalog.stationId, toStationId: sameLineId }],
      ],
    );
    // The new station's repeated claim is no new hand-over.
    assert.equal((await claim(device.id, chipUid, sameLine)).status, 200);
    assert.equal((await getDevice(device.id)).history.length, 3);

    // The station it was taken from no longer reports for it; the new one does, and is attested.
    assertProblem(await report(device.id, successReport(first), station), 409, 'DEVICE_CLAIMED_BY_OTHER_STATION');
    const finished = await report(device.id, successReport(handed), sameLine);
    assert.equal(finished.status, 200, JSON.stringify(finished.body));
    assert.equal(attestedStation(finished.body as ResultBody), sameLineId);
  });
});

void describe('station results judged by the API', () => {
  test('a read-back mismatch quarantines the device with its diff; repeating it gives the same answer', async () => {
    const device = await createDevice();
    const claimed = await claimOk(device.id);
    const data = maskedData(claimed);
    data[20] = (data[20] ?? 0) ^ 0x01; // manufactured_at, one bit off
    const mismatch = successReport(claimed, { otpData: Buffer.from(data).toString('hex') });
    const answer = await report(device.id, mismatch);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const result = answer.body as ResultBody;
    assert.equal(result.verdict, 'quarantined');
    assert.equal(result.reason, 'readback-mismatch');
    assert.equal(result.diff.length, 1);
    assert.deepEqual(result.diff[0], {
      region: 'data',
      offsetBytes: 20,
      expected: maskedData(claimed)[20],
      actual: data[20],
    });
    const stored = await getDevice(device.id);
    assert.equal(stored.state, 'quarantined');
    const event = stored.history.at(-1);
    assert.equal(event?.reason, 'readback-mismatch');
    assert.deepEqual(event?.details?.['diff'], result.diff);
    assert.deepEqual((await report(device.id, mismatch)).body, result);
    // A contradicting report about a final device is refused.
    assertProblem(await report(device.id, successReport(claimed)), 409, 'DEVICE_STATE_CONFLICT');
    assertProblem(await claim(device.id, claimed.chipUid), 409, 'DEVICE_STATE_CONFLICT');
  });

  test('another chip in the report quarantines for identity-mismatch; a verify-failed report for station-verify-failed', async () => {
    const first = await createDevice();
    const claimedFirst = await claimOk(first.id);
    const wrongChip = await report(first.id, successReport(claimedFirst, { chipUid: randomChipUid() }));
    assert.equal((wrongChip.body as ResultBody).reason, 'identity-mismatch');
    assert.equal((wrongChip.body as ResultBody).diff[0]?.region, 'chip-uid');

    const second = await createDevice();
    const claimedSecond = await claimOk(second.id);
    const failed = await report(second.id, successReport(claimedSecond, { outcome: 'verify-failed' }));
    assert.equal((failed.body as ResultBody).verdict, 'quarantined');
    assert.equal((failed.body as ResultBody).reason, 'station-verify-failed');
  });

  test('a report carrying secret bytes is refused and nothing is recorded', async () => {
    const device = await createDevice();
    const claimed = await claimOk(device.id);
    const leaky = successReport(claimed, { otpData: claimed.fullDataHex });
    const before = await snapshot();
    assertProblem(await report(device.id, leaky), 422, 'REPORT_SECRET_BYTES_PRESENT');
    assert.deepEqual(await snapshot(), before);
    assert.equal((await getDevice(device.id)).state, 'claimed');
  });

  test('malformed reports are refused naming the field; nothing is recorded', async () => {
    const device = await createDevice();
    const claimed = await claimOk(device.id);
    const before = await snapshot();
    const bad: unknown[] = [
      { ...successReport(claimed), otpData: 'xyz' },
      { ...successReport(claimed), extra: true },
      { ...successReport(claimed), family: null },
      { ...successReport(claimed), finishedAt: '2020-01-01T00:00:00Z' },
      'not an object',
    ];
    for (const body of bad) {
      const problem = assertProblem(await report(device.id, body), 400, 'STATION_REPORT_INVALID');
      assert.ok((problem['errors'] as unknown[]).length > 0);
    }
    assert.deepEqual(await snapshot(), before);
    assertProblem(await report(randomUUID(), successReport(claimed)), 404, 'DEVICE_NOT_FOUND');
  });

  test('a report about a queued device is a state conflict', async () => {
    const device = await createDevice();
    const fake = {
      chipUid: randomChipUid(),
      jobId: null,
      image: { family: 'stm32f4', dataHex: '00'.repeat(512), lockBytesHex: 'ff'.repeat(16) },
      secretRanges: [],
    };
    assertProblem(await report(device.id, successReport(fake)), 409, 'DEVICE_STATE_CONFLICT');
  });
});

void describe('link errors, release and scrap', () => {
  const admin = () => api.adminToken;
  const operate = (deviceId: string, action: 'release' | 'scrap', reason = 'chip dropped on the floor') =>
    api.http().post(`/v1/devices/${deviceId}/${action}`).set('Authorization', bearer(admin())).send({ reason });

  test('a link error keeps the device claimed; an untouched chip is released, requeued and can be claimed again', async () => {
    const device = await createDevice();
    const claimed = await claimOk(device.id);
    const retry = await report(device.id, linkErrorReport(claimed));
    assert.deepEqual(
      { verdict: (retry.body as ResultBody).verdict, state: (retry.body as ResultBody).state },
      { verdict: 'retry', state: 'claimed' },
    );
    // The station took the job and failed it for good: the job is finished, not pending.
    const queue = jobs();
    await queue.withdraw(catalog.line, device.id);

    const released = await operate(device.id, 'release');
    assert.equal(released.status, 200, JSON.stringify(released.body));
    const body = released.body as DeviceBody;
    assert.equal(body.state, 'queued');
    assert.equal(body.chipUid, null);
    const last = body.history.at(-1);
    assert.equal(last?.reason, 'chip dropped on the floor');
    assert.equal(last?.chipUid, claimed.chipUid, 'the released UID stays in the history');
    assert.equal((await queue.inspect(catalog.line, device.id))?.state, 'waiting');

    const reclaimed = await claimOk(device.id);
    assert.notEqual(reclaimed.chipUid, claimed.chipUid);
    assert.equal(reclaimed.image.dataHex, claimed.image.dataHex, 'the same identity, rematerialized');
  });

  test('a chip with bytes written cannot be released, only scrapped; the scrapped job is withdrawn', async () => {
    const device = await createDevice();
    const claimed = await claimOk(device.id);
    await report(
      device.id,
      linkErrorReport(claimed, {
        bytesWritten: 64,
        error: { code: 'WRITE_NACK', phase: 'write', stage: 'data', message: 'NACK' },
      }),
    );
    assertProblem(await operate(device.id, 'release'), 409, 'DEVICE_RELEASE_REFUSED');
    const scrapped = await operate(device.id, 'scrap', 'chip cracked after a partial write');
    assert.equal(scrapped.status, 200, JSON.stringify(scrapped.body));
    assert.equal((scrapped.body as DeviceBody).state, 'scrapped');
    assert.equal(await jobs().inspect(catalog.line, device.id), undefined);
    assertProblem(await operate(device.id, 'scrap'), 409, 'DEVICE_STATE_CONFLICT');
    assertProblem(await report(device.id, successReport(claimed)), 409, 'DEVICE_STATE_CONFLICT');
  });

  test('release of a queued device and scrap of a provisioned one are state conflicts; reasons are required', async () => {
    const queued = await createDevice();
    assertProblem(await operate(queued.id, 'release'), 409, 'DEVICE_STATE_CONFLICT');
    assertProblem(await operate(queued.id, 'scrap', 'x'), 400, 'VALIDATION_FAILED');
    assertProblem(await operate(randomUUID(), 'scrap'), 404, 'DEVICE_NOT_FOUND');
    const provisioned = await createDevice();
    const claimed = await claimOk(provisioned.id);
    await report(provisioned.id, successReport(claimed));
    assertProblem(await operate(provisioned.id, 'scrap'), 409, 'DEVICE_STATE_CONFLICT');
    const scrappedQueued = await operate(queued.id, 'scrap');
    assert.equal((scrappedQueued.body as DeviceBody).state, 'scrapped');
    assert.equal(await jobs().inspect(catalog.line, queued.id), undefined);
  });
});

void describe('malformed device requests', () => {
  test('are refused naming the field, with nothing stored and nothing queued', async () => {
    const before = await snapshot();
    const valid = { workOrderId: catalog.workOrderId, inputs: catalog.inputs };
    assertProblem(await requestDevice(valid, null), 400, 'IDEMPOTENCY_KEY_INVALID');
    assertProblem(await requestDevice(valid, 'has space'), 400, 'IDEMPOTENCY_KEY_INVALID');
    assertProblem(await requestDevice({ ...valid, productId: catalog.productId }), 400, 'VALIDATION_FAILED');
    assertProblem(await requestDevice({ inputs: catalog.inputs }), 400, 'VALIDATION_FAILED');
    assertProblem(await requestDevice({ ...valid, color: 'red' }), 400, 'VALIDATION_FAILED');
    assertProblem(await requestDevice({ ...valid, workOrderId: 'wo-1' }), 400, 'VALIDATION_FAILED');
    const values = assertProblem(
      await requestDevice({ ...valid, inputs: { ...catalog.inputs, gain: 'high' } }),
      422,
      'VALUES_INVALID',
    );
    assert.deepEqual(
      (values['errors'] as { path: string }[]).map((issue) => issue.path),
      ['body.inputs.gain'],
    );
    const missing = assertProblem(await requestDevice({ ...valid, inputs: {} }), 422, 'VALUES_INVALID');
    assert.ok((missing['errors'] as { path: string }[]).some((issue) => issue.path === 'body.inputs.gain'));
    // The serial field is written from the serial (docs/layouts.md, "Identity fields"): never missing.
    assert.ok(!(missing['errors'] as { path: string }[]).some((issue) => issue.path === 'body.inputs.serial'));
    const generated = assertProblem(
      await requestDevice({ ...valid, inputs: { ...catalog.inputs, pairing_key: '00'.repeat(16) } }),
      422,
      'IDENTITY_INPUT_INVALID',
    );
    assert.deepEqual(
      (generated['errors'] as { path: string }[]).map((issue) => issue.path),
      ['body.inputs.pairing_key'],
    );
    assertProblem(await requestDevice({ ...valid, serial: '-bad serial' }), 422, 'SERIAL_INVALID');
    assertProblem(await requestDevice({ ...valid, workOrderId: randomUUID() }), 404, 'WORK_ORDER_NOT_FOUND');
    assertProblem(await requestDevice({ productId: 'no-such-product', inputs: {} }), 404, 'PRODUCT_NOT_FOUND');
    assert.deepEqual(await snapshot(), before);
  });

  test('an MES-given serial is used once per product', async () => {
    const serial = `GIVEN-${randomUUID().slice(0, 8)}`;
    const device = await createDevice(catalog, { serial });
    assert.equal(device.serial, serial);
    const before = await snapshot();
    assertProblem(
      await requestDevice({ workOrderId: catalog.workOrderId, inputs: catalog.inputs, serial }),
      409,
      'SERIAL_ALREADY_USED',
    );
    assert.deepEqual(await snapshot(), before);
  });

  test('identity fields that disagree are refused naming both, before a serial is taken', async () => {
    const before = await snapshot();
    const serial = `GIVEN-${randomUUID().slice(0, 8)}`;
    const disagree = assertProblem(
      await requestDevice({ workOrderId: catalog.workOrderId, serial, inputs: { ...catalog.inputs, serial: 'SN-B' } }),
      422,
      'IDENTITY_FIELDS_DISAGREE',
    );
    assert.deepEqual((disagree['errors'] as { path: string }[]).map((issue) => issue.path).sort(), [
      'body.inputs.serial',
      'body.serial',
    ]);
    assert.ok(!JSON.stringify(disagree).includes('SN-B'), 'the problem names fields, not values');
    const sequenced = assertProblem(
      await requestDevice({ workOrderId: catalog.workOrderId, inputs: { ...catalog.inputs, serial: 'SN-B' } }),
      422,
      'IDENTITY_FIELDS_DISAGREE',
    );
    assert.deepEqual((sequenced['errors'] as { path: string }[]).map((issue) => issue.path).sort(), [
      'body.inputs.serial',
      'body.serial',
    ]);
    assert.deepEqual(await snapshot(), before, 'nothing stored, no serial taken');
  });

  test('the serial field of the image holds the device serial, given or from the sequence', async () => {
    const { inputs } = catalog; // without serial
    const given = `GIVEN-${randomUUID().slice(0, 8)}`;
    const same = await createDevice(catalog, { serial: given, inputs: { ...inputs, serial: given } });
    const sequenced = await createDevice(catalog, { inputs });
    for (const device of [same, sequenced]) {
      const claimed = await claimOk(device.id);
      const serialField = Buffer.from(claimed.image.dataHex.slice(0, 32), 'hex').toString('latin1');
      assert.equal(serialField.replace(/\0+$/, ''), device.serial);
    }
    assert.equal(same.serial, given);
  });

  test('a request by product uses its latest layout and no quota', async () => {
    const response = await requestDevice({ productId: catalog.productId, inputs: catalog.inputs });
    assert.equal(response.status, 202, JSON.stringify(response.body));
    assert.equal((response.body as DeviceBody).workOrderId, null);
  });
});

void describe('listing and reading devices', () => {
  test('filters by work order, state and serial; mes and auditor may read', async () => {
    const order = await seedCatalogRows(api.database.kysely, { quantity: 3 });
    const a = await createDevice(order);
    await createDevice(order);
    // A station of the order's line claims it (stations act on their own line's devices only).
    await claimOk(a.id, randomChipUid(), await stationToken('listing-station', order.stationId, order.stationKey));
    const list = async (query: string, token = mes) => {
      const response = await api.http().get(`/v1/devices?${query}`).set('Authorization', bearer(token));
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return (response.body as { devices: DeviceBody[] }).devices;
    };
    assert.equal((await list(`workOrderId=${order.workOrderId}`)).length, 2);
    assert.deepEqual(
      (await list(`workOrderId=${order.workOrderId}&state=claimed`, auditor)).map((d) => d.id),
      [a.id],
    );
    assert.deepEqual(
      (await list(`serial=${a.serial}&productId=${order.productId}`)).map((d) => d.id),
      [a.id],
    );
    assert.equal((await list(`workOrderId=${order.workOrderId}&limit=1&offset=1`)).length, 1);
    assertProblem(
      await api.http().get('/v1/devices?state=lost').set('Authorization', bearer(mes)),
      400,
      'VALIDATION_FAILED',
    );
    assertProblem(
      await api.http().get(`/v1/devices/${randomUUID()}`).set('Authorization', bearer(auditor)),
      404,
      'DEVICE_NOT_FOUND',
    );
  });
});

void describe('job reconciliation', () => {
  test('a queued device whose job never reached Redis (a crash after commit) gets one', async () => {
    const device = await createDevice();
    await jobs().withdraw(catalog.line, device.id); // as if the process died between commit and enqueue
    assert.equal(await jobs().inspect(catalog.line, device.id), undefined);
    const summary = await api.app.get(JobReconciler).reconcile();
    assert.ok(summary.added >= 1);
    const job = await jobs().inspect(catalog.line, device.id);
    assert.deepEqual(job?.data, { deviceId: device.id, productId: catalog.productId, layoutVersion: 1 });
    assert.equal((await api.app.get(JobReconciler).reconcile()).added, 0, 'a second pass adds nothing');
  });
});

void describe('every endpoint × role', () => {
  const ROLES: readonly Role[] = ['admin', 'mes', 'station', 'auditor'];

  test('allowed roles get through, others get 403, no token gets 401', async () => {
    const tokens: Record<Role, string> = { admin: api.adminToken, mes, station, auditor };
    const device = await createDevice();
    const chipUid = randomChipUid();
    const claimed = await claimOk(device.id, chipUid);
    const routes: { method: 'get' | 'post'; path: string; body?: object; allowed: readonly Role[] }[] = [
      {
        method: 'post',
        path: '/v1/devices',
        body: { workOrderId: catalog.workOrderId, inputs: catalog.inputs },
        allowed: ['mes'],
      },
      // Admin reads devices too (the console's Devices page finds the device to release or scrap).
      { method: 'get', path: '/v1/devices', allowed: ['admin', 'mes', 'auditor'] },
      { method: 'get', path: `/v1/devices/${device.id}`, allowed: ['admin', 'mes', 'auditor'] },
      {
        method: 'post',
        path: `/v1/devices/${device.id}/claim`,
        body: { chipUid, claimId: randomUUID() },
        allowed: ['station'],
      },
      { method: 'get', path: `/v1/bindings/${chipUid}`, allowed: ['station'] },
      { method: 'post', path: `/v1/devices/${device.id}/result`, body: linkErrorReport(claimed), allowed: ['station'] },
      { method: 'post', path: `/v1/devices/${device.id}/release`, body: { reason: 'role check' }, allowed: ['admin'] },
      { method: 'post', path: `/v1/devices/${randomUUID()}/scrap`, body: { reason: 'role check' }, allowed: ['admin'] },
    ];
    for (const route of routes) {
      const send = (token?: string) => {
        let request = api.http()[route.method](route.path).set('Idempotency-Key', randomUUID());
        if (token !== undefined) request = request.set('Authorization', bearer(token));
        return route.body === undefined ? request : request.send(route.body);
      };
      assertProblem(await send(), 401, 'AUTH_REQUIRED');
      for (const role of ROLES) {
        const response = await send(tokens[role]);
        const where = `${route.method.toUpperCase()} ${route.path} as ${role}: ${response.status} ${JSON.stringify(response.body)}`;
        if (route.allowed.includes(role)) assert.ok(response.status < 400 || response.status === 404, where);
        else assert.equal(response.status, 403, where);
      }
    }
  });
});

void describe('station routes × own station, another station of the line, a station of another line', () => {
  test('a station acts on its line only, and reports only for the devices it claimed', async () => {
    const db = api.database.kysely;
    const sameLineId = `${catalog.stationId}-c`;
    await new StationRepository(db).create({
      id: sameLineId,
      name: 'Station C',
      line: catalog.line,
      sealingPublicKey: testStationKey().publicKey,
    });
    const otherCatalog = await seedCatalogRows(db, { quantity: 5 });
    const tokens = {
      own: station,
      sameLine: await api.createToken('station', 'station-c', sameLineId),
      otherLine: await api.createToken('station', 'station-other-line', otherCatalog.stationId),
    };
    const device = await createDevice();
    const chipUid = randomChipUid();
    const claimed = await claimOk(device.id, chipUid);
    type Expected = readonly [number, string?];
    // In this order: the claim by another station of the line is a hand-over, so it comes last.
    const routes: {
      method: 'get' | 'post';
      path: string;
      body?: object;
      expect: Record<keyof typeof tokens, Expected>;
    }[] = [
      {
        method: 'get',
        path: `/v1/bindings/${chipUid}`,
        expect: { own: [200], sameLine: [200], otherLine: [409, 'DEVICE_OTHER_LINE'] },
      },
      {
        method: 'post',
        path: `/v1/devices/${device.id}/result`,
        body: linkErrorReport(claimed),
        expect: {
          own: [200],
          sameLine: [409, 'DEVICE_CLAIMED_BY_OTHER_STATION'],
          otherLine: [409, 'DEVICE_OTHER_LINE'],
        },
      },
      {
        method: 'post',
        path: `/v1/devices/${device.id}/claim`,
        body: { chipUid, claimId: randomUUID() },
        expect: { own: [200], otherLine: [409, 'DEVICE_OTHER_LINE'], sameLine: [200] },
      },
    ];
    for (const route of routes) {
      for (const [who, [status, code]] of Object.entries(route.expect) as [keyof typeof tokens, Expected][]) {
        const request = api.http()[route.method](route.path).set('Authorization', bearer(tokens[who]));
        const response = await (route.body === undefined ? request : request.send(route.body));
        const where = `${route.method.toUpperCase()} ${route.path} as ${who}: ${response.status} ${JSON.stringify(response.body)}`;
        assert.equal(response.status, status, where);
        if (code !== undefined) assert.equal((response.body as { code?: unknown }).code, code, where);
      }
    }
    assert.equal((await getDevice(device.id)).stationId, sameLineId, 'the claim by another station handed it over');
  });
});

void describe('secrets', () => {
  test('no log line holds a secret a claim handed out', () => {
    assert.ok(secretHexes.size > 5);
    const logs = api.logs.join('\n').toLowerCase();
    for (const secret of secretHexes) assert.equal(logs.includes(secret), false);
  });
});

void describe('readiness and queue metrics', () => {
  test('the job queues report ready, and their depth per line and state', async () => {
    const ready = await api.http().get('/health/ready');
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal((ready.body as { checks: Record<string, { status: string }> }).checks['jobs']?.status, 'ok');
    const depth = await jobs().depth(catalog.line);
    const metrics = await api.http().get('/metrics');
    assert.match(
      metrics.text,
      new RegExp(`ingrain_queue_jobs\\{line="${catalog.line}",state="waiting"\\} ${depth.waiting}\\n`),
    );
    assert.match(metrics.text, /# TYPE ingrain_identities_discarded_total counter/);
  });
});
