import { resolve } from 'node:path';
import { inspect } from 'node:util';
import { redisSentinelPairProblem, type RedisSentinelConfig } from '#ingrain/contracts';
import { CryptoError, loadHsmConfig, type HsmConfig, type TrustRootWitnesses } from '#ingrain/crypto';
import type { LogFormat } from '#ingrain/logging';
import type { z } from 'zod';
import type { DatabaseConfig } from '../database/database-config.js';
import { ConfigError } from './config-error.js';
import { apiEnvSchema, DEFAULTS, type LogLevel } from './env-schema.js';
import { tlsConfig, type TlsConfig } from './tls-config.js';
import { webhooksConfig, type WebhooksConfig } from './webhooks-config.js';
import { witnessingConfig, type WitnessingConfig } from './witness-config.js';

type Env = Readonly<Record<string, string | undefined>>;

export type { DatabaseConfig, TlsConfig };

export interface HttpConfig {
  readonly host: string;
  readonly port: number;
  readonly bodyLimitBytes: number;
  /** Fastify's `trustProxy`: which proxies may set X-Forwarded-For (the client address of rate limiting). */
  readonly trustProxy: boolean | number | readonly string[];
}

export interface AuthFailureLimit {
  /** Authentication failures from one client address tolerated within the window. */
  readonly maxFailures: number;
  readonly windowMs: number;
}

/** The web console's sessions (docs/console.md). */
export interface ConsoleSessionConfig {
  /** A session ends this long after sign-in, used or not. */
  readonly lifetimeMs: number;
  /** A session ends when unused this long. */
  readonly idleTimeoutMs: number;
}

export interface StationsConfig {
  /** A station whose last heartbeat is older than this is shown offline. */
  readonly offlineAfterMs: number;
}

export interface LogConfig {
  /** INGRAIN_LOG_CHECKPOINT_INTERVAL_MS: waiting entries are integrated into a signed checkpoint this often. */
  readonly checkpointIntervalMs: number;
  /** INGRAIN_LOG_PUBLIC: tiles, checkpoint and checkpoint history readable without a token. */
  readonly public: boolean;
}

/** Everything the API process needs from its environment, parsed once at boot. */
export interface ApiConfigValues {
  readonly http: HttpConfig;
  readonly database: DatabaseConfig;
  readonly redisUrl: string;
  /** The queues' Redis master found through Sentinels (INGRAIN_REDIS_SENTINELS); null: REDIS_URL's host. */
  readonly redisSentinel: RedisSentinelConfig | null;
  readonly hsm: HsmConfig;
  readonly logLevel: LogLevel;
  /** INGRAIN_LOG_FORMAT; undefined: pretty when stdout is a terminal, JSON otherwise. */
  readonly logFormat: LogFormat | undefined;
  /** INGRAIN_LOG_FILE: JSON lines also go to this file. */
  readonly logFile: string | undefined;
  /** Origin line of the transparency log's checkpoints (c2sp.org/tlog-checkpoint). */
  readonly logOrigin: string;
  /** The transparency log's batching and public reads (docs/transparency-log.md). */
  readonly log: LogConfig;
  /** Directory of the public keys and CA certificate written by `ingrain-admin hsm init`. */
  readonly publicKeysDir: string;
  /** The witness keys and threshold the trust root publishes (docs/verifier.md "Trust root"). */
  readonly trustRootWitnesses: TrustRootWitnesses;
  readonly authFailureLimit: AuthFailureLimit;
  /**
   * INGRAIN_AUTH_CACHE_TTL_MS: how long this process reuses an authenticated bearer token without
   * reading it again (0: never); a revocation made through another process takes effect here within it.
   */
  readonly authCacheTtlMs: number;
  /** HTTPS and station client certificates (docs/tls.md); null: plain HTTP. */
  readonly tls: TlsConfig | null;
  /** Webhook delivery (docs/webhooks.md). */
  readonly webhooks: WebhooksConfig;
  readonly consoleSession: ConsoleSessionConfig;
  readonly stations: StationsConfig;
  /** Witnesses asked for cosignatures (docs/witness.md); null: none configured. */
  readonly witnessing: WitnessingConfig | null;
}

/**
 * The API's configuration, a Nest provider injected by its class. Built by {@link loadApiConfig};
 * printing it (JSON or util.inspect) masks the database password and the HSM PIN.
 */
export class ApiConfig implements ApiConfigValues {
  readonly http!: HttpConfig;
  readonly database!: DatabaseConfig;
  readonly redisUrl!: string;
  readonly redisSentinel!: RedisSentinelConfig | null;
  readonly hsm!: HsmConfig;
  readonly logLevel!: LogLevel;
  readonly logFormat!: LogFormat | undefined;
  readonly logFile!: string | undefined;
  readonly logOrigin!: string;
  readonly log!: LogConfig;
  readonly publicKeysDir!: string;
  readonly trustRootWitnesses!: TrustRootWitnesses;
  readonly authFailureLimit!: AuthFailureLimit;
  readonly authCacheTtlMs!: number;
  readonly tls!: TlsConfig | null;
  readonly webhooks!: WebhooksConfig;
  readonly consoleSession!: ConsoleSessionConfig;
  readonly stations!: StationsConfig;
  readonly witnessing!: WitnessingConfig | null;

