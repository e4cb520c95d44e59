import { redisSentinelNameSchema, redisSentinelsSchema } from '#ingrain/contracts';
import { LOG_FORMATS } from '#ingrain/logging';
import { verifierKeyProblem } from '#ingrain/crypto';
import { z } from 'zod';
import { integer, optionalInteger, optionalText } from './env-fields.js';
import { webhooksEnvShape } from './webhooks-config.js';

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The oldest TLS versions the API may be told to accept: nothing below 1.2. */
export const TLS_MIN_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export type TlsMinVersion = (typeof TLS_MIN_VERSIONS)[number];

/** Whether a station token needs a client certificate naming its station (docs/tls.md). */
export const STATION_CERT_MODES = ['off', 'optional', 'required'] as const;
export type StationCertMode = (typeof STATION_CERT_MODES)[number];

const DEFAULT_PORT = 8080;
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
const DEFAULT_AUTH_FAILURE_LIMIT = 10;
const DEFAULT_AUTH_FAILURE_WINDOW_SECONDS = 60;
const DEFAULT_AUTH_CACHE_TTL_MS = 2000;
const DEFAULT_CONSOLE_SESSION_LIFETIME_S = 12 * 3600;
const DEFAULT_CONSOLE_SESSION_IDLE_S = 30 * 60;
const DEFAULT_STATION_OFFLINE_AFTER_MS = 30_000;

function url(protocols: readonly string[]) {
  const message = `expected a ${protocols.map((protocol) => `${protocol}//`).join(' or ')} URL`;
  return optionalText.pipe(
    z
      .string()
      .refine((value) => URL.canParse(value) && protocols.includes(new URL(value).protocol), message)
      .optional(),
  );
}

// Fastify's trustProxy: false, true, a hop count or a list of addresses / CIDR ranges.
const trustProxy = optionalText.transform((value): boolean | number | string[] => {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((entry) => entry.trim());
});

// A signed-note key name (c2sp.org/signed-note): non-empty, no white space, no '+', no control character.
const logOrigin = optionalText.pipe(
  z
    .string()
    .regex(/^[^\s+\p{Cc}]+$/u, 'expected a log origin without spaces, "+" or control characters')
    .default('ingrain.local/log'),
);

// Witness verifier keys the trust root publishes: c2sp.org/signed-note vkeys, comma-separated.
const witnessKeys = optionalText.transform((value, context): string[] => {
  const keys = value === undefined ? [] : value.split(',').map((key) => key.trim());
  keys.forEach((key, i) => {
    const problem = verifierKeyProblem(key);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: `key ${i + 1}: ${problem}` });
    else if (keys.indexOf(key) !== i) context.addIssue({ code: 'custom', message: `key ${i + 1} is listed twice` });
  });
  return keys;
});

