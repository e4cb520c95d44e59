// Work orders against the real app: created at the latest (or a given) layout version, counts from
// their devices, every endpoint × role, malformed bodies refused with nothing stored, and the close
// report — signed by the attestation key, anchored to the transparency log, the same on every close
// — verified with the published attestation public key.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildAttestation, serializeAttestationEnvelope, signAttestation, type DsseEnvelope } from '#ingrain/crypto';
import type { Response } from 'supertest';
import { base64ToBytes, bytesToHex } from '#ingrain/encoding';
import type { Role } from '../../apps/api/src/auth/roles.js';
import type { DeviceState } from '#ingrain/contracts';
import { CatalogueModule } from '../../apps/api/src/catalogue/catalogue.module.js';
import { LogService } from '../../apps/api/src/log/log.service.js';
import {
  AttestationRepository,
  DeviceRepository,
  PgLogStore,
  StationRepository,
  WorkOrderRepository,
} from '../../apps/api/src/repositories/index.js';
import { TrustModule } from '../../apps/api/src/trust/trust.module.js';
import { TrustService } from '../../apps/api/src/trust/trust.service.js';
import { verifyWorkOrderReportEnvelope } from '../../apps/api/src/work-orders/work-order-envelope.js';
import { workOrderDeviceListBytes, type WorkOrderReport } from '../../apps/api/src/work-orders/work-order-report.js';
import { WorkOrdersModule } from '../../apps/api/src/work-orders/work-orders.module.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { REPO_ROOT } from '../../testkit/paths.js';

interface WorkOrder {
  id: string;
  productId: string;
  layoutVersion: number;
  quantity: number;
  status: 'open' | 'closed';
  closedAt: string | null;
  counts: Record<string, number>;
  reportEnvelope: DsseEnvelope | null;
}
interface Closed {
  workOrder: WorkOrder;
  envelope: DsseEnvelope;
  report: WorkOrderReport;
}

const ROLES: readonly Role[] = ['admin', 'mes', 'station', 'auditor'];
const STATION = 'wo-station';
let api: TestApi;
const tokens = {} as Record<Role, string>;
let mesTokenId: string;

const bearer = (role: Role) => `Bearer ${tokens[role]}`;
const post = (path: string, role: Role, body?: unknown) =>
  api
    .http()
    .post(path)
    .set('authorization', bearer(role))
    .send(body as object);
const get = (path: string, role: Role) => api.http().get(path).set('authorization', bearer(role));

function assertProblem(response: Response, status: number, code: string, paths: readonly string[] = []): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  const body = response.body as { code: string; errors: { path: string }[] };
  assert.equal(body.code, code, JSON.stringify(body));
  const named = body.errors.map((issue) => issue.path);
  for (const path of paths) assert.ok(named.includes(path), `${path} in ${JSON.stringify(named)}`);
}

