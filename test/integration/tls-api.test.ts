// HTTPS and mutual TLS (issue 9, "Secrets in transit") against the REAL API process (bin/ingrain-api
// with INGRAIN_TLS_*) and the station's real API adapter and worker binary: the station trusts only
// the configured CA; plain HTTP gets nothing from the HTTPS port; with station certificates required,
// a station token counts only over a connection whose client certificate, from the line's CA, names
// that station (and with them optional, a station without one passes, one with a bad one does not).
// The certificates are made now with the openssl commands of docs/tls.md.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type SecureVersion } from 'node:tls';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { expectData } from '#ingrain/api-client';
import { testStationKey, type TestStationKey } from '#ingrain/crypto/testing';
import { checkStationCredentials } from '../../apps/station/src/worker/api/station-credentials.js';
import { StationApi } from '../../apps/station/src/worker/api/station-api.js';
import { apiFetchFor, type ApiTlsSettings } from '../../apps/station/src/worker/api/tls-agent.js';
import { StationApiError, StationError } from '../../apps/station/src/worker/errors.js';
import type { LogFields, StationLog } from '../../apps/station/src/worker/station-log.js';
import { binPath } from '../../testkit/paths.js';
import { orderDevices } from '../../testkit/stack/mes.js';
import { seedCatalog, type Catalog } from '../../testkit/stack/catalog.js';
import { randomChipUid } from '../../testkit/station-reports.js';
import { startHttpsApi, type HttpsApi } from '../../testkit/tls-api.js';
import { createTestPki, type CertificateFiles, type TestPki } from '../../testkit/tls.js';

const run = promisify(execFile);
const LINE = 'line-1';
/** Each station's sealing key pair (the admin registers the public half with the station). */
const STATION_KEYS = new Map<string, TestStationKey>([
  ['st-a', testStationKey()],
  ['st-b', testStationKey()],
]);
function keyOf(stationId: string): TestStationKey {
  const key = STATION_KEYS.get(stationId);
  assert.ok(key !== undefined, `no sealing key for ${stationId}`);
  return key;
}

class MemoryLog implements StationLog {
  readonly events: { event: string; fields: LogFields }[] = [];
  write(_level: string, event: string, fields: LogFields = {}): void {
    this.events.push({ event, fields });
  }
}

