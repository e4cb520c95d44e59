import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Test certificates made with the openssl CLI at test time, with the same commands docs/tls.md
// gives operators (P-256 keys, 30 days): nothing secret is committed, and the documented commands
// are exercised by every TLS test.

const run = promisify(execFile);

/** A certificate and its private key (PEM files, the key with mode 0600). */
export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** A throwaway PKI in one directory. */
export interface TestPki {
  readonly dir: string;
  /** The CA of the API's server certificate and of the stations' client certificates. */
  readonly ca: CertificateFiles;
  /** A CA nobody trusts: its certificates must be refused. */
  readonly otherCa: CertificateFiles;
  /** The API's certificate for localhost and 127.0.0.1, issued by `ca`. */
  readonly server: CertificateFiles;
  /** A client certificate naming `urn:ingrain:station:<stationId>`, issued by `ca` (or `otherCa`). */
  issueStationCertificate(stationId: string, options?: { issuer?: 'ca' | 'otherCa' }): Promise<CertificateFiles>;
}

const VALIDITY_DAYS = '30';
const NEW_P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function openssl(args: readonly string[]): Promise<void> {
  await run('openssl', [...args]);
}

/** `openssl req -x509`: a self-signed CA (docs/tls.md, "A certificate authority"). */
async function createCa(dir: string, name: string, commonName: string): Promise<CertificateFiles> {
  const files = { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) };
  await openssl([
    'req', '-x509', '-new', ...NEW_P256_KEY,
    '-keyout', files.keyFile, '-out', files.certFile, '-days', VALIDITY_DAYS, '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]); // prettier-ignore
  return files;
}

/** A key, a CSR and the certificate `issuer` signs with `extensions` (docs/tls.md). */
async function issue(
  dir: string,
  name: string,
  commonName: string,
  issuer: CertificateFiles,
  extensions: readonly string[],
): Promise<CertificateFiles> {
  const files = { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  await writeFile(extFile, `${extensions.join('\n')}\n`);
  await openssl(['req', '-new', ...NEW_P256_KEY, '-keyout', files.keyFile, '-out', csr, '-subj', `/CN=${commonName}`]);
  await openssl([
    'x509', '-req', '-in', csr, '-CA', issuer.certFile, '-CAkey', issuer.keyFile,
    '-days', VALIDITY_DAYS, '-out', files.certFile, '-extfile', extFile,
  ]); // prettier-ignore
  return files;
}

/** The extensions of a station's client certificate (docs/tls.md, "Station certificates"). */
export function stationCertificateExtensions(stationId: string): string[] {
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
    `subjectAltName=URI:urn:ingrain:station:${stationId}`,
  ];
}

/** Makes a CA, an unrelated CA and a server certificate for localhost in `dir` (created if missing). */
export async function createTestPki(dir: string): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  const [ca, otherCa] = await Promise.all([
    createCa(dir, 'ca', 'Ingrain Test Line CA'),
    createCa(dir, 'other-ca', 'Unrelated Test CA'),
  ]);
  const server = await issue(dir, 'server', 'localhost', ca, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  let serial = 0;
  return {
    dir,
    ca,
    otherCa,
    server,
    issueStationCertificate: (stationId, options = {}) => {
      const issuer = options.issuer === 'otherCa' ? otherCa : ca;
      serial += 1;
      const name = `station-${stationId}-${options.issuer ?? 'ca'}-${serial}`;
      return issue(dir, name, stationId, issuer, stationCertificateExtensions(stationId));
    },
  };
}
