import { Inject, Injectable } from '@nestjs/common';
import type { StationHeartbeat } from '#ingrain/contracts';
import { stationKeyFingerprint } from '#ingrain/crypto';
import { generateToken } from '../auth/api-token.js';
import type { Principal } from '../auth/principal.js';
import { PrincipalCache } from '../auth/principal-cache.js';
import { stationOf } from '../claims/station-scope.js';
import { ApiConfig } from '../config/api-config.js';
import { CONSTRAINTS } from '../database/constraints.js';
import { isDatabaseError } from '../database/errors.js';
import { AppError } from '../errors/app-error.js';
import { StationHeartbeatRepository } from '../repositories/station-heartbeat-repository.js';
import { StationRepository, type StationRecord } from '../repositories/station-repository.js';
import { Transactions } from '../repositories/transactions.js';
import { createdTokenView } from '../tokens/tokens.service.js';
import { StationMetrics } from './station-metrics.js';
import { withStatus } from './station-status.js';
import type {
  CreatedStation,
  CreateStationRequest,
  HeartbeatAck,
  StationList,
  StationView,
} from './stations.schemas.js';
import { pageById, type PageQuery } from '../http/cursor.js';

export function toView(record: StationRecord): StationView {
  return {
    id: record.id,
    name: record.name,
    line: record.line,
    createdAt: record.createdAt.toISOString(),
    sealingKeyFingerprint: record.sealingPublicKey === null ? null : stationKeyFingerprint(record.sealingPublicKey),
    sealingKeyRegisteredAt: record.sealingKeyRegisteredAt?.toISOString() ?? null,
  };
}

/** Programming stations (`/v1/stations`): registered with their first station token. */
@Injectable()
export class StationsService {
  constructor(
    @Inject(Transactions) private readonly transactions: Transactions,
    @Inject(StationRepository) private readonly stations: StationRepository,
    @Inject(StationHeartbeatRepository) private readonly heartbeats: StationHeartbeatRepository,
    @Inject(ApiConfig) private readonly config: Pick<ApiConfig, 'stations'>,
    @Inject(StationMetrics) private readonly metrics: Pick<StationMetrics, 'heartbeatReceived'>,
    // Station tokens' cached principals carry the sealing key: a new key drops them (auth/principal-cache.ts).
    @Inject(PrincipalCache) private readonly principals?: Pick<PrincipalCache, 'forgetStation'>,
  ) {}

  /**
   * Registers a station and creates a station token bound to it, in one transaction: there is never
   * a station without its token, nor a token of a station that was refused. The token's secret is
   * in the result only (more tokens, or a replacement: `POST /v1/tokens` with this stationId).
   *
   * @throws AppError STATION_EXISTS when the id is taken.
   */
  async create(request: CreateStationRequest): Promise<CreatedStation> {
    const { token, tokenHash } = generateToken();
    try {
      return await this.transactions.run(async ({ stations, tokens }) => {
        const station = await stations.create(request);
        const name = `station-${station.id}`;
        const record = await tokens.create({
          name,
          role: 'station',
          stationId: station.id,
          tokenHash,
        });
        return { station: toView(station), token: createdTokenView(record, token) };
      });
    } catch (error) {
      if (isDatabaseError(error, 'UNIQUE_VIOLATION', CONSTRAINTS.stationPrimaryKey)) {
        throw new AppError('STATION_EXISTS', `a station '${request.id}' already exists`, {
          errors: [{ path: 'body.id', message: 'this station id is taken' }],
          cause: error,
        });
      }
      throw error;
    }
  }

  /**
   * Registers a station's sealing public key, or replaces the registered one (rotation: claims
   * answered before were sealed to the old key, which only the old private key opens). Admin only:
   * a station token alone never chooses the key its secrets are sealed to (docs/sealing.md).
   * @throws AppError STATION_NOT_FOUND.
   */
  async setSealingKey(id: string, sealingPublicKey: Uint8Array): Promise<StationView> {
    const station = await this.stations.setSealingKey(id, sealingPublicKey);
    this.principals?.forgetStation(id);
    if (station === undefined) {
      throw new AppError('STATION_NOT_FOUND', `no station '${id}' is registered`, {
        errors: [{ path: 'path.id', message: 'no such station' }],
      });
    }
    return toView(station);
  }

  /**
   * One page of the stations by id (http/cursor.ts; without a query, all), each with its status
   * (online/offline), last-seen instant, version and fixtures. @throws AppError CURSOR_INVALID.
   */
  async list(query?: PageQuery): Promise<StationList> {
    const [page, heartbeats] = await Promise.all([
      pageById('stations', query, (next) => this.stations.list(next)),
      this.heartbeats.list(),
    ]);
    const latest = new Map(heartbeats.map((heartbeat) => [heartbeat.stationId, heartbeat]));
    const offlineAfterMs = this.config.stations.offlineAfterMs;
    return {
      stations: page.items.map((station) => withStatus(toView(station), latest.get(station.id), offlineAfterMs)),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Stores the calling station's heartbeat as its latest (`POST /v1/stations/me/heartbeat`); one
   * that arrives after a newer one of the same boot is acknowledged but not stored.
   * @throws AppError STATION_TOKEN_REQUIRED for a token bound to no station.
   */
  async heartbeat(principal: Principal, heartbeat: StationHeartbeat): Promise<HeartbeatAck> {
    const id = stationOf(principal);
    const stored = await this.heartbeats.record(id, heartbeat);
    this.metrics.heartbeatReceived(id);
    return { stored, offlineAfterMs: this.config.stations.offlineAfterMs };
  }

  /**
   * The station a station token is bound to (`GET /v1/stations/me`).
   * @throws AppError STATION_TOKEN_REQUIRED for a token bound to no station.
   */
  async me(principal: Principal): Promise<StationView> {
    const id = stationOf(principal);
    const station = await this.stations.get(id);
    // A token's station_id references stations(id): a bound token without its station is a broken database.
    if (station === undefined) throw new Error(`the station ${id} of token ${principal.tokenId} is not registered`);
    return toView(station);
  }
}
