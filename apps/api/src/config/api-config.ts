import { resolve } from 'node:path';
import { inspect } from 'node:util';
import { CryptoError, loadHsmConfig, type HsmConfig, type WitnessPolicy } from '#ingrain/crypto';
import type { z } from 'zod';
import type { DatabaseConfig } from '../database/database-config.js';
import { ConfigError } from './config-error.js';
import { apiEnvSchema, DEFAULTS, type LogLevel } from './env-schema.js';
import { tlsConfig, type TlsConfig } from './tls-config.js';

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

/** Everything the API process needs from its environment, parsed once at boot. */
export interface ApiConfigValues {
  readonly http: HttpConfig;
  readonly database: DatabaseConfig;
  readonly redisUrl: string;
  readonly hsm: HsmConfig;
  readonly logLevel: LogLevel;
  /** Origin line of the transparency log's checkpoints (c2sp.org/tlog-checkpoint). */
  readonly logOrigin: string;
  /** Directory of the public keys and CA certificate written by `ingrain-admin hsm init`. */
  readonly publicKeysDir: string;
  /** The witness keys and threshold the trust root publishes (docs/verifier.md "Trust root"). */
  readonly trustRootWitnesses: WitnessPolicy;
  readonly authFailureLimit: AuthFailureLimit;
  /** HTTPS and station client certificates (docs/tls.md); null: plain HTTP. */
  readonly tls: TlsConfig | null;
}

/**
 * The API's configuration, a Nest provider injected by its class. Built by {@link loadApiConfig};
 * printing it (JSON or util.inspect) masks the database password and the HSM PIN.
 */
export class ApiConfig implements ApiConfigValues {
  readonly http!: HttpConfig;
  readonly database!: DatabaseConfig;
  readonly redisUrl!: string;
  readonly hsm!: HsmConfig;
  readonly logLevel!: LogLevel;
  readonly logOrigin!: string;
  readonly publicKeysDir!: string;
  readonly trustRootWitnesses!: WitnessPolicy;
  readonly authFailureLimit!: AuthFailureLimit;
  readonly tls!: TlsConfig | null;

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
      hsm: this.hsm,
      logLevel: this.logLevel,
      logOrigin: this.logOrigin,
      publicKeysDir: this.publicKeysDir,
      trustRootWitnesses: this.trustRootWitnesses,
      authFailureLimit: this.authFailureLimit,
      tls: this.tls,
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

function databaseConfig(vars: z.output<typeof apiEnvSchema>, cwd: string): DatabaseConfig {
  if (vars.DATABASE_URL !== undefined && vars.INGRAIN_DATA_DIR !== undefined) {
    throw new ConfigError('DATABASE_URL and INGRAIN_DATA_DIR are both set: set exactly one');
  }
  if (vars.DATABASE_URL !== undefined) return { kind: 'postgres', url: vars.DATABASE_URL };
  return { kind: 'pglite', dataDir: resolve(cwd, vars.INGRAIN_DATA_DIR ?? DEFAULTS.dataDir) };
}

function witnessPolicy(vars: z.output<typeof apiEnvSchema>): WitnessPolicy {
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
 * DATABASE_URL or INGRAIN_DATA_DIR, REDIS_URL (redis://127.0.0.1:6379), the INGRAIN_HSM_* variables
 * (libs/crypto `loadHsmConfig`; the PIN file is read now), LOG_LEVEL (info), INGRAIN_LOG_ORIGIN,
 * INGRAIN_PUBLIC_KEYS_DIR (.ingrain/public-keys), INGRAIN_TRUST_ROOT_WITNESS_KEYS (none) and
 * INGRAIN_TRUST_ROOT_WITNESS_THRESHOLD (all keys), INGRAIN_BODY_LIMIT_BYTES (1 MiB),
 * INGRAIN_TRUST_PROXY (false), INGRAIN_AUTH_FAILURE_LIMIT (10) and
 * INGRAIN_AUTH_FAILURE_WINDOW_SECONDS (60), and the INGRAIN_TLS_* variables of HTTPS
 * (tls-config.ts, docs/tls.md). Relative paths resolve against `cwd`.
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
    hsm: hsmConfig(env),
    logLevel: vars.LOG_LEVEL,
    logOrigin: vars.INGRAIN_LOG_ORIGIN,
    publicKeysDir: resolve(cwd, vars.INGRAIN_PUBLIC_KEYS_DIR ?? DEFAULTS.publicKeysDir),
    trustRootWitnesses: witnessPolicy(vars),
    authFailureLimit: {
      maxFailures: vars.INGRAIN_AUTH_FAILURE_LIMIT,
      windowMs: vars.INGRAIN_AUTH_FAILURE_WINDOW_SECONDS * 1000,
    },
    tls: tlsConfig(vars, cwd),
  });
}
