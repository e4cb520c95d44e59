import assert from 'node:assert/strict';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestPki, type TestPki } from '../../../../../testkit/tls.js';
import { loadWorkerConfig } from '../config.js';
import { StationError } from '../errors.js';
import { apiFetchFor, describeTlsFailure } from './tls-agent.js';

const ENV = {
  INGRAIN_STATION_ID: 'st-1',
  INGRAIN_STATION_TOKEN: `ingr_${'a'.repeat(43)}`,
  INGRAIN_API_URL: 'https://api.line.example',
  REDIS_URL: 'redis://127.0.0.1:6379',
  INGRAIN_LINE: 'line-1',
  INGRAIN_FIXTURES: '/dev/ttyUSB0',
};
const noFile = (): string => {
  throw new Error('no file');
};

const configInvalid =
  (...patterns: RegExp[]) =>
  (error: unknown): boolean => {
    assert.ok(error instanceof StationError, String(error));
    assert.equal(error.code, 'STATION_CONFIG_INVALID');
    for (const pattern of patterns) assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /BEGIN|PRIVATE KEY/);
    return true;
  };

describe('worker configuration: TLS to the API', () => {
  test('reads the CA, certificate and key files from the environment or flags', () => {
    const env = {
      ...ENV,
      INGRAIN_API_CA_FILE: '/pki/ca.pem',
      INGRAIN_API_CLIENT_CERT_FILE: '/pki/st-1.pem',
      INGRAIN_API_CLIENT_KEY_FILE: '/pki/st-1.key',
    };
    const config = loadWorkerConfig([], env, noFile);
    assert.deepEqual(
      [config.apiCaFile, config.apiClientCertFile, config.apiClientKeyFile],
      ['/pki/ca.pem', '/pki/st-1.pem', '/pki/st-1.key'],
    );
    const flagged = loadWorkerConfig(['--api-ca-file', '/other/ca.pem'], env, noFile);
    assert.equal(flagged.apiCaFile, '/other/ca.pem');
    assert.equal(loadWorkerConfig([], ENV, noFile).apiCaFile, undefined);
  });

  test('a certificate without its key, or the other way round: refused, naming both', () => {
    for (const extra of [{ INGRAIN_API_CLIENT_CERT_FILE: '/c.pem' }, { INGRAIN_API_CLIENT_KEY_FILE: '/k.pem' }]) {
      assert.throws(
        () => loadWorkerConfig([], { ...ENV, ...extra }, noFile),
        configInvalid(/INGRAIN_API_CLIENT_CERT_FILE and INGRAIN_API_CLIENT_KEY_FILE go together/),
      );
    }
  });

  test('TLS files with a plain http:// API: refused, naming the variable', () => {
    const env = { ...ENV, INGRAIN_API_URL: 'http://127.0.0.1:8080', INGRAIN_API_CA_FILE: '/pki/ca.pem' };
    assert.throws(() => loadWorkerConfig([], env, noFile), configInvalid(/INGRAIN_API_CA_FILE.*plain http:\/\//));
  });
});

describe('apiFetchFor', () => {
  let dir: string;
  let pki: TestPki;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-station-tls-'));
    pki = await createTestPki(join(dir, 'pki'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('no TLS file: undefined (the global fetch and the system CAs)', () => {
    assert.equal(apiFetchFor({}), undefined);
  });

  test('a CA, and a certificate with its key: a fetch', async () => {
    const cert = await pki.issueStationCertificate('st-1');
    assert.equal(typeof apiFetchFor({ apiCaFile: pki.ca.certFile }), 'function');
    const settings = { apiCaFile: pki.ca.certFile, apiClientCertFile: cert.certFile, apiClientKeyFile: cert.keyFile };
    assert.equal(typeof apiFetchFor(settings), 'function');
  });

  test('a client key group or others can read is refused, naming the variable and the mode', async () => {
    const cert = await pki.issueStationCertificate('st-1');
    const keyFile = join(dir, 'readable.key');
    await copyFile(cert.keyFile, keyFile);
    await chmod(keyFile, 0o644);
    assert.throws(
      () => apiFetchFor({ apiClientCertFile: cert.certFile, apiClientKeyFile: keyFile }),
      configInvalid(/INGRAIN_API_CLIENT_KEY_FILE .*mode 0644 lets group or others read the key; chmod 600/),
    );
  });

  test('missing, unparsable or mismatched files are refused, naming the variable', async () => {
    const cert = await pki.issueStationCertificate('st-1');
    const garbage = join(dir, 'garbage.pem');
    await writeFile(garbage, 'nothing here\n', { mode: 0o600 });
    assert.throws(
      () => apiFetchFor({ apiCaFile: join(dir, 'missing.pem') }),
      configInvalid(/INGRAIN_API_CA_FILE .*ENOENT/),
    );
    assert.throws(() => apiFetchFor({ apiCaFile: garbage }), configInvalid(/INGRAIN_API_CA_FILE .*no PEM certificate/));
    assert.throws(
      () => apiFetchFor({ apiClientCertFile: cert.certFile, apiClientKeyFile: garbage }),
      configInvalid(/INGRAIN_API_CLIENT_KEY_FILE .*not a PEM private key/),
    );
    assert.throws(
      () => apiFetchFor({ apiClientCertFile: cert.certFile, apiClientKeyFile: pki.ca.keyFile }),
      configInvalid(/INGRAIN_API_CLIENT_KEY_FILE is not the private key/),
    );
  });
});

describe('describeTlsFailure', () => {
  const fetchFailed = (code: string) =>
    new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });

  test('names the reason and the setting to check', () => {
    assert.match(
      describeTlsFailure(fetchFailed('SELF_SIGNED_CERT_IN_CHAIN')) ?? '',
      /not trusted.*INGRAIN_API_CA_FILE/,
    );
    assert.match(describeTlsFailure(fetchFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE')) ?? '', /not trusted/);
    assert.match(describeTlsFailure(fetchFailed('CERT_HAS_EXPIRED')) ?? '', /validity period \(CERT_HAS_EXPIRED\)/);
    assert.match(describeTlsFailure(fetchFailed('ERR_TLS_CERT_ALTNAME_INVALID')) ?? '', /host of INGRAIN_API_URL/);
    assert.match(describeTlsFailure(fetchFailed('ERR_SSL_WRONG_VERSION_NUMBER')) ?? '', /handshake failed/);
  });

  test('a failure that is not TLS: undefined', () => {
    assert.equal(describeTlsFailure(fetchFailed('ECONNREFUSED')), undefined);
    assert.equal(describeTlsFailure(new Error('timeout')), undefined);
    assert.equal(describeTlsFailure(new DOMException('The operation timed out', 'TimeoutError')), undefined);
    assert.equal(describeTlsFailure('text'), undefined);
  });
});
