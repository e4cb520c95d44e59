// The whole API flow driven through the generated typed client (libs/api-client) over real HTTP,
// as each party would: an admin sets up the catalogue, the MES asks for a device, a station claims
// it with a chip UID and reports the read-back, an auditor fetches the attestation bundle.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createIngrainClient, expectData, type IngrainClient } from '#ingrain/api-client';
import { testStationKey } from '#ingrain/crypto/testing';
import { randomChipUid, successReport } from '../../testkit/station-reports.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { REPO_ROOT } from '../../testkit/paths.js';

describe('the generated client drives the whole flow', () => {
  let api: TestApi;
  let baseUrl: string;
  const client = (token: string): IngrainClient => createIngrainClient({ baseUrl, token });

  before(async () => {
    api = await startTestApi();
    await api.app.listen(0, '127.0.0.1');
    baseUrl = await api.app.getUrl();
  });
  after(() => api.close());

  test('admin → MES → station → auditor', async () => {
    const admin = client(api.adminToken);
    const stationKey = testStationKey();
    const source = await readFile(join(REPO_ROOT, 'examples', 'layouts', 'sensor-node.yaml'), 'utf8');
    // The serial field is written from the device's serial (docs/layouts.md, "Identity fields").
    const { serial: _serial, ...inputs } = JSON.parse(
      await readFile(join(REPO_ROOT, 'examples', 'values', 'sensor-node.json'), 'utf8'),
    ) as Record<string, unknown>;
    expectData(
      await admin.POST('/v1/products', {
        body: { id: 'sensor-node', name: 'Sensor node', line: 'line-1', serialPrefix: 'SN-' },
      }),
    );
    const layout = expectData(
      await admin.POST('/v1/products/{id}/layouts', { params: { path: { id: 'sensor-node' } }, body: { source } }),
    );
    assert.equal(layout.version, 1);
    const station = expectData(
      await admin.POST('/v1/stations', {
        body: { id: 'station-1', name: 'Station 1', line: 'line-1', sealingPublicKey: stationKey.publicKeyHex },
      }),
    );
    const mesToken = expectData(await admin.POST('/v1/tokens', { body: { name: 'mes', role: 'mes' } })).token;
    const auditorToken = expectData(await admin.POST('/v1/tokens', { body: { name: 'audit', role: 'auditor' } })).token;

    const mes = client(mesToken);
    const order = expectData(await mes.POST('/v1/work-orders', { body: { productId: 'sensor-node', quantity: 1 } }));
    const key = randomUUID();
    const body = { workOrderId: order.id, inputs };
    const device = expectData(await mes.POST('/v1/devices', { params: { header: { 'Idempotency-Key': key } }, body }));
    const again = expectData(await mes.POST('/v1/devices', { params: { header: { 'Idempotency-Key': key } }, body }));
    assert.equal(again.id, device.id, 'a retried request returns the same device');
    const exhausted = await mes.POST('/v1/devices', {
      params: { header: { 'Idempotency-Key': randomUUID() } },
      body,
    });
    assert.equal(exhausted.response.status, 409);

    const stationClient = client(station.token.token);
    const chipUid = randomChipUid();
    const claim = expectData(
      await stationClient.POST('/v1/devices/{id}/claim', {
        params: { path: { id: device.id } },
        body: { chipUid, claimId: randomUUID() },
      }),
    );
    const verdict = expectData(
      await stationClient.POST('/v1/devices/{id}/result', {
        params: { path: { id: device.id } },
        body: successReport({ ...claim, chipUid }),
      }),
    );
    assert.equal(verdict.verdict, 'provisioned');

    const auditor = client(auditorToken);
    const found = expectData(await auditor.GET('/v1/attestations', { params: { query: { chipUid } } }));
    assert.equal(found.attestations.length, 1);
    const leafIndex = found.attestations[0]?.leafIndex;
    assert.equal(typeof leafIndex, 'number');
    const bundle = expectData(
      await auditor.GET('/v1/attestations/{leafIndex}/bundle', { params: { path: { leafIndex: leafIndex ?? -1 } } }),
    );
    assert.ok(JSON.stringify(bundle).includes('checkpoint'));
    const forbidden = await auditor.POST('/v1/work-orders', { body: { productId: 'sensor-node', quantity: 1 } });
    assert.equal(forbidden.response.status, 403);
  });
});
