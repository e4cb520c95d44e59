import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { createTestPki, type TestPki } from '../../../../testkit/tls.js';
import { ConfigError } from '../config/config-error.js';
import type { TlsConfig } from '../config/tls-config.js';
import { httpsServerOptions } from './tls.js';

const run = promisify(execFile);

const refusedNaming =
  (variable: string, reason: RegExp) =>
  (error: unknown): boolean => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, new RegExp(variable));
    assert.match(error.message, reason);
    assert.doesNotMatch(error.message, /BEGIN|PRIVATE/);
    return true;
  };

describe('httpsServerOptions', () => {
  let dir: string;
  let pki: TestPki;
  let base: TlsConfig;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-tls-'));
    pki = await createTestPki(join(dir, 'pki'));
    base = {
      certFile: pki.server.certFile,
      keyFile: pki.server.keyFile,
      minVersion: 'TLSv1.2',
      clientCaFile: undefined,
      stationCertificates: 'off',
    };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('HTTPS only: TLS 1.2 at least, forward-secret AEAD suites, no client certificates asked', () => {
    const options = httpsServerOptions(base);
    assert.equal(options.minVersion, 'TLSv1.2');
    assert.equal(options.requestCert, undefined);
    for (const suite of String(options.ciphers).split(':')) {
      assert.match(suite, /^ECDHE-(?:ECDSA|RSA)-(?:AES(?:128|256)-GCM-SHA(?:256|384)|CHACHA20-POLY1305)$/);
    }
  });

  test('with a client CA: certificates are requested, never required at the handshake', () => {
    const options = httpsServerOptions({ ...base, clientCaFile: pki.ca.certFile, stationCertificates: 'required' });
    assert.equal(options.requestCert, true);
    assert.equal(options.rejectUnauthorized, false);
    assert.match(String(options.ca), /BEGIN CERTIFICATE/);
  });

  test('a key file group or others can read is refused, naming the variable and the mode', async () => {
    const keyFile = join(dir, 'readable.key');
    await run('cp', [pki.server.keyFile, keyFile]);
    for (const mode of [0o640, 0o604, 0o644]) {
      await chmod(keyFile, mode);
      assert.throws(
        () => httpsServerOptions({ ...base, keyFile }),
        refusedNaming('INGRAIN_TLS_KEY_FILE', new RegExp(`mode 0${mode.toString(8)}.*chmod 600`)),
      );
    }
    await chmod(keyFile, 0o400);
    httpsServerOptions({ ...base, keyFile });
  });

  test('unreadable, unparsable or mismatched files are refused, naming the variable', async () => {
    const missing = join(dir, 'missing.pem');
    const garbage = join(dir, 'garbage.pem');
    await writeFile(garbage, 'not a pem\n', { mode: 0o600 });
    assert.throws(
      () => httpsServerOptions({ ...base, certFile: missing }),
      refusedNaming('INGRAIN_TLS_CERT_FILE', /ENOENT/),
    );
    assert.throws(
      () => httpsServerOptions({ ...base, keyFile: missing }),
      refusedNaming('INGRAIN_TLS_KEY_FILE', /ENOENT/),
    );
    assert.throws(
      () => httpsServerOptions({ ...base, certFile: garbage }),
      refusedNaming('INGRAIN_TLS_CERT_FILE', /no PEM/),
    );
    assert.throws(
      () => httpsServerOptions({ ...base, keyFile: garbage }),
      refusedNaming('INGRAIN_TLS_KEY_FILE', /not a PEM/),
    );
    // The CA's key is not the server certificate's.
    assert.throws(
      () => httpsServerOptions({ ...base, keyFile: pki.ca.keyFile }),
      refusedNaming('INGRAIN_TLS_KEY_FILE', /not the private key/),
    );
    // A client CA file holding a leaf certificate only.
    assert.throws(
      () => httpsServerOptions({ ...base, clientCaFile: pki.server.certFile, stationCertificates: 'required' }),
      refusedNaming('INGRAIN_TLS_CLIENT_CA_FILE', /no CA certificate/),
    );
  });

  test('an expired server certificate or a weak RSA key is refused', async () => {
    const later = new Date(Date.now() + 60 * 86_400_000);
    assert.throws(() => httpsServerOptions(base, later), refusedNaming('INGRAIN_TLS_CERT_FILE', /valid from/));
    const weakKey = join(dir, 'weak.key');
    const weakCert = join(dir, 'weak.pem');
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', weakKey, '-out', weakCert,
      '-days', '1', '-subj', '/CN=localhost',
    ]); // prettier-ignore
    await chmod(weakKey, 0o600);
    assert.throws(
      () => httpsServerOptions({ ...base, certFile: weakCert, keyFile: weakKey }),
      refusedNaming('INGRAIN_TLS_KEY_FILE', /1024-bit RSA key: at least 2048/),
    );
  });
});
