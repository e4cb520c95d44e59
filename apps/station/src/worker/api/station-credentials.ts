import { setTimeout as sleep } from 'node:timers/promises';
import { type WorkerConfig } from '../config.js';
import { StationApiError, StationError } from '../errors.js';
import { type StationApi, type StationIdentity } from './station-api.js';
import { errorFields, type StationLog } from '../station-log.js';
import { type StationPublicKeyInfo } from '../../keys/station-key-files.js';

/** Where the token comes from, as a refusal names it (never the token itself). */
const TOKEN_SETTING = 'INGRAIN_STATION_TOKEN_FILE (or INGRAIN_STATION_TOKEN)';

export interface CredentialCheckOptions {
  readonly api: Pick<StationApi, 'whoAmI'>;
  readonly config: Pick<WorkerConfig, 'stationId' | 'line' | 'apiUrl'>;
  readonly log: StationLog;
  /** Gives up waiting for an unreachable API (the station is being stopped). */
  readonly signal?: AbortSignal;
  /** First wait after an unreachable API; doubles up to `maxBackoffMs`. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

/**
 * The start-up check of the station's credentials (`GET /v1/stations/me`): the API must accept the
 * token as a station's, and that station must be the configured one on the configured line (a token
 * file copied from another station would otherwise have the API record this station's chips as the
 * other's, or have it take jobs it may not claim). While the API is unreachable (network, timeout,
 * 408, 429, 5xx) the check waits and tries again with backoff, one `api-unreachable-at-start` line
 * each time: nothing has been taken from the queue yet, and a line powering up starts its stations
 * before or after its API.
 *
 * @throws StationError `STATION_CREDENTIALS_REJECTED` (401, 403, another station or line),
 *   `STATION_SHUTTING_DOWN` (the signal fired while waiting), StationApiError (another refusal, e.g.
 *   an API without the endpoint; an answer that does not parse).
 */
export async function checkStationCredentials(options: CredentialCheckOptions): Promise<StationIdentity> {
  const { log, signal } = options;
  let backoffMs = options.initialBackoffMs;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted === true) throw stoppedBeforeStart();
    try {
      return matchingIdentity(options.config, await options.api.whoAmI());
    } catch (error) {
      if (!(error instanceof StationApiError)) throw error;
      if (error.credentialsRefused) throw credentialsRejected(error);
      if (!error.transient || error.code === 'STATION_API_TLS_FAILED') throw error; // docs/tls.md
      log.write('warn', 'api-unreachable-at-start', {
        apiUrl: new URL(options.config.apiUrl).origin,
        attempt,
        retryInMs: backoffMs,
        ...errorFields(error),
      });
      await sleep(backoffMs, undefined, { signal }).catch(() => undefined);
      backoffMs = Math.min(backoffMs * 2, options.maxBackoffMs);
    }
  }
}

/**
 * The sealing key the API registered for this station must be the one this station holds: claims
 * are sealed to the registered key, so with another one (or none) every claim would fail to open,
 * or be refused (STATION_SEALING_KEY_MISSING). Checked at start, before any job is taken.
 * @throws StationError `STATION_SEALING_KEY_MISMATCH` naming both fingerprints (never a key).
 */
export function checkSealingKey(station: StationIdentity, key: StationPublicKeyInfo & { readonly path: string }): void {
  if (station.sealingKeyFingerprint === key.fingerprint) return;
  const registered =
    station.sealingKeyFingerprint === null
      ? 'the API has no sealing key registered for it'
      : `the API has ${station.sealingKeyFingerprint} registered`;
  throw new StationError(
    'STATION_SEALING_KEY_MISMATCH',
    `station '${station.id}': ${registered}, but ${key.path} is ${key.fingerprint}; have the admin register this ` +
      `station's public key (PUT /v1/stations/${station.id}/sealing-key, docs/station.md)`,
  );
}