  constructor(values: ApiConfigValues) {
    Object.assign(this, values);
    Object.freeze(this);
  }

  toJSON(): Record<string, unknown> {
    const database =
      this.database.kind === 'postgres' ? { ...this.database, url: maskUrl(this.database.url) } : this.database;
    return {
      http: this.http,
      database,
      redisUrl: maskUrl(this.redisUrl),
      redisSentinel: this.redisSentinel,
      hsm: this.hsm,
      logLevel: this.logLevel,
      logFormat: this.logFormat,
      logFile: this.logFile,
      logOrigin: this.logOrigin,
      log: this.log,
      publicKeysDir: this.publicKeysDir,
      trustRootWitnesses: this.trustRootWitnesses,
      authFailureLimit: this.authFailureLimit,
      authCacheTtlMs: this.authCacheTtlMs,
      tls: this.tls,
      webhooks: this.webhooks,
      consoleSession: this.consoleSession,
      stations: this.stations,
      witnessing: this.witnessing && {
        ...this.witnessing,
        witnesses: this.witnessing.witnesses.map(({ url, vkey }) => ({ url, vkey })),
      },
    };
  }

  [inspect.custom](): string {
    return `ApiConfig ${JSON.stringify(this.toJSON())}`;
  }
}

function maskUrl(text: string): string {
  const url = new URL(text);
  if (url.password !== '') url.password = '***';
  return url.toString();
}