/** Every variable the API reads besides the HSM's (libs/crypto `loadHsmConfig` owns those). */
export const apiEnvSchema = z.object({
  HOST: optionalText.pipe(z.string().default('127.0.0.1')),
  PORT: integer(0, 65_535, DEFAULT_PORT),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  INGRAIN_DATA_DIR: optionalText,
  // PGlite's shared_buffers in MiB (unset: the database layer's default, 32).
  INGRAIN_PGLITE_SHARED_BUFFERS_MB: optionalInteger(1, 1024),
  REDIS_URL: url(['redis:', 'rediss:']),
  // Redis Sentinel for the queues (docs/deployment.md): both or neither (checked in api-config.ts).
  INGRAIN_REDIS_SENTINELS: optionalText.pipe(redisSentinelsSchema.optional()),
  INGRAIN_REDIS_SENTINEL_NAME: optionalText.pipe(redisSentinelNameSchema.optional()),
  LOG_LEVEL: optionalText.pipe(z.enum(LOG_LEVELS).default('info')),
  // The log's format and file (docs/observability.md): pretty on a terminal, JSON otherwise.
  INGRAIN_LOG_FORMAT: optionalText.pipe(z.enum(LOG_FORMATS, { error: 'expected pretty or json' }).optional()),
  INGRAIN_LOG_FILE: optionalText,
  INGRAIN_LOG_ORIGIN: logOrigin,
  // Batched checkpoints and the public log (docs/transparency-log.md).
  INGRAIN_LOG_CHECKPOINT_INTERVAL_MS: integer(10, 86_400_000, 1000),
  INGRAIN_LOG_PUBLIC: optionalText.pipe(z.enum(['true', 'false']).default('false')).transform((v) => v === 'true'),
  INGRAIN_PUBLIC_KEYS_DIR: optionalText,
  INGRAIN_TRUST_ROOT_WITNESS_KEYS: witnessKeys,
  INGRAIN_TRUST_ROOT_WITNESS_THRESHOLD: optionalText.pipe(
    z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).optional(),
  ),
  INGRAIN_BODY_LIMIT_BYTES: integer(1024, 64 * 1024 * 1024, DEFAULT_BODY_LIMIT_BYTES),
  INGRAIN_TRUST_PROXY: trustProxy,
  INGRAIN_AUTH_FAILURE_LIMIT: integer(1, 100_000, DEFAULT_AUTH_FAILURE_LIMIT),
  INGRAIN_AUTH_FAILURE_WINDOW_SECONDS: integer(1, 86_400, DEFAULT_AUTH_FAILURE_WINDOW_SECONDS),
  // How long a process reuses an authenticated token (0: never); a revocation reaches the other
  // API processes within this (docs/api.md "Authentication"), so it stays short: at most a minute.
  INGRAIN_AUTH_CACHE_TTL_MS: integer(0, 60_000, DEFAULT_AUTH_CACHE_TTL_MS),
  // The web console's sessions (docs/console.md): absolute lifetime and idle timeout.
  INGRAIN_CONSOLE_SESSION_LIFETIME_S: integer(60, 7 * 86_400, DEFAULT_CONSOLE_SESSION_LIFETIME_S),
  INGRAIN_CONSOLE_SESSION_IDLE_S: integer(10, 86_400, DEFAULT_CONSOLE_SESSION_IDLE_S),
  // A station whose last heartbeat is older than this is offline (docs/observability.md).
  INGRAIN_STATION_OFFLINE_AFTER_MS: integer(100, 86_400_000, DEFAULT_STATION_OFFLINE_AFTER_MS),
  // HTTPS and client certificates (docs/tls.md); checked together in tls-config.ts.
  INGRAIN_TLS_CERT_FILE: optionalText,
  INGRAIN_TLS_KEY_FILE: optionalText,
  INGRAIN_TLS_MIN_VERSION: optionalText.pipe(
    z.enum(TLS_MIN_VERSIONS, { error: 'expected TLSv1.2 or TLSv1.3 (older versions are refused)' }).default('TLSv1.2'),
  ),
  INGRAIN_TLS_CLIENT_CA_FILE: optionalText,
  INGRAIN_TLS_STATION_CERTS: optionalText.pipe(
    z.enum(STATION_CERT_MODES, { error: 'expected off, optional or required' }).optional(),
  ),
  ...webhooksEnvShape,
  // Witnessing (docs/witness.md); checked together in witness-config.ts.
  INGRAIN_WITNESS_URLS: optionalText,
  INGRAIN_WITNESS_KEYS: optionalText,
  INGRAIN_WITNESS_INTERVAL_MS: integer(100, 86_400_000, 10_000),
  INGRAIN_WITNESS_TIMEOUT_MS: integer(100, 600_000, 10_000),
});

export const DEFAULTS = {
  redisUrl: DEFAULT_REDIS_URL,
  dataDir: '.ingrain/data',
  publicKeysDir: '.ingrain/public-keys',
};

export type ApiEnv = z.output<typeof apiEnvSchema>;
