import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import { ApiConfig } from '../config/api-config.js';
import type { StationCertMode } from '../config/env-schema.js';
import { AppError } from '../errors/app-error.js';
import type { Principal } from './principal.js';

/** The SAN URI that names a station in its client certificate (docs/tls.md). */
export const STATION_URI_PREFIX = 'urn:ingrain:station:';

/** What a connection showed of its client certificate, as the check needs it. */
export interface PeerCertificate {
  /** False: the client sent no certificate. */
  readonly presented: boolean;
  /** The certificate verified against INGRAIN_TLS_CLIENT_CA_FILE (chain, validity, purpose). */
  readonly verified: boolean;
  /** OpenSSL's reason when it did not verify (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE). */
  readonly failure: string | undefined;
  /** The station ids its SAN URIs `urn:ingrain:station:<id>` name. */
  readonly stationIds: readonly string[];
}

/** Reads the client certificate of the request's TLS connection (none over plain HTTP). */
export function peerCertificateOf(request: FastifyRequest): PeerCertificate {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (socket.encrypted !== true || socket.getPeerCertificate === undefined) {
    return { presented: false, verified: false, failure: undefined, stationIds: [] };
  }
  const certificate = socket.getPeerCertificate();
  // An empty object: no certificate on this connection.
  if (certificate.raw === undefined) return { presented: false, verified: false, failure: undefined, stationIds: [] };
  const failure = socket.authorizationError;
  return {
    presented: true,
    verified: socket.authorized === true,
    failure: failure === undefined || failure === null ? undefined : String(failure),
    stationIds: stationIdsOf(certificate.subjectaltname),
  };
}

/** The station ids of `URI:urn:ingrain:station:<id>` entries of Node's subjectaltname text. */
export function stationIdsOf(subjectAltName: string | undefined): string[] {
  if (subjectAltName === undefined) return [];
  const ids: string[] = [];
  for (const entry of subjectAltName.split(', ')) {
    const match = /^URI:urn:ingrain:station:([A-Za-z0-9._-]+)$/.exec(entry);
    if (match?.[1] !== undefined) ids.push(match[1]);
  }
  return ids;
}

/**
 * The client-certificate rule for station tokens (INGRAIN_TLS_STATION_CERTS, docs/tls.md): a station
 * token counts only over a connection whose certificate verified against the client CA and names
 * exactly that station. `required`: no certificate is refused too; `optional`: no certificate
 * passes (a line moving to mTLS), a presented one must pass; `off`: not checked. MES, auditor and
 * admin tokens are never asked for a certificate: they never receive a device's secrets.
 *
 * @throws AppError CLIENT_CERT_REQUIRED, CLIENT_CERT_UNTRUSTED,
 *   CLIENT_CERT_WRONG_STATION.
 */
export function checkStationCertificate(mode: StationCertMode, principal: Principal, peer: PeerCertificate): void {
  if (mode === 'off' || principal.role !== 'station') return;
  if (!peer.presented) {
    if (mode === 'optional') return;
    throw new AppError(
      'CLIENT_CERT_REQUIRED',
      "a station token is accepted only with the station's client certificate (mutual TLS): none was presented",
    );
  }
  if (!peer.verified) {
    const reason = peer.failure ?? 'UNKNOWN';
    throw new AppError(
      'CLIENT_CERT_UNTRUSTED',
      `the client certificate does not verify against the API's client CA (${reason})`,
      { extensions: { reason } },
    );
  }
  const stationId = principal.stationId;
  if (peer.stationIds.length !== 1 || peer.stationIds[0] !== stationId) {
    const named = peer.stationIds.length === 0 ? 'no station' : `station ${peer.stationIds.join(', ')}`;
    throw new AppError(
      'CLIENT_CERT_WRONG_STATION',
      `the client certificate names ${named}, not the token's station ${stationId ?? '(none)'} (one SAN URI ${STATION_URI_PREFIX}<id>)`,
      { extensions: { stationId, certificateStations: peer.stationIds } },
    );
  }
}

/** The auth guard's hook: the rule above with the API's configured mode. */
@Injectable()
export class ClientCertificateCheck {
  readonly #mode: StationCertMode;

  constructor(@Inject(ApiConfig) config: ApiConfig) {
    this.#mode = config.tls?.stationCertificates ?? 'off';
  }

  /** @throws AppError CLIENT_CERT_* (see {@link checkStationCertificate}). */
  check(request: FastifyRequest, principal: Principal): void {
    if (this.#mode === 'off' || principal.role !== 'station') return;
    checkStationCertificate(this.#mode, principal, peerCertificateOf(request));
  }
}
