import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadApiConfig } from './api-config.js';
import { ConfigError } from './config-error.js';

const hsmEnv = { INGRAIN_HSM_PIN: '123456', INGRAIN_HSM_TOKEN_LABEL: 'test' };
const https = { INGRAIN_TLS_CERT_FILE: 'tls/server.pem', INGRAIN_TLS_KEY_FILE: 'tls/server.key' };

const refusedNaming =
  (...names: string[]) =>
  (error: unknown): boolean => {
    assert.ok(error instanceof ConfigError, String(error));
    for (const name of names) assert.match(error.message, new RegExp(name));
    return true;
  };

describe('TLS configuration (INGRAIN_TLS_*)', () => {
  test('none: plain HTTP', () => {
    assert.equal(loadApiConfig(hsmEnv).tls, null);
  });

  test('certificate and key: HTTPS, TLS 1.2 at least, no client certificates', () => {
    assert.deepEqual(loadApiConfig({ ...hsmEnv, ...https }, '/srv').tls, {
      certFile: '/srv/tls/server.pem',
      keyFile: '/srv/tls/server.key',
      minVersion: 'TLSv1.2',
      clientCaFile: undefined,
      stationCertificates: 'off',
    });
  });

  test('a client CA makes station certificates required unless told optional', () => {
    const ca = { INGRAIN_TLS_CLIENT_CA_FILE: '/pki/ca.pem' };
    assert.equal(loadApiConfig({ ...hsmEnv, ...https, ...ca }).tls?.stationCertificates, 'required');
    const optional = loadApiConfig({ ...hsmEnv, ...https, ...ca, INGRAIN_TLS_STATION_CERTS: 'optional' });
    assert.equal(optional.tls?.stationCertificates, 'optional');
    assert.equal(optional.tls?.clientCaFile, '/pki/ca.pem');
  });

  test('one of certificate and key without the other: refused, naming both', () => {
    for (const env of [{ INGRAIN_TLS_CERT_FILE: 'c.pem' }, { INGRAIN_TLS_KEY_FILE: 'k.pem' }]) {
      assert.throws(
        () => loadApiConfig({ ...hsmEnv, ...env }),
        refusedNaming('INGRAIN_TLS_CERT_FILE', 'INGRAIN_TLS_KEY_FILE'),
      );
    }
  });

  test('TLS older than 1.2 is refused, naming the variable', () => {
    for (const version of ['TLSv1', 'TLSv1.1', 'SSLv3']) {
      assert.throws(
        () => loadApiConfig({ ...hsmEnv, ...https, INGRAIN_TLS_MIN_VERSION: version }),
        refusedNaming('INGRAIN_TLS_MIN_VERSION', 'TLSv1.2 or TLSv1.3'),
      );
    }
    assert.equal(loadApiConfig({ ...hsmEnv, ...https, INGRAIN_TLS_MIN_VERSION: 'TLSv1.3' }).tls?.minVersion, 'TLSv1.3');
  });

  test('client certificate settings that do not go together are refused', () => {
    const cases: [Record<string, string>, string[]][] = [
      [{ INGRAIN_TLS_CLIENT_CA_FILE: 'ca.pem' }, ['INGRAIN_TLS_CLIENT_CA_FILE', 'INGRAIN_TLS_CERT_FILE']],
      [{ INGRAIN_TLS_STATION_CERTS: 'required' }, ['INGRAIN_TLS_STATION_CERTS', 'INGRAIN_TLS_CERT_FILE']],
      [
        { ...https, INGRAIN_TLS_STATION_CERTS: 'required' },
        ['INGRAIN_TLS_STATION_CERTS', 'INGRAIN_TLS_CLIENT_CA_FILE'],
      ],
      [
        { ...https, INGRAIN_TLS_STATION_CERTS: 'optional' },
        ['INGRAIN_TLS_STATION_CERTS', 'INGRAIN_TLS_CLIENT_CA_FILE'],
      ],
      [
        { ...https, INGRAIN_TLS_STATION_CERTS: 'off', INGRAIN_TLS_CLIENT_CA_FILE: 'ca.pem' },
        ['INGRAIN_TLS_CLIENT_CA_FILE', 'INGRAIN_TLS_STATION_CERTS'],
      ],
      [{ ...https, INGRAIN_TLS_STATION_CERTS: 'yes' }, ['INGRAIN_TLS_STATION_CERTS', 'off, optional or required']],
    ];
    for (const [env, names] of cases) {
      assert.throws(() => loadApiConfig({ ...hsmEnv, ...env }), refusedNaming(...names), JSON.stringify(env));
    }
  });
});
