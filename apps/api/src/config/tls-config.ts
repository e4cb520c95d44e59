import { resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import type { ApiEnv, StationCertMode, TlsMinVersion } from './env-schema.js';

/**
 * HTTPS settings (docs/tls.md): file paths, resolved; the files are read and checked when the
 * server options are built (apps/api/src/http/tls.ts).
 */
export interface TlsConfig {
  /** INGRAIN_TLS_CERT_FILE: the server's certificate chain (PEM, leaf first). */
  readonly certFile: string;
  /** INGRAIN_TLS_KEY_FILE: its private key (PEM), accessible to its owner only. */
  readonly keyFile: string;
  /** INGRAIN_TLS_MIN_VERSION: TLSv1.2 (default) or TLSv1.3. */
  readonly minVersion: TlsMinVersion;
  /** INGRAIN_TLS_CLIENT_CA_FILE: the CA(s) station client certificates must chain to. */
  readonly clientCaFile: string | undefined;
  /**
   * INGRAIN_TLS_STATION_CERTS: `required` (default with a client CA) — a station token is accepted
   * only over a connection whose verified client certificate names that station; `optional` — a
   * station without a certificate passes, one with a certificate must pass that check; `off`.
   */
  readonly stationCertificates: StationCertMode;
}

const CERT = 'INGRAIN_TLS_CERT_FILE';
const KEY = 'INGRAIN_TLS_KEY_FILE';
const CLIENT_CA = 'INGRAIN_TLS_CLIENT_CA_FILE';
const MODE = 'INGRAIN_TLS_STATION_CERTS';

/**
 * The TLS settings of the parsed environment, or null for plain HTTP (neither certificate nor key).
 * @throws ConfigError naming the variables that do not go together.
 */
export function tlsConfig(vars: ApiEnv, cwd: string): TlsConfig | null {
  const certFile = vars.INGRAIN_TLS_CERT_FILE;
  const keyFile = vars.INGRAIN_TLS_KEY_FILE;
  const clientCaFile = vars.INGRAIN_TLS_CLIENT_CA_FILE;
  const mode = vars.INGRAIN_TLS_STATION_CERTS;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const missing = certFile === undefined ? CERT : KEY;
    throw new ConfigError(
      `${CERT} and ${KEY} go together: ${missing} is missing (set both for HTTPS, neither for plain HTTP)`,
    );
  }
  if (certFile === undefined || keyFile === undefined) {
    if (clientCaFile !== undefined || (mode !== undefined && mode !== 'off')) {
      throw new ConfigError(`${CLIENT_CA} and ${MODE} need HTTPS: set ${CERT} and ${KEY}`);
    }
    return null;
  }
  const stationCertificates = mode ?? (clientCaFile === undefined ? 'off' : 'required');
  if (stationCertificates !== 'off' && clientCaFile === undefined) {
    throw new ConfigError(`${MODE}=${stationCertificates} needs ${CLIENT_CA}: the CA that issues station certificates`);
  }
  if (stationCertificates === 'off' && clientCaFile !== undefined) {
    throw new ConfigError(`${CLIENT_CA} is set but ${MODE}=off: unset one of them`);
  }
  return {
    certFile: resolve(cwd, certFile),
    keyFile: resolve(cwd, keyFile),
    minVersion: vars.INGRAIN_TLS_MIN_VERSION,
    clientCaFile: clientCaFile === undefined ? undefined : resolve(cwd, clientCaFile),
    stationCertificates,
  };
}