/** The StationError for a token the API refused (its status and problem code; never the token). */
export function credentialsRejected(error: StationApiError): StationError {
  const answer = `HTTP ${error.status ?? '?'}${error.problemCode === undefined ? '' : ` ${error.problemCode}`}`;
  if (error.problemCode?.startsWith('CLIENT_CERT_') === true) {
    const files = 'INGRAIN_API_CLIENT_CERT_FILE and INGRAIN_API_CLIENT_KEY_FILE';
    return new StationError(
      'STATION_CREDENTIALS_REJECTED',
      `the API refused the station's client certificate (${answer}): set ${files} to this station's (docs/tls.md)`,
    );
  }
  return new StationError(
    'STATION_CREDENTIALS_REJECTED',
    `the API refused the station token (${answer}): set a valid station token in ${TOKEN_SETTING}`,
  );
}

function matchingIdentity(config: CredentialCheckOptions['config'], station: StationIdentity): StationIdentity {
  const mismatches: string[] = [];
  if (station.id !== config.stationId)
    mismatches.push(`station '${station.id}', not INGRAIN_STATION_ID '${config.stationId}'`);
  if (station.line !== config.line) mismatches.push(`line '${station.line}', not INGRAIN_LINE '${config.line}'`);
  if (mismatches.length === 0) return station;
  throw new StationError(
    'STATION_CREDENTIALS_REJECTED',
    `the station token in ${TOKEN_SETTING} belongs to ${mismatches.join(' and ')}`,
  );
}

function stoppedBeforeStart(): StationError {
  return new StationError('STATION_SHUTTING_DOWN', 'stopped while waiting for the API at start');
}

export interface CredentialsWatchOptions extends Omit<CredentialCheckOptions, 'signal'> {
  /** The station's shutdown: the watch ends, and never resumes the intake after it. */
  readonly signal: AbortSignal;
  /** Stops every fixture's worker taking jobs (running jobs go on). */
  readonly pause: () => Promise<void>;
  readonly resume: () => Promise<void>;
}

/**
 * The station's answer to a token refused during a run (revoked, expired, its station re-registered
 * elsewhere): it stops taking jobs — each new job would only meet the same refusal, and burning
 * through the queue helps no one while other stations could take those jobs — and looks again with
 * backoff (`GET /v1/stations/me`, as at start); once the API accepts the token again for this station
 * and line, the intake resumes. The refused job itself goes back to the queue (see StationWorker).
 */
export class CredentialsWatch {
  #paused: Promise<void> | undefined;

  constructor(private readonly options: CredentialsWatchOptions) {}

  /** True while the intake is paused. */
  get paused(): boolean {
    return this.#paused !== undefined;
  }

  /** A request was refused for the station's credentials: pause until they are accepted. Idempotent. */
  refused(error: StationApiError): void {
    if (this.#paused !== undefined || this.options.signal.aborted) return;
    this.#paused = this.#pauseUntilAccepted(error).finally(() => {
      this.#paused = undefined;
    });
  }

  async #pauseUntilAccepted(error: StationApiError): Promise<void> {
    const { log, signal } = this.options;
    log.write('error', 'station-paused', {
      reason: 'credentials-refused',
      status: error.status,
      problemCode: error.problemCode,
      errorMessage: credentialsRejected(error).message,
    });
    await this.options.pause();
    let backoffMs = this.options.initialBackoffMs;
    for (let attempt = 1; !signal.aborted; attempt++) {
      await sleep(backoffMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      try {
        matchingIdentity(this.options.config, await this.options.api.whoAmI());
        break;
      } catch (recheck) {
        backoffMs = Math.min(backoffMs * 2, this.options.maxBackoffMs);
        log.write('warn', 'credentials-recheck-failed', { attempt, retryInMs: backoffMs, ...errorFields(recheck) });
      }
    }
    if (signal.aborted) return;
    await this.options.resume();
    log.write('info', 'station-resumed', { reason: 'credentials-accepted' });
  }
}