/** A StationApiError with this code (and, for an API answer, status and problem code). */
const apiError =
  (code: string, problemCode?: string, message?: RegExp) =>
  (error: unknown): boolean => {
    assert.ok(error instanceof StationApiError, `not a StationApiError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (problemCode !== undefined) assert.deepEqual([error.status, error.problemCode], [403, problemCode]);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  };

describe('the API over HTTPS with station client certificates (required, then optional)', () => {
  let dir: string;
  let pki: TestPki;
  let api: HttpsApi;
  let catalog: Catalog;
  let devices: readonly string[];
  let certA: CertificateFiles;
  let certAOtherCa: CertificateFiles;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-tls-api-'));
    pki = await createTestPki(join(dir, 'pki'));
    [certA, certAOtherCa] = await Promise.all([
      pki.issueStationCertificate('st-a'),
      pki.issueStationCertificate('st-a', { issuer: 'otherCa' }),
    ]);
    api = await startHttpsApi({
      dir,
      pki,
      env: { INGRAIN_TLS_CLIENT_CA_FILE: pki.ca.certFile, INGRAIN_TLS_STATION_CERTS: 'required' },
    });
    // Admin and MES work over HTTPS without a client certificate: only station tokens need one.
    catalog = await seedCatalog(api.client(api.adminToken), {
      line: LINE,
      stationIds: ['st-a', 'st-b'],
      stationPublicKeys: new Map([
        ['st-a', keyOf('st-a').publicKeyHex],
        ['st-b', keyOf('st-b').publicKeyHex],
      ]),
    });
    const ordered = await orderDevices(api.client(catalog.mesToken), {
      productId: catalog.productId,
      quantity: 3,
      serialPrefix: 'TLS-',
    });
    devices = ordered.deviceIds;
  });
  after(async () => {
    await api?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const tokenOf = (stationId: string): string => {
    const token = catalog.stationTokens.get(stationId);
    assert.ok(token !== undefined);
    return token;
  };
  const stationApi = (stationId: string, tls: ApiTlsSettings, baseUrl = api.url): StationApi =>
    new StationApi({
      baseUrl,
      token: tokenOf(stationId),
      fetch: apiFetchFor(tls),
      requestTimeoutMs: 5_000,
      sealing: { stationId, privateKey: keyOf(stationId).privateKey },
    });
  const withCert = (cert: CertificateFiles): ApiTlsSettings => ({
    apiCaFile: pki.ca.certFile,
    apiClientCertFile: cert.certFile,
    apiClientKeyFile: cert.keyFile,
  });
  const stateOf = async (deviceId: string): Promise<string> =>
    expectData(await api.client(catalog.mesToken).GET('/v1/devices/{id}', { params: { path: { id: deviceId } } }))
      .state;

  test("station A's certificate and token over HTTPS: the start-up check passes and the claim works", async () => {
    const station = stationApi('st-a', withCert(certA));
    const log = new MemoryLog();
    const identity = await checkStationCredentials({
      api: station,
      config: { stationId: 'st-a', line: LINE, apiUrl: api.url },
      log,
      initialBackoffMs: 10,
      maxBackoffMs: 10,
    });
    assert.deepEqual([identity.id, identity.line], ['st-a', LINE]);
    const outcome = await station.claim(devices[0]!, randomChipUid());
    assert.equal(outcome.kind, 'claimed');
    assert.equal(await stateOf(devices[0]!), 'claimed');
  });

  test('a CA that did not issue the API certificate: the station refuses the API, naming INGRAIN_API_CA_FILE', async () => {
    const station = stationApi('st-a', { ...withCert(certA), apiCaFile: pki.otherCa.certFile });
    await assert.rejects(
      station.whoAmI(),
      apiError(
        'STATION_API_TLS_FAILED',
        undefined,
        /station lookup: the API's certificate is not trusted \([A-Z_]+\): INGRAIN_API_CA_FILE/,
      ),
    );
    // Without INGRAIN_API_CA_FILE the system's CAs do not know the line's CA either.
    await assert.rejects(stationApi('st-a', {}).whoAmI(), apiError('STATION_API_TLS_FAILED', undefined, /not trusted/));
    // At start-up that is final at once: no retry loop on a certificate that will not verify.
    const log = new MemoryLog();
    await assert.rejects(
      checkStationCredentials({
        api: station,
        config: { stationId: 'st-a', line: LINE, apiUrl: api.url },
        log,
        initialBackoffMs: 10,
        maxBackoffMs: 10,
      }),
      apiError('STATION_API_TLS_FAILED'),
    );
    assert.deepEqual(log.events, []);
  });

  test('the certificate names localhost too: https://localhost works as https://127.0.0.1', async () => {
    const viaLocalhost = stationApi('st-a', withCert(certA), `https://localhost:${api.port}`);
    assert.equal((await viaLocalhost.whoAmI()).id, 'st-a');
  });

  test('plain HTTP to the HTTPS port gets no answer', async () => {
    await assert.rejects(fetch(`http://127.0.0.1:${api.port}/health/live`, { signal: AbortSignal.timeout(5_000) }));
    const plain = new StationApi({
      baseUrl: `http://127.0.0.1:${api.port}`,
      token: tokenOf('st-a'),
      requestTimeoutMs: 5_000,
      sealing: { stationId: 'st-a', privateKey: keyOf('st-a').privateKey },
    });
    await assert.rejects(plain.whoAmI(), apiError('STATION_API_UNREACHABLE'));
  });

  test('TLS older than 1.2 gets no handshake; 1.2 and 1.3 do', async () => {
    const ca = await readFile(pki.ca.certFile, 'utf8');
    const handshake = (minVersion: SecureVersion, maxVersion: SecureVersion) =>
      new Promise<string>((resolve, reject) => {
        // SECLEVEL=0 lets this client offer TLS 1.0/1.1: a refusal is then the server's.
        const options = { host: '127.0.0.1', port: api.port, servername: 'localhost', ca, minVersion, maxVersion };
        const socket = connect({ ...options, ciphers: 'DEFAULT@SECLEVEL=0' });
        socket.setTimeout(5_000, () => socket.destroy(new Error('timeout')));
        socket.once('secureConnect', () => {
          resolve(socket.getProtocol() ?? '');
          socket.end();
        });
        socket.once('error', reject);
      });
    await assert.rejects(handshake('TLSv1', 'TLSv1.1'));
    assert.equal(await handshake('TLSv1.2', 'TLSv1.2'), 'TLSv1.2');
    assert.equal(await handshake('TLSv1.3', 'TLSv1.3'), 'TLSv1.3');
  });

  test('no client certificate with a station token: 403 CLIENT_CERT_REQUIRED, the start refuses it naming the files', async () => {
    const station = stationApi('st-a', { apiCaFile: pki.ca.certFile });
    await assert.rejects(station.whoAmI(), apiError('STATION_API_REJECTED', 'CLIENT_CERT_REQUIRED'));
    await assert.rejects(
      station.claim(devices[1]!, randomChipUid()),
      apiError('STATION_API_REJECTED', 'CLIENT_CERT_REQUIRED'),
    );
    await assert.rejects(
      checkStationCredentials({
        api: station,
        config: { stationId: 'st-a', line: LINE, apiUrl: api.url },
        log: new MemoryLog(),
        initialBackoffMs: 10,
        maxBackoffMs: 10,
      }),
      (error: unknown) => {
        assert.ok(error instanceof StationError);
        assert.equal(error.code, 'STATION_CREDENTIALS_REJECTED');
        assert.match(
          error.message,
          /client certificate \(HTTP 403 CLIENT_CERT_REQUIRED\).*INGRAIN_API_CLIENT_CERT_FILE/,
        );
        return true;
      },
    );
    assert.equal(await stateOf(devices[1]!), 'queued');
  });

  test('a certificate naming the station from another CA: 403 CLIENT_CERT_UNTRUSTED, nothing claimed', async () => {
    const station = stationApi('st-a', withCert(certAOtherCa));
    await assert.rejects(
      station.claim(devices[1]!, randomChipUid()),
      apiError('STATION_API_REJECTED', 'CLIENT_CERT_UNTRUSTED'),
    );
    assert.equal(await stateOf(devices[1]!), 'queued');
  });

  test("station A's certificate with station B's token: 403 CLIENT_CERT_WRONG_STATION, nothing claimed", async () => {
    const station = stationApi('st-b', withCert(certA));
    await assert.rejects(station.whoAmI(), apiError('STATION_API_REJECTED', 'CLIENT_CERT_WRONG_STATION'));
    await assert.rejects(
      station.claim(devices[1]!, randomChipUid()),
      apiError('STATION_API_REJECTED', 'CLIENT_CERT_WRONG_STATION'),
    );
    assert.equal(await stateOf(devices[1]!), 'queued');
  });

  test('the problem answer is problem+json and names both stations', async () => {
    const fetchA = apiFetchFor(withCert(certA));
    assert.ok(fetchA !== undefined);
    const request = new Request(`${api.url}/v1/stations/me`, {
      headers: { authorization: `Bearer ${tokenOf('st-b')}` },
    });
    const response = await fetchA(request, { signal: AbortSignal.timeout(5_000) });
    assert.equal(response.status, 403);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = (await response.json()) as Record<string, unknown>;
    assert.equal(problem['code'], 'CLIENT_CERT_WRONG_STATION');
    assert.equal(problem['stationId'], 'st-b');
    assert.deepEqual(problem['certificateStations'], ['st-a']);
  });

  test('bin/ingrain-station worker: a wrong CA stops the start (exit 1), a mismatched certificate too (exit 2); neither names the token', async () => {
    const tokenFile = join(dir, 'st-b.token');
    await writeFile(tokenFile, tokenOf('st-b'), { mode: 0o600 });
    const keyFile = join(dir, 'st-b-station-key.pem');
    await writeFile(keyFile, String(keyOf('st-b').privateKey.export({ format: 'pem', type: 'pkcs8' })), {
      mode: 0o600,
    });
    const worker = async (env: Record<string, string>) => {
      const result = await run(process.execPath, [binPath('ingrain-station'), 'worker'], {
        env: {
          ...process.env,
          INGRAIN_STATION_ID: 'st-b',
          INGRAIN_LINE: LINE,
          INGRAIN_API_URL: api.url,
          REDIS_URL: api.redis.url,
          INGRAIN_FIXTURES: join(dir, 'no-such-port'),
          INGRAIN_SPOOL_DIR: join(dir, 'spool-b'),
          INGRAIN_STATION_TOKEN_FILE: tokenFile,
          INGRAIN_STATION_KEY_FILE: keyFile,
          ...env,
        },
        timeout: 30_000,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      assert.ok(!result.stderr.includes(tokenOf('st-b')), 'no token in the output');
      return result;
    };
    const wrongCa = await worker({
      INGRAIN_API_CA_FILE: pki.otherCa.certFile,
      INGRAIN_API_CLIENT_CERT_FILE: certA.certFile,
      INGRAIN_API_CLIENT_KEY_FILE: certA.keyFile,
    });
    assert.equal(wrongCa.code, 1, wrongCa.stderr);
    assert.match(wrongCa.stderr, /STATION_API_TLS_FAILED: station lookup: the API's certificate is not trusted/);
    const mismatch = await worker({
      INGRAIN_API_CA_FILE: pki.ca.certFile,
      INGRAIN_API_CLIENT_CERT_FILE: certA.certFile,
      INGRAIN_API_CLIENT_KEY_FILE: certA.keyFile,
    });
    assert.equal(mismatch.code, 2, mismatch.stderr);
    assert.match(mismatch.stderr, /CLIENT_CERT_WRONG_STATION/);
  });

  test('INGRAIN_TLS_STATION_CERTS=optional (after a restart): a station without a certificate passes (a line moving to mTLS); one with a certificate must pass the check', async () => {
    await api.restart({ INGRAIN_TLS_STATION_CERTS: 'optional' });
    const withoutCertificate = stationApi('st-a', { apiCaFile: pki.ca.certFile });
    assert.equal((await withoutCertificate.whoAmI()).id, 'st-a');
    assert.equal((await withoutCertificate.claim(devices[2]!, randomChipUid())).kind, 'claimed');
    assert.equal((await stationApi('st-a', withCert(certA)).whoAmI()).id, 'st-a');
    await assert.rejects(
      stationApi('st-b', withCert(certA)).claim(devices[1]!, randomChipUid()),
      apiError('STATION_API_REJECTED', 'CLIENT_CERT_WRONG_STATION'),
    );
    await assert.rejects(
      stationApi('st-a', withCert(certAOtherCa)).claim(devices[1]!, randomChipUid()),
      apiError('STATION_API_REJECTED', 'CLIENT_CERT_UNTRUSTED'),
    );
    assert.equal(await stateOf(devices[1]!), 'queued');
  });
});
