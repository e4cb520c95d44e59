import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { ServerOptions } from 'node:https';
import { PemFileError, readPemFile, readPrivateKeyPemFile } from '#ingrain/crypto';
import { ConfigError } from '../config/config-error.js';
import type { TlsConfig } from '../config/tls-config.js';

// The HTTPS server options of the API (docs/tls.md), built once at start from INGRAIN_TLS_*: every
// file is read and checked here, so that a bad file stops the start with a message naming its
// variable, not the first handshake.

/**
 * TLS 1.2 suites: forward-secret (ECDHE) AEAD only. TLS 1.3 suites are all AEAD and are not
 * restricted. No CBC, no RSA key exchange, no DHE (its group is the client's weakest link).
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

/** Smallest RSA modulus accepted for the server key (NIST SP 800-57: 112-bit security). */
const MIN_RSA_BITS = 2048;
/** Largest PEM file read (a long chain or a CA bundle stays far below). */

/** The options Fastify's `https` takes: node:https server options. */
export type HttpsServerOptions = Pick<
  ServerOptions,
  'cert' | 'key' | 'ca' | 'requestCert' | 'rejectUnauthorized' | 'minVersion' | 'ciphers' | 'honorCipherOrder'
>;

/**
 * Reads and checks the certificate chain, the key and the client CA, and returns the server's TLS
 * options. Client certificates are requested (when a client CA is set) but never required at the
 * handshake: MES, auditor and admin clients connect without one, and a station without one gets a
 * problem+json answer naming the reason (auth/client-certificate.ts), not a torn connection.
 *
 * @throws ConfigError naming the variable: a file that cannot be read; a key file accessible to group
 *   or others; a chain or key that does not parse; a key that is not the certificate's; an RSA key
 *   under 2048 bits; a server certificate outside its validity period; a client CA file without a
 *   CA certificate.
 */
export function httpsServerOptions(tls: TlsConfig, now: Date = new Date()): HttpsServerOptions {
  const cert = readPem('INGRAIN_TLS_CERT_FILE', tls.certFile);
  const keyPem = readPrivateKeyFile('INGRAIN_TLS_KEY_FILE', tls.keyFile);
  const leaf = firstCertificate('INGRAIN_TLS_CERT_FILE', cert);
  const key = parseKey(keyPem);
  checkServerCertificate(leaf, key, now);
  const options: HttpsServerOptions = {
    cert,
    key: keyPem,
    minVersion: tls.minVersion,
    ciphers: TLS12_CIPHERS,
    honorCipherOrder: true,
  };
  if (tls.stationCertificates === 'off' || tls.clientCaFile === undefined) return options;
  const ca = readPem('INGRAIN_TLS_CLIENT_CA_FILE', tls.clientCaFile);
  if (!certificatesOf('INGRAIN_TLS_CLIENT_CA_FILE', ca).some((certificate) => certificate.ca)) {
    throw new ConfigError('INGRAIN_TLS_CLIENT_CA_FILE holds no CA certificate (basicConstraints CA:TRUE)');
  }
  return { ...options, ca, requestCert: true, rejectUnauthorized: false };
}

function checkServerCertificate(leaf: X509Certificate, key: KeyObject, now: Date): void {
  if (!leaf.checkPrivateKey(key)) {
    throw new ConfigError(
      'INGRAIN_TLS_KEY_FILE is not the private key of the first certificate in INGRAIN_TLS_CERT_FILE',
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType === 'rsa' && bits !== undefined && bits < MIN_RSA_BITS) {
    throw new ConfigError(`INGRAIN_TLS_KEY_FILE is a ${bits}-bit RSA key: at least ${MIN_RSA_BITS} bits`);
  }
  if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo)) {
    throw new ConfigError(
      `INGRAIN_TLS_CERT_FILE: the certificate is valid from ${leaf.validFrom} to ${leaf.validTo}, not now`,
    );
  }
}

function parseKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    // The parser's message is not kept: it could quote key material.
    throw new ConfigError('INGRAIN_TLS_KEY_FILE is not a PEM private key');
  }
}

function firstCertificate(variable: string, pem: string): X509Certificate {
  const [first] = certificatesOf(variable, pem);
  if (first === undefined) throw new ConfigError(`${variable} holds no PEM certificate`);
  return first;
}

function certificatesOf(variable: string, pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new ConfigError(`${variable}: certificate ${index + 1} does not parse`);
    }
  });
}

/** A file named by `variable`, read by libs/crypto (size bound; a private key owner-only). */
function readPem(variable: string, path: string): string {
  return withVariable(variable, () => readPemFile(path));
}

/** The private key file named by `variable`, refused when group or others can access it (libs/crypto). */
export function readPrivateKeyFile(variable: string, path: string): string {
  return withVariable(variable, () => readPrivateKeyPemFile(path));
}

function withVariable(variable: string, read: () => string): string {
  try {
    return read();
  } catch (error) {
    if (error instanceof PemFileError) throw new ConfigError(`${variable} ${error.message}`);
    throw error;
  }
}
