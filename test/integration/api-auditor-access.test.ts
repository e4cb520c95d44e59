// Auditor access and export (issue 13, item 6) against the real app: the auditor reads layouts, a
// closed work order's signed report and the device list its listSha256 covers (cursor paged), and
// exports bundles (JSON Lines, which the compiled verifier verifies with the trust root) and a CSV
// summary, for a work order or a time range. The MES cannot export; the auditor cannot write.
// Needs the compiled dist/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodePem } from '#ingrain/crypto';
import type { Response } from 'supertest';
import type { Role } from '../../apps/api/src/auth/roles.js';
import { WorkOrderRepository } from '../../apps/api/src/repositories/index.js';
import { verifyWorkOrderReportEnvelope } from '../../apps/api/src/work-orders/work-order-envelope.js';
import {
  type WorkOrderDeviceEntry,
  workOrderDeviceListBytes,
} from '../../apps/api/src/work-orders/work-order-report.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { seedCatalogRows, type SeededCatalog } from '../../testkit/catalog-rows.js';
import { readOpenApiOperations } from '../../testkit/openapi-operations.js';
import { binPath } from '../../testkit/paths.js';
import { randomChipUid, successReport, type ClaimedImage } from '../../testkit/station-reports.js';

let api: TestApi;
let dir: string;
let catalog: SeededCatalog;
let openWorkOrderId: string;
let startedAt: Date;
const tokens = new Map<Role, string>();

const token = (role: Role): string => tokens.get(role) ?? assert.fail(`no ${role} token`);
const get = (path: string, role: Role = 'auditor') =>
  api
    .http()
    .get(path)
    .set('Authorization', `Bearer ${token(role)}`);

function assertProblem(response: Response, status: number, code: string, path?: string): void {
  assert.equal(response.status, status, response.text);
  const body = response.body as { code: string; errors?: { path: string }[] };
  assert.equal(body.code, code, response.text);
  if (path !== undefined)
    assert.ok(
      body.errors?.some((e) => e.path === path),
      response.text,
    );
}

async function createDevice(): Promise<string> {
  const created = await api
    .http()
    .post('/v1/devices')
    .set('Authorization', `Bearer ${token('mes')}`)
    .set('Idempotency-Key', randomUUID())
    .send({ workOrderId: catalog.workOrderId, inputs: catalog.inputs });
  assert.equal(created.status, 202, created.text);
  return (created.body as { id: string }).id;
}

async function provisionDevice(): Promise<void> {
  const id = await createDevice();
  const claimed = await api
    .http()
    .post(`/v1/devices/${id}/claim`)
    .set('Authorization', `Bearer ${token('station')}`)
    .send({ chipUid: randomChipUid(), claimId: randomUUID() });
  assert.equal(claimed.status, 200, claimed.text);
  const result = await api
    .http()
    .post(`/v1/devices/${id}/result`)
    .set('Authorization', `Bearer ${token('station')}`)
    .send(successReport(claimed.body as ClaimedImage));
  assert.equal(result.status, 200, result.text);
}

function verifyCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [binPath('ingrain-verify'), ...args], { cwd: dir }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingrain-auditor-'));
  api = await startTestApi();
  catalog = await seedCatalogRows(api.database.kysely, { quantity: 20 });
  openWorkOrderId = (
    await new WorkOrderRepository(api.database.kysely).create({
      productId: catalog.productId,
      layoutVersion: catalog.layoutVersion,
      quantity: 2,
    })
  ).id;
  tokens.set('admin', api.adminToken);
  tokens.set('mes', await api.createToken('mes', 'access-mes'));
  tokens.set('auditor', await api.createToken('auditor', 'access-auditor'));
  tokens.set('station', await api.createToken('station', 'access-station', catalog.stationId));
  startedAt = new Date(Date.now() - 1000);
  for (let i = 0; i < 3; i++) await provisionDevice();
  await createDevice(); // queued at closing: in the device list, without an attestation
  await createDevice();
  const closed = await api
    .http()
    .post(`/v1/work-orders/${catalog.workOrderId}/close`)
    .set('Authorization', `Bearer ${token('mes')}`);
  assert.equal(closed.status, 200, closed.text);
  await writeFile(join(dir, 'root.json'), (await get('/v1/trust-root')).text);
});

