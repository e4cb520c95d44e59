import { X509Certificate, createPrivateKey } from 'node:crypto';
import { PemFileError, readPemFile, readPrivateKeyPemFile } from '#ingrain/crypto';
import { Agent, fetch as undiciFetch } from 'undici';
import type { WorkerConfig } from '../config.js';
import { StationError } from '../errors.js';

// TLS to the API (docs/tls.md): which CA the station trusts for the API's certificate, and the
// station's own client certificate for mutual TLS. The files are read and checked once, at start;
// every request of the station's API adapter — the start-up token check included — goes through
// the one undici Agent made here.

/** The fetch the API adapter calls (the generated client hands it a Request). */
export type ApiFetch = (request: Request, init: { readonly signal: AbortSignal }) => Promise<Response>;

export type ApiTlsSettings = Pick<WorkerConfig, 'apiCaFile' | 'apiClientCertFile' | 'apiClientKeyFile'>;

/** Nothing below TLS 1.2, as the API (apps/api/src/http/tls.ts). */
const MIN_TLS_VERSION = 'TLSv1.2';
/** Largest PEM file read. */

/**
 * The fetch for the configured TLS files, or undefined when none is set (the global fetch and the
 * system's CAs then serve an https:// API).
 * @throws StationError STATION_CONFIG_INVALID naming the variable: a file that cannot be read, that
 *   holds no certificate or key, a key group or others can read, a key that is not the certificate's.
 */
export function apiFetchFor(settings: ApiTlsSettings): ApiFetch | undefined {
  const { apiCaFile, apiClientCertFile, apiClientKeyFile } = settings;
  if (apiCaFile === undefined && apiClientCertFile === undefined && apiClientKeyFile === undefined) return undefined;
  const ca = apiCaFile === undefined ? undefined : readCertificates('INGRAIN_API_CA_FILE', apiCaFile);
  let client: { cert: string; key: string } | undefined;
  if (apiClientCertFile !== undefined && apiClientKeyFile !== undefined) {
    const cert = readCertificates('INGRAIN_API_CLIENT_CERT_FILE', apiClientCertFile);
    const key = readPrivateKey('INGRAIN_API_CLIENT_KEY_FILE', apiClientKeyFile);
    if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) {
      throw invalid(
        'INGRAIN_API_CLIENT_KEY_FILE is not the private key of the first certificate in INGRAIN_API_CLIENT_CERT_FILE',
      );
    }
    client = { cert, key };
  }
  const agent = new Agent({ connect: { minVersion: MIN_TLS_VERSION, ...(ca === undefined ? {} : { ca }), ...client } });
  return async (request, init) => {
    const body = request.body === null ? undefined : await request.arrayBuffer();
    const response: Response = await undiciFetch(request.url, {
      method: request.method,
      headers: [...request.headers],
      body,
      signal: init.signal,
      dispatcher: agent,
    });
    return response;
  };
}

/** OpenSSL's and Node's codes of a certificate the station does not accept. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);
const OUT_OF_DATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * What went wrong at the TLS layer of a failed request, for a message, or undefined when it was
 * not TLS (a refused connection, a timeout). Reads the `code` of the error's causes (fetch wraps the
 * socket's error).
 */
export function describeTlsFailure(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    // A DOMException's code is a number (TimeoutError: 23): only string codes are OpenSSL's or Node's.
    const code: unknown = (cause as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (UNTRUSTED.has(code))
        return `the API's certificate is not trusted (${code}): INGRAIN_API_CA_FILE must hold the CA that issued it`;
      if (OUT_OF_DATE.has(code)) return `the API's certificate is out of its validity period (${code})`;
      if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
        return `the API's certificate does not name the host of INGRAIN_API_URL (${code})`;
      if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code.startsWith('ERR_SSL_'))
        return `the TLS handshake failed (${code}): is the API serving HTTPS on this port, with TLS 1.2 or later?`;
    }
    cause = cause.cause;
  }
  return undefined;
}

function readCertificates(variable: string, path: string): string {
  const pem = readText(variable, path);
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw invalid(`${variable} ${path}: holds no PEM certificate`);
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      throw invalid(`${variable} ${path}: certificate ${index + 1} does not parse`);
    }
  }
  return pem;
}

function readText(variable: string, path: string): string {
  return withVariable(variable, () => readPemFile(path));
}

/** The key file (owner-only, libs/crypto's rule as ssh's), checked to hold a PEM private key. */
function readPrivateKey(variable: string, path: string): string {
  const pem = withVariable(variable, () => readPrivateKeyPemFile(path));
  try {
    createPrivateKey(pem);
  } catch {
    throw invalid(`${variable} ${path}: not a PEM private key`);
  }
  return pem;
}

function withVariable(variable: string, read: () => string): string {
  try {
    return read();
  } catch (error) {
    if (error instanceof PemFileError) throw invalid(`${variable} ${error.message}`);
    throw error;
  }
}

function invalid(message: string): StationError {
  return new StationError('STATION_CONFIG_INVALID', message);
}