async function workOrderCount(): Promise<number> {
  const row = await api.database.kysely
    .selectFrom('work_orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function openWorkOrder(quantity: number, productId = 'sensor-node'): Promise<WorkOrder> {
  const response = await post('/v1/work-orders', 'mes', { productId, quantity });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body as WorkOrder;
}

async function attestationPublicKeySpki(): Promise<Uint8Array> {
  const pem = await readFile(join(api.publicKeysDir, 'ingrain-attestation.pub.pem'), 'utf8');
  return new Uint8Array(createPublicKey(pem).export({ type: 'spki', format: 'der' }));
}

before(async () => {
  api = await startTestApi({
    extraModules: [TrustModule, CatalogueModule, WorkOrdersModule],
    env: { INGRAIN_AUTH_FAILURE_LIMIT: '100000' },
  });
  await new StationRepository(api.database.kysely).create({ id: STATION, name: 'WO station', line: 'line-a' });
  tokens.admin = api.adminToken;
  tokens.mes = await api.createToken('mes', 'mes-line-a');
  tokens.auditor = await api.createToken('auditor');
  tokens.station = await api.createToken('station', 'station', STATION);
  const listed = (await get('/v1/tokens', 'admin')).body as { tokens: { id: string; name: string }[] };
  mesTokenId = listed.tokens.find((token) => token.name === 'mes-line-a')?.id ?? '';
  for (const id of ['sensor-node', 'bare']) {
    const product = await post('/v1/products', 'admin', { id, name: id, line: 'line-a' });
    assert.equal(product.status, 201, JSON.stringify(product.body));
  }
  const source = await readFile(join(REPO_ROOT, 'examples/layouts/sensor-node.yaml'), 'utf8');
  for (const version of [1, 2]) {
    const text = source.replace('version: 1', `version: ${version}`);
    const layout = await post('/v1/products/sensor-node/layouts', 'admin', { source: text });
    assert.equal(layout.status, 201, JSON.stringify(layout.body));
  }
});

after(() => api?.close());

describe('every endpoint × role', () => {
  test('work orders are the MES’s: other roles get 403, no token 401, nothing changes', async () => {
    const order = await openWorkOrder(2);
    const endpoints = [
      () => api.http().post('/v1/work-orders').send({ productId: 'sensor-node', quantity: 1 }),
      () => api.http().get(`/v1/work-orders/${order.id}`),
      () => api.http().post(`/v1/work-orders/${order.id}/close`),
    ];
    const count = await workOrderCount();
    for (const send of endpoints) {
      assertProblem(await send(), 401, 'AUTH_REQUIRED');
      for (const role of ROLES.filter((r) => r !== 'mes')) {
        assertProblem(await send().set('authorization', bearer(role)), 403, 'ROLE_FORBIDDEN');
      }
    }
    assert.equal(await workOrderCount(), count);
    assert.equal(((await get(`/v1/work-orders/${order.id}`, 'mes')).body as WorkOrder).status, 'open');
  });
});

describe('creating and reading', () => {
  test("uses the product's latest layout unless a version is given", async () => {
    const latest = await openWorkOrder(5);
    assert.equal(latest.layoutVersion, 2);
    assert.equal(latest.status, 'open');
    assert.equal(latest.reportEnvelope, null);
    assert.deepEqual(latest.counts, {
      planned: 5,
      issued: 0,
      queued: 0,
      claimed: 0,
      provisioned: 0,
      failed: 0,
      quarantined: 0,
      scrapped: 0,
    });
    const pinned = await post('/v1/work-orders', 'mes', { productId: 'sensor-node', quantity: 3, layoutVersion: 1 });
    assert.equal(pinned.status, 201, JSON.stringify(pinned.body));
    assert.equal((pinned.body as WorkOrder).layoutVersion, 1);
    const read = await get(`/v1/work-orders/${latest.id}`, 'mes');
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, latest);
  });

  test('unknown product, unknown layout, product without layout → 404/409 naming the field; nothing stored', async () => {
    const cases: [object, number, string, string][] = [
      [{ productId: 'no-such', quantity: 1 }, 404, 'PRODUCT_NOT_FOUND', 'body.productId'],
      [{ productId: 'sensor-node', quantity: 1, layoutVersion: 3 }, 404, 'LAYOUT_NOT_FOUND', 'body.layoutVersion'],
      [{ productId: 'bare', quantity: 1 }, 409, 'PRODUCT_HAS_NO_LAYOUT', 'body.productId'],
    ];
    for (const [body, status, code, path] of cases) {
      const count = await workOrderCount();
      assertProblem(await post('/v1/work-orders', 'mes', body), status, code, [path]);
      assert.equal(await workOrderCount(), count);
    }
  });

  test('malformed bodies → 400 naming each field; nothing stored', async () => {
    const cases: [unknown, string][] = [
      [{ quantity: 1 }, 'body.productId'],
      [{ productId: 'Sensor Node', quantity: 1 }, 'body.productId'],
      [{ productId: 'sensor-node' }, 'body.quantity'],
      [{ productId: 'sensor-node', quantity: 0 }, 'body.quantity'],
      [{ productId: 'sensor-node', quantity: 1.5 }, 'body.quantity'],
      [{ productId: 'sensor-node', quantity: '3' }, 'body.quantity'],
      [{ productId: 'sensor-node', quantity: 1_000_001 }, 'body.quantity'],
      [{ productId: 'sensor-node', quantity: 1, layoutVersion: 0 }, 'body.layoutVersion'],
      [{ productId: 'sensor-node', quantity: 1, status: 'closed' }, 'body.status'],
    ];
    for (const [body, path] of cases) {
      const count = await workOrderCount();
      assertProblem(await post('/v1/work-orders', 'mes', body), 400, 'VALIDATION_FAILED', [path]);
      assert.equal(await workOrderCount(), count);
    }
  });

  test('an unknown id → 404, a malformed one → 400 naming it', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    assertProblem(await get(`/v1/work-orders/${unknown}`, 'mes'), 404, 'WORK_ORDER_NOT_FOUND');
    assertProblem(await post(`/v1/work-orders/${unknown}/close`, 'mes'), 404, 'WORK_ORDER_NOT_FOUND');
    assertProblem(await get('/v1/work-orders/wo-7', 'mes'), 400, 'VALIDATION_FAILED', ['path.id']);
  });
});