after(async () => {
  await api?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

void describe('auditor access', () => {
  void test('the auditor reads layouts', async () => {
    const layout = await get(`/v1/products/${catalog.productId}/layouts/${catalog.layoutVersion}`);
    assert.equal(layout.status, 200, layout.text);
  });

  void test("a closed work order's signed report: auditor and MES read it; it verifies with the attestation key", async () => {
    const response = await get(`/v1/work-orders/${catalog.workOrderId}/report`);
    assert.equal(response.status, 200, response.text);
    const body = response.body as { envelope: never; report: { devices: { count: number }; workOrderId: string } };
    const keys = (await get('/v1/keys')).body as { attestationPublicKeyPem: string };
    const verified = verifyWorkOrderReportEnvelope(
      body.envelope,
      decodePem(keys.attestationPublicKeyPem, 'PUBLIC KEY'),
    );
    assert.deepEqual(verified, body.report);
    assert.equal(body.report.devices.count, 5);
    assert.equal((await get(`/v1/work-orders/${catalog.workOrderId}/report`, 'mes')).text, response.text);
    assertProblem(await get(`/v1/work-orders/${openWorkOrderId}/report`), 409, 'WORK_ORDER_NOT_CLOSED');
    assertProblem(await get(`/v1/work-orders/${randomUUID()}/report`), 404, 'WORK_ORDER_NOT_FOUND');
  });

  void test('the device list, page by page, hashes to the report’s listSha256', async () => {
    const report = (await get(`/v1/work-orders/${catalog.workOrderId}/report`)).body as {
      report: { devices: { listSha256: string } };
    };
    const entries: WorkOrderDeviceEntry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? 'limit=2' : `limit=2&cursor=${cursor}`;
      const page = await get(`/v1/work-orders/${catalog.workOrderId}/report/devices?${query}`);
      assert.equal(page.status, 200, page.text);
      const body = page.body as { devices: WorkOrderDeviceEntry[]; nextCursor: string | null };
      assert.ok(body.devices.length <= 2);
      entries.push(...body.devices);
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null);
    assert.equal(pages, 3);
    assert.equal(entries.length, 5);
    assert.equal(entries.filter((e) => e.attestationLeafIndex !== null).length, 3);
    const hash = createHash('sha256').update(workOrderDeviceListBytes(entries)).digest('hex');
    assert.equal(hash, report.report.devices.listSha256);
    // The pages are already in the report's order: the JCS of the concatenation is the list itself.
    assert.deepEqual(
      entries.map((e) => e.serial),
      [...entries.map((e) => e.serial)].sort(),
    );
    const bad = await get(`/v1/work-orders/${catalog.workOrderId}/report/devices?cursor=nonsense`);
    assertProblem(bad, 400, 'CURSOR_INVALID', 'query.cursor');
    const checkpointCursor = Buffer.from(JSON.stringify({ l: 'log-checkpoints', k: [1] })).toString('base64url');
    const foreign = await get(`/v1/work-orders/${catalog.workOrderId}/report/devices?cursor=${checkpointCursor}`);
    assertProblem(foreign, 400, 'CURSOR_INVALID', 'query.cursor');
    assertProblem(await get(`/v1/work-orders/${openWorkOrderId}/report/devices`), 409, 'WORK_ORDER_NOT_CLOSED');
  });
});

void describe('bulk export', () => {
  void test('JSON Lines of a work order: every bundle, and the verifier passes them with the trust root', async () => {
    const response = await get(`/v1/attestations/export?format=jsonl&workOrderId=${catalog.workOrderId}`);
    assert.equal(response.status, 200, response.text);
    assert.match(String(response.headers['content-type']), /^application\/x-ndjson/);
    const lines = response.text.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    await writeFile(join(dir, 'export.jsonl'), response.text);
    const result = await verifyCli(['--trust-root', 'root.json', 'export.jsonl']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /VERIFIED: 3 bundle\(s\), 3 passed, 0 failed/);
  });

  void test('CSV summary of a time range: a header and one row per attestation, in log order', async () => {
    const from = encodeURIComponent(startedAt.toISOString());
    const to = encodeURIComponent(new Date(Date.now() + 60_000).toISOString());
    const response = await get(`/v1/attestations/export?format=csv&from=${from}&to=${to}`);
    assert.equal(response.status, 200, response.text);
    assert.match(String(response.headers['content-type']), /^text\/csv/);
    const rows = response.text.split('\r\n').filter((row) => row.length > 0);
    assert.equal(rows[0], 'leafIndex,deviceId,serial,chipUid,productId,workOrderId,stationId,createdAt');
    assert.equal(rows.length, 4);
    const leaves = rows.slice(1).map((row) => Number(row.split(',')[0]));
    assert.deepEqual(
      leaves,
      [...leaves].sort((a, b) => a - b),
    );
    for (const row of rows.slice(1)) assert.equal(row.split(',')[5], catalog.workOrderId);
    const empty = await get(`/v1/attestations/export?format=csv&workOrderId=${openWorkOrderId}`);
    assert.equal(empty.text, `${rows[0]}\r\n`);
  });

  void test('bad queries are a 400 naming the field', async () => {
    assertProblem(await get('/v1/attestations/export?format=csv'), 400, 'VALIDATION_FAILED', 'query.from');
    assertProblem(
      await get('/v1/attestations/export?format=xml&workOrderId=' + catalog.workOrderId),
      400,
      'VALIDATION_FAILED',
      'query.format',
    );
    const sameInstant = 'from=2030-01-01T00:00:00Z&to=2030-01-01T00:00:00Z';
    assertProblem(await get(`/v1/attestations/export?format=csv&${sameInstant}`), 400, 'VALIDATION_FAILED', 'query.to');
  });
});

void describe('each role can do exactly what it should', () => {
  void test('only the auditor exports; MES, station and admin are refused', async () => {
    const path = `/v1/attestations/export?format=csv&workOrderId=${catalog.workOrderId}`;
    assert.equal((await get(path)).status, 200);
    for (const role of ['mes', 'station', 'admin'] as const)
      assertProblem(await get(path, role), 403, 'ROLE_FORBIDDEN');
  });

  void test('report and device list: auditor and MES; station and admin are refused', async () => {
    for (const path of [
      `/v1/work-orders/${catalog.workOrderId}/report`,
      `/v1/work-orders/${catalog.workOrderId}/report/devices`,
    ]) {
      assert.equal((await get(path, 'auditor')).status, 200);
      assert.equal((await get(path, 'mes')).status, 200);
      for (const role of ['station', 'admin'] as const) assertProblem(await get(path, role), 403, 'ROLE_FORBIDDEN');
    }
  });

  void test('the auditor cannot write: every documented non-GET operation is refused with ROLE_FORBIDDEN', async () => {
    // Signing out of one's own console session (DELETE /console/session) changes no record: every role may.
    const writes = readOpenApiOperations().filter(
      (o) => o.method !== 'get' && o.allowed !== undefined && o.path !== '/console/session',
    );
    assert.ok(writes.length >= 10, `only ${writes.length} write operations`);
    for (const operation of writes) {
      assert.ok(!operation.allowed?.includes('auditor'), `${operation.method} ${operation.path} admits the auditor`);
      const path = operation.path.replace(/\{[^}]+\}/g, randomUUID());
      const http = api.http();
      const response = await http[operation.method](path)
        .set('Authorization', `Bearer ${token('auditor')}`)
        .send({});
      assertProblem(response, 403, 'ROLE_FORBIDDEN');
    }
  });
});