function parseEnv(env: Env): z.output<typeof apiEnvSchema> {
  const parsed = apiEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${String(issue.path[0] ?? 'environment')} is invalid: ${issue.message}`,
  );
  throw new ConfigError(problems.join('; '));
}

/**
 * The database settings alone (DATABASE_URL, or INGRAIN_DATA_DIR for embedded PGlite, default
 * `.ingrain/data` under `cwd`): what `ingrain-admin token …` needs to reach the API's database.
 *
 * @throws ConfigError naming the variable.
 */
export function loadDatabaseConfig(env: Env, cwd: string = process.cwd()): DatabaseConfig {
  return databaseConfig(parseEnv(env), cwd);
}

/** INGRAIN_REDIS_SENTINELS with INGRAIN_REDIS_SENTINEL_NAME, or null when neither is set. */
function redisSentinelConfig(vars: z.output<typeof apiEnvSchema>): RedisSentinelConfig | null {
  const problem = redisSentinelPairProblem(vars.INGRAIN_REDIS_SENTINELS, vars.INGRAIN_REDIS_SENTINEL_NAME);
  if (problem !== undefined) throw new ConfigError(problem);
  if (vars.INGRAIN_REDIS_SENTINELS === undefined || vars.INGRAIN_REDIS_SENTINEL_NAME === undefined) return null;
  return { sentinels: vars.INGRAIN_REDIS_SENTINELS, name: vars.INGRAIN_REDIS_SENTINEL_NAME };
}

function databaseConfig(vars: z.output<typeof apiEnvSchema>, cwd: string): DatabaseConfig {
  if (vars.DATABASE_URL !== undefined && vars.INGRAIN_DATA_DIR !== undefined) {
    throw new ConfigError('DATABASE_URL and INGRAIN_DATA_DIR are both set: set exactly one');
  }
  const sharedBuffersMb = vars.INGRAIN_PGLITE_SHARED_BUFFERS_MB;
  if (vars.DATABASE_URL !== undefined && sharedBuffersMb !== undefined) {
    throw new ConfigError('INGRAIN_PGLITE_SHARED_BUFFERS_MB is set with DATABASE_URL: it applies to PGlite only');
  }
  if (vars.DATABASE_URL !== undefined) return { kind: 'postgres', url: vars.DATABASE_URL };
  const dataDir = resolve(cwd, vars.INGRAIN_DATA_DIR ?? DEFAULTS.dataDir);
  if (sharedBuffersMb === undefined) return { kind: 'pglite', dataDir };
  return { kind: 'pglite', dataDir, sharedBuffersMb };
}

function witnessPolicy(vars: z.output<typeof apiEnvSchema>): TrustRootWitnesses {
  const keys = vars.INGRAIN_TRUST_ROOT_WITNESS_KEYS;
  const threshold = vars.INGRAIN_TRUST_ROOT_WITNESS_THRESHOLD ?? keys.length;
  const allowed = keys.length === 0 ? threshold === 0 : threshold >= 1 && threshold <= keys.length;
  if (!allowed) {
    throw new ConfigError(
      keys.length === 0
        ? 'INGRAIN_TRUST_ROOT_WITNESS_THRESHOLD is invalid: must be 0 (or unset) without INGRAIN_TRUST_ROOT_WITNESS_KEYS'
        : `INGRAIN_TRUST_ROOT_WITNESS_THRESHOLD is invalid: expected 1 to ${keys.length} (the number of witness keys)`,
    );
  }
  return { keys, threshold };
}

function hsmConfig(env: Env): HsmConfig {
  try {
    return loadHsmConfig(env);
  } catch (error) {
    if (error instanceof CryptoError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
}

/**
 * Parses the API's environment once, at boot: HOST (default 127.0.0.1), PORT (8080),
 * DATABASE_URL or INGRAIN_DATA_DIR (with INGRAIN_PGLITE_SHARED_BUFFERS_MB, 32), REDIS_URL (redis://127.0.0.1:6379) with INGRAIN_REDIS_SENTINELS and
 * INGRAIN_REDIS_SENTINEL_NAME (both or neither: the master through Sentinels), the INGRAIN_HSM_* variables
 * (libs/crypto `loadHsmConfig`; the PIN file is read now), LOG_LEVEL (info), INGRAIN_LOG_FORMAT, INGRAIN_LOG_FILE, INGRAIN_LOG_ORIGIN,
 * INGRAIN_LOG_CHECKPOINT_INTERVAL_MS (1000), INGRAIN_LOG_PUBLIC (false),
 * INGRAIN_PUBLIC_KEYS_DIR (.ingrain/public-keys), INGRAIN_TRUST_ROOT_WITNESS_KEYS (none) and
 * INGRAIN_TRUST_ROOT_WITNESS_THRESHOLD (all keys), INGRAIN_BODY_LIMIT_BYTES (1 MiB),
 * INGRAIN_TRUST_PROXY (false), INGRAIN_AUTH_FAILURE_LIMIT (10) and
 * INGRAIN_AUTH_FAILURE_WINDOW_SECONDS (60), INGRAIN_AUTH_CACHE_TTL_MS (2000), INGRAIN_STATION_OFFLINE_AFTER_MS (30000),
 * INGRAIN_CONSOLE_SESSION_LIFETIME_S (43200) and INGRAIN_CONSOLE_SESSION_IDLE_S (1800), the
 * INGRAIN_TLS_* variables of HTTPS (tls-config.ts, docs/tls.md), and the INGRAIN_WEBHOOKS_*
 * variables (webhooks-config.ts, docs/webhooks.md), and the INGRAIN_WITNESS_* variables
 * (witness-config.ts, docs/witness.md). Relative paths resolve against `cwd`.
 *
 * @throws ConfigError naming every invalid variable; the message never contains a value.
 */
export function loadApiConfig(env: Env, cwd: string = process.cwd()): ApiConfig {
  const vars = parseEnv(env);
  return new ApiConfig({
    http: {
      host: vars.HOST,
      port: vars.PORT,
      bodyLimitBytes: vars.INGRAIN_BODY_LIMIT_BYTES,
      trustProxy: vars.INGRAIN_TRUST_PROXY,
    },
    database: databaseConfig(vars, cwd),
    redisUrl: vars.REDIS_URL ?? DEFAULTS.redisUrl,
    redisSentinel: redisSentinelConfig(vars),
    hsm: hsmConfig(env),
    logLevel: vars.LOG_LEVEL,
    logFormat: vars.INGRAIN_LOG_FORMAT,
    logFile: vars.INGRAIN_LOG_FILE === undefined ? undefined : resolve(cwd, vars.INGRAIN_LOG_FILE),
    logOrigin: vars.INGRAIN_LOG_ORIGIN,
    log: { checkpointIntervalMs: vars.INGRAIN_LOG_CHECKPOINT_INTERVAL_MS, public: vars.INGRAIN_LOG_PUBLIC },
    publicKeysDir: resolve(cwd, vars.INGRAIN_PUBLIC_KEYS_DIR ?? DEFAULTS.publicKeysDir),
    trustRootWitnesses: witnessPolicy(vars),
    authFailureLimit: {
      maxFailures: vars.INGRAIN_AUTH_FAILURE_LIMIT,
      windowMs: vars.INGRAIN_AUTH_FAILURE_WINDOW_SECONDS * 1000,
    },
    authCacheTtlMs: vars.INGRAIN_AUTH_CACHE_TTL_MS,
    tls: tlsConfig(vars, cwd),
    webhooks: webhooksConfig(vars),
    consoleSession: {
      lifetimeMs: vars.INGRAIN_CONSOLE_SESSION_LIFETIME_S * 1000,
      idleTimeoutMs: vars.INGRAIN_CONSOLE_SESSION_IDLE_S * 1000,
    },
    stations: { offlineAfterMs: vars.INGRAIN_STATION_OFFLINE_AFTER_MS },
    witnessing: witnessingConfig(vars),
  });
}