describe('closing', () => {
  test('an empty work order closes with zero counts; before any attestation the log anchor is null', async () => {
    const order = await openWorkOrder(4);
    const response = await post(`/v1/work-orders/${order.id}/close`, 'mes');
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const closed = response.body as Closed;
    const report = verifyWorkOrderReportEnvelope(closed.envelope, await attestationPublicKeySpki());
    assert.deepEqual(report, closed.report);
    assert.deepEqual(report.counts, {
      planned: 4,
      issued: 0,
      provisioned: 0,
      quarantined: 0,
      scrapped: 0,
      failed: 0,
      unfinished: 0,
    });
    assert.equal(report.log, null);
    assert.equal(report.devices.count, 0);
  });

  test('counts follow the devices; the signed report verifies, anchors the log and covers the device list', async () => {
    const order = await openWorkOrder(6);
    const devices = new Devices(order);
    const queued = await devices.add();
    const claimed = await devices.add({ claim: true });
    const quarantined = await devices.add({ claim: true, to: 'quarantined' });
    const scrapped = await devices.add({ to: 'scrapped' });
    const provisioned = await devices.add({ claim: true });
    const leafIndex = await devices.provision(provisioned);

    const read = (await get(`/v1/work-orders/${order.id}`, 'mes')).body as WorkOrder;
    assert.deepEqual(read.counts, {
      planned: 6,
      issued: 5,
      queued: 1,
      claimed: 1,
      provisioned: 1,
      failed: 2,
      quarantined: 1,
      scrapped: 1,
    });

    const response = await post(`/v1/work-orders/${order.id}/close`, 'mes');
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const closed = response.body as Closed;
    const report = verifyWorkOrderReportEnvelope(closed.envelope, await attestationPublicKeySpki());
    assert.deepEqual(report, closed.report);
    assert.equal(report.workOrderId, order.id);
    assert.equal(report.productId, 'sensor-node');
    assert.equal(report.layout.version, 2);
    const layout = (await get('/v1/products/sensor-node/layouts/2', 'admin')).body as { digest: string };
    assert.equal(report.layout.digestSha256, layout.digest);
    assert.equal(report.closedBy, mesTokenId);
    assert.deepEqual(report.counts, {
      planned: 6,
      issued: 5,
      provisioned: 1,
      quarantined: 1,
      scrapped: 1,
      failed: 2,
      unfinished: 2,
    });
    const checkpoint = await new PgLogStore(api.database.kysely).readLatestCheckpoint();
    assert.ok(checkpoint && checkpoint.treeSize > leafIndex);
    assert.deepEqual(report.log, { treeSize: checkpoint.treeSize, rootHashSha256: bytesToHex(checkpoint.rootHash) });
    type Made = { id: string; serial: string; chipUid: string | null };
    const entry = (device: Made, state: DeviceState, attestationLeafIndex: number | null = null) => ({
      deviceId: device.id,
      serial: device.serial,
      state,
      chipUid: device.chipUid,
      attestationLeafIndex,
    });
    const entries = [
      entry(queued, 'queued'),
      entry(claimed, 'claimed'),
      entry(quarantined, 'quarantined'),
      entry(scrapped, 'scrapped'),
      entry(provisioned, 'provisioned', leafIndex),
    ];
    const listSha256 = createHash('sha256').update(workOrderDeviceListBytes(entries)).digest('hex');
    assert.deepEqual(report.devices, { count: 5, listSha256 });

    assert.equal(closed.workOrder.status, 'closed');
    assert.ok(closed.workOrder.closedAt !== null);
    assert.deepEqual(closed.workOrder.reportEnvelope, closed.envelope);
  });

  test('closing twice returns the same report; a closed order issues no device', async () => {
    const order = await openWorkOrder(3);
    const devices = new Devices(order);
    await devices.add();
    const first = (await post(`/v1/work-orders/${order.id}/close`, 'mes')).body as Closed;
    const [second, third] = await Promise.all([
      post(`/v1/work-orders/${order.id}/close`, 'mes'),
      post(`/v1/work-orders/${order.id}/close`, 'mes'),
    ]);
    assert.deepEqual(second.body, first);
    assert.deepEqual(third.body, first);
    const read = (await get(`/v1/work-orders/${order.id}`, 'mes')).body as WorkOrder;
    assert.deepEqual(read, first.workOrder);
    assert.equal(await new WorkOrderRepository(api.database.kysely).tryIssue(order.id), false);
  });

  test('a report altered after signing does not verify', async () => {
    const order = await openWorkOrder(1);
    const closed = (await post(`/v1/work-orders/${order.id}/close`, 'mes')).body as Closed;
    const payload = JSON.parse(Buffer.from(base64ToBytes(closed.envelope.payload)).toString('utf8')) as {
      counts: { planned: number };
    };
    payload.counts.planned = 2;
    const spki = await attestationPublicKeySpki();
    assert.doesNotThrow(() => verifyWorkOrderReportEnvelope(closed.envelope, spki));
    const forged = { ...closed.envelope, payload: Buffer.from(JSON.stringify(payload)).toString('base64') };
    assert.throws(
      () => verifyWorkOrderReportEnvelope(forged, spki),
      (error: unknown) => (error as { code?: string }).code === 'WORK_ORDER_REPORT_INVALID',
    );
  });
});

