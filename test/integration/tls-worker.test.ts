// The real station worker over mutual TLS (issue 9, "Secrets in transit"): bin/ingrain-api serving
// HTTPS with station client certificates required, bin/ingrain-station worker with its CA, certificate
// and key, a simulated chip on a pty: ordered devices are claimed, programmed, reported and
// provisioned, every request of the station over the one TLS agent.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { seedCatalog, type Catalog } from '../../testkit/stack/catalog.js';
import { pollUntil } from '../../testkit/stack/child-process.js';
import { orderDevices, waitForWorkOrder } from '../../testkit/stack/mes.js';
import { startSimProcess, type SimProcess } from '../../testkit/stack/simulator-process.js';
import { stationKeygen, type StationKey } from '../../testkit/stack/station-key.js';
import { StationProcess } from '../../testkit/stack/station-process.js';
import { startHttpsApi, type HttpsApi } from '../../testkit/tls-api.js';
import { createTestPki, type TestPki } from '../../testkit/tls.js';

const LINE = 'line-1';
const DEVICES = 2;

describe('the station worker provisions chips over mutual TLS', () => {
  let dir: string;
  let pki: TestPki;
  let api: HttpsApi;
  let catalog: Catalog;
  let sim: SimProcess | undefined;
  let station: StationProcess | undefined;
  let stationKey: StationKey;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-tls-worker-'));
    pki = await createTestPki(join(dir, 'pki'));
    api = await startHttpsApi({
      dir,
      pki,
      env: { INGRAIN_TLS_CLIENT_CA_FILE: pki.ca.certFile, INGRAIN_TLS_STATION_CERTS: 'required' },
    });
    stationKey = await stationKeygen(join(dir, 'st-1'));
    catalog = await seedCatalog(api.client(api.adminToken), {
      line: LINE,
      stationIds: ['st-1'],
      stationPublicKeys: new Map([['st-1', stationKey.publicKeyHex]]),
    });
  });
  after(async () => {
    await station?.stop();
    await sim?.stop();
    await api?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('ordered devices end provisioned; the station logged no TLS or certificate refusal', async () => {
    const releaseDir = join(dir, 'release');
    await mkdir(releaseDir, { recursive: true });
    sim = await startSimProcess({ family: 'stm32f4', count: 1, feeder: { releaseDir, chipsPerFixture: DEVICES } });
    const certificate = await pki.issueStationCertificate('st-1');
    const stationDir = join(dir, 'st-1');
    await mkdir(stationDir, { recursive: true });
    station = await StationProcess.start({
      stationId: 'st-1',
      token: catalog.stationTokens.get('st-1') ?? '',
      apiUrl: api.url,
      redisUrl: api.redis.url,
      line: LINE,
      fixtures: sim.devices.map((device) => device.port),
      dir: stationDir,
      keyFile: stationKey.privateKeyPath,
      releaseDir,
      env: {
        INGRAIN_API_CA_FILE: pki.ca.certFile,
        INGRAIN_API_CLIENT_CERT_FILE: certificate.certFile,
        INGRAIN_API_CLIENT_KEY_FILE: certificate.keyFile,
      },
    });
    assert.equal(station.named('station-credentials-accepted').length, 1);
    const mes = api.client(catalog.mesToken);
    const order = await orderDevices(mes, { productId: catalog.productId, quantity: DEVICES, serialPrefix: 'MTLS-' });
    const counts = await waitForWorkOrder(mes, order.workOrderId, { timeoutMs: 120_000 });
    assert.equal(counts.provisioned, DEVICES, JSON.stringify(counts));
    // The station logs job-completed once the API's verdict is back: just after the work order shows it.
    const running = station;
    await pollUntil(
      'both jobs completed',
      () => (running.named('job-completed').length === DEVICES ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    const refusals = station.events.filter((entry) => /TLS_FAILED|CLIENT_CERT_/.test(JSON.stringify(entry)));
    assert.deepEqual(refusals, []);
  });
});