/** Devices of a work order, made straight in the database as the provisioning service would. */
class Devices {
  #uid = 0;
  constructor(private readonly order: WorkOrder) {}

  async add(options: { claim?: boolean; to?: 'quarantined' | 'scrapped' } = {}) {
    const db = api.database.kysely;
    assert.ok(await new WorkOrderRepository(db).tryIssue(this.order.id));
    const serial = `SN-${randomUUID().slice(0, 8)}`;
    const repository = new DeviceRepository(db);
    const created = await repository.create({
      productId: this.order.productId,
      layoutVersion: this.order.layoutVersion,
      workOrderId: this.order.id,
      serial,
      idempotencyKey: randomUUID(),
      requestedBy: mesTokenId,
      requestHash: createHash('sha256').update(serial).digest(),
      imageData: new Uint8Array(512).fill(0xff),
      lockBlocks: [0],
      secretFields: [],
    });
    const id = created.device.id;
    let chipUid: string | null = null;
    if (options.claim === true) {
      chipUid = `${randomUUID().replaceAll('-', '').slice(0, 20)}${String(++this.#uid).padStart(4, '0')}`;
      const claim = await repository.claim(id, Buffer.from(chipUid, 'hex'), STATION);
      assert.equal(claim.outcome, 'claimed');
    }
    if (options.to !== undefined) {
      const action = options.to === 'quarantined' ? 'quarantine' : 'scrap';
      assert.ok(await repository.transition(id, action, { actor: 'test', reason: 'test' }));
    }
    return { id, serial, chipUid };
  }

  /** Attests a claimed device and appends it to the log, as a station's exact-match report would. */
  async provision(device: { id: string; serial: string; chipUid: string | null }): Promise<number> {
    const trust = api.app.get(TrustService);
    const attestedAt = new Date();
    const attestation = buildAttestation({
      deviceId: device.id,
      product: this.order.productId,
      serial: device.serial,
      layout: { name: 'sensor-node', version: this.order.layoutVersion, digestSha256: 'ab'.repeat(32) },
      chip: { family: 'stm32f4', productId: 0x413, uidHex: device.chipUid ?? '' },
      readBack: { data: new Uint8Array(512).fill(0xff), lockBytes: new Uint8Array(16).fill(0xff) },
      secretFields: [],
      deviceCertificateSha256: 'cd'.repeat(32),
      stationId: STATION,
      jobId: device.id,
      workOrderId: this.order.id,
      provisionedAt: attestedAt,
      attestedAt,
    });
    const text = serializeAttestationEnvelope(await signAttestation(attestation, trust.attestationSigner));
    return api.database.transaction(async (trx) => {
      const { leafIndex } = await api.app.get(LogService).appendAttestation(new PgLogStore(trx), text);
      await new AttestationRepository(trx).insert({
        leafIndex,
        deviceId: device.id,
        envelope: text,
        serial: device.serial,
        chipUid: Buffer.from(device.chipUid ?? '', 'hex'),
        productId: this.order.productId,
        workOrderId: this.order.id,
        stationId: STATION,
      });
      const moved = await new DeviceRepository(trx).transition(device.id, 'provision', {
        actor: STATION,
      });
      assert.ok(moved);
      return leafIndex;
    });
  }
}
