import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  redisSentinelNameSchema,
  redisSentinelPairProblem,
  redisSentinelsSchema,
  type RedisSentinelConfig,
} from '#ingrain/contracts';
import { z } from 'zod';
import { StationError } from './errors.js';
import {
  type FixtureLineConfig,
  parseFixtureLinesFile,
  START_APPLICATION_VALUES,
  type StartApplication,
} from './fixture/fixture-lines-config.js';

/** Everything the station worker needs, parsed once at start-up (env, then flags win). */
export interface WorkerConfig {
  readonly stationId: string;
  /** The station's API token. Never logged, never accepted as a flag. */
  readonly token: string;
  readonly apiUrl: string;
  readonly redisUrl: string;
  /** The queues' Redis master found through Sentinels (INGRAIN_REDIS_SENTINELS); null: REDIS_URL's host. */
  readonly redisSentinel?: RedisSentinelConfig | null;
  /** The production line: the worker consumes the BullMQ queue `{ingrain-line-<line>}`. */
  readonly line: string;
  /** Serial ports, one fixture each (one BullMQ worker slot per fixture). */
  readonly fixtures: readonly string[];
  readonly baudRate: number;
  /** Durable result spool (created if missing). */
  readonly spoolDir: string;
  /**
   * The station's sealing private key (`ingrain-station keygen`; mode 0600): claims are opened with
   * it (docs/sealing.md). Default `.ingrain/station-key/<stationId>/station-key.pem`.
   */
  readonly stationKeyFile: string;
  /** Where release requests for the chip handler go; undefined: an operator swaps chips (log only). */
  readonly releaseDir: string | undefined;
  /** Longest a shutdown waits for running cycles before the process gives up on them. */
  readonly shutdownGraceMs: number;
  /** Extra in-job attempts of a cycle that ended in link-error, on the same fixture and chip. */
  readonly linkRetries: number;
  /** How often an empty fixture (or one still holding a finished chip) is probed. */
  readonly chipPollMs: number;
  /**
   * BullMQ job lock (`lockDuration`) and stalled-check period (`stalledInterval`): a job whose
   * station died is offered again within about 3 × this.
   */
  readonly jobLockMs: number;
  /**
   * Accept plain `http://` to a host that is not loopback. Off by default: the token and the claimed
   * secrets would cross the network in clear (docs/threat-model.md).
   */
  readonly allowPlainHttp: boolean;
  // TLS to the API (docs/tls.md): trust and client certificate; read by api/tls-agent.ts at start.
  /** PEM CA certificate(s) the API's certificate must chain to; undefined: the system's CAs. */
  readonly apiCaFile?: string;
  /** The station's client certificate (PEM chain) for mutual TLS; with `apiClientKeyFile`. */
  readonly apiClientCertFile?: string;
  /** Its private key (PEM), accessible to its owner only. */
  readonly apiClientKeyFile?: string;
  /**
   * Per-fixture line control (entry/exit sequences on DTR/RTS/BREAK/GPIO), from the file named by
   * INGRAIN_FIXTURE_LINES_FILE (docs/fixtures.md). A port absent from it is driven by no line.
   */
  readonly fixtureLines: ReadonlyMap<string, FixtureLineConfig>;
  /** After a provisioned chip: start its application (exit sequence, Go) or not. Per fixture overridable. */
  readonly startApplication: StartApplication;
  /** One heartbeat to the API per this many ms (docs/observability.md). */
  readonly heartbeatMs: number;
  /** Port of the station's `GET /metrics`; undefined: no metrics server. */
  readonly metricsPort: number | undefined;
  /** Address the metrics server binds (default 127.0.0.1: this machine only). */
  readonly metricsHost: string;
}

export const DEFAULT_HEARTBEAT_MS = 5_000;

/** BullMQ's own default lock duration and stalled-check interval. */
export const DEFAULT_JOB_LOCK_MS = 30_000;

/** AN3155 §2: tested range 1200–115200 baud. */
const baudRate = z.coerce.number().int().min(1200).max(115_200);
const identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 of A-Z a-z 0-9 . _ - starting alphanumeric');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const redisUrl = z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' });
const milliseconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z
  .enum(['1', 'true', 'yes', '0', 'false', 'no'], { error: 'must be 1/true/yes or 0/false/no' })
  .transform((text) => ['1', 'true', 'yes'].includes(text));

/** 127.0.0.0/8, ::1 and localhost: a plain http:// URL to these never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const configSchema = z
  .strictObject({
    stationId: identifier,
    token: z.string().regex(/^[\x21-\x7e]{16,512}$/, 'must be 16-512 printable characters without spaces'),
    apiUrl: httpUrl,
    redisUrl,
    redisSentinels: redisSentinelsSchema.optional(),
    redisSentinelName: redisSentinelNameSchema.optional(),
    line: identifier,
    fixtures: z
      .array(z.string().min(1, 'an empty port name'))
      .min(1, 'needs at least one serial port')
      .max(64)
      .refine((ports) => new Set(ports).size === ports.length, 'lists a port twice'),
    baudRate: baudRate.default(115_200),
    spoolDir: z.string().min(1).optional(),
    stationKeyFile: z.string().min(1).optional(),
    releaseDir: z.string().min(1).optional(),
    shutdownGraceMs: milliseconds(0, 600_000).default(30_000),
    linkRetries: z.coerce.number().int().min(0).max(10).default(2),
    chipPollMs: milliseconds(10, 60_000).default(250),
    // Below 1 s a busy event loop could miss a lock renewal and hand a running job to a second station.
    jobLockMs: milliseconds(1_000, 600_000).default(DEFAULT_JOB_LOCK_MS),
    allowPlainHttp: flag.default(false),
    apiCaFile: z.string().min(1).optional(),
    apiClientCertFile: z.string().min(1).optional(),
    apiClientKeyFile: z.string().min(1).optional(),
    fixtureLinesFile: z.string().min(1).optional(),
    startApplication: z.enum(START_APPLICATION_VALUES).default('none'),
    heartbeatMs: milliseconds(100, 600_000).default(DEFAULT_HEARTBEAT_MS),
    metricsPort: z.coerce.number().int().min(0).max(65_535).optional(),
    metricsHost: z.string().min(1).default('127.0.0.1'),
  })
  .superRefine((config, context) => {
    const sentinelProblem = redisSentinelPairProblem(config.redisSentinels, config.redisSentinelName);
    if (sentinelProblem !== undefined)
      context.addIssue({ code: 'custom', path: ['redisSentinels'], message: sentinelProblem });
    const url = new URL(config.apiUrl);
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !config.allowPlainHttp) {
      context.addIssue({
        code: 'custom',
        path: ['apiUrl'],
        message:
          'plain http:// to a host that is not loopback would send the station token and the claimed secrets in clear: use https://, or set INGRAIN_ALLOW_PLAIN_HTTP=1 to accept that',
      });
    }
    refineApiTls(config, url, context);
  });

/** The TLS files: certificate and key together, and only for an https:// API (docs/tls.md). */
function refineApiTls(
  config: { apiCaFile?: string; apiClientCertFile?: string; apiClientKeyFile?: string },
  url: URL,
  context: z.RefinementCtx,
): void {
  if ((config.apiClientCertFile === undefined) !== (config.apiClientKeyFile === undefined)) {
    const missing = config.apiClientCertFile === undefined ? 'apiClientCertFile' : 'apiClientKeyFile';
    context.addIssue({
      code: 'custom',
      path: [missing],
      message: 'INGRAIN_API_CLIENT_CERT_FILE and INGRAIN_API_CLIENT_KEY_FILE go together: set both or neither',
    });
  }
  const tlsFile = (['apiCaFile', 'apiClientCertFile', 'apiClientKeyFile'] as const).find(
    (key) => config[key] !== undefined,
  );
  if (url.protocol === 'http:' && tlsFile !== undefined) {
    context.addIssue({
      code: 'custom',
      path: [tlsFile],
      message: 'is set but the API URL is plain http://: use https://',
    });
  }
}

/** Where each setting comes from: environment variable and flag (the token has no flag). */
const SOURCES = {
  stationId: { env: 'INGRAIN_STATION_ID', flag: 'station-id' },
  apiUrl: { env: 'INGRAIN_API_URL', flag: 'api-url' },
  redisUrl: { env: 'REDIS_URL', flag: 'redis-url' },
  redisSentinels: { env: 'INGRAIN_REDIS_SENTINELS', flag: 'redis-sentinels' },
  redisSentinelName: { env: 'INGRAIN_REDIS_SENTINEL_NAME', flag: 'redis-sentinel-name' },
  line: { env: 'INGRAIN_LINE', flag: 'line' },
  fixtures: { env: 'INGRAIN_FIXTURES', flag: 'fixtures' },
  baudRate: { env: 'INGRAIN_BAUD', flag: 'baud' },
  spoolDir: { env: 'INGRAIN_SPOOL_DIR', flag: 'spool-dir' },
  stationKeyFile: { env: 'INGRAIN_STATION_KEY_FILE', flag: 'station-key-file' },
  releaseDir: { env: 'INGRAIN_FIXTURE_RELEASE_DIR', flag: 'release-dir' },
  shutdownGraceMs: { env: 'INGRAIN_SHUTDOWN_GRACE_MS', flag: 'shutdown-grace-ms' },
  linkRetries: { env: 'INGRAIN_LINK_RETRIES', flag: 'link-retries' },
  chipPollMs: { env: 'INGRAIN_CHIP_POLL_MS', flag: 'chip-poll-ms' },
  jobLockMs: { env: 'INGRAIN_JOB_LOCK_MS', flag: 'job-lock-ms' },
  allowPlainHttp: { env: 'INGRAIN_ALLOW_PLAIN_HTTP', flag: 'allow-plain-http' },
  apiCaFile: { env: 'INGRAIN_API_CA_FILE', flag: 'api-ca-file' },
  apiClientCertFile: { env: 'INGRAIN_API_CLIENT_CERT_FILE', flag: 'api-client-cert-file' },
  apiClientKeyFile: { env: 'INGRAIN_API_CLIENT_KEY_FILE', flag: 'api-client-key-file' },
  fixtureLinesFile: { env: 'INGRAIN_FIXTURE_LINES_FILE', flag: 'fixture-lines-file' },
  startApplication: { env: 'INGRAIN_START_APPLICATION', flag: 'start-application' },
  heartbeatMs: { env: 'INGRAIN_STATION_HEARTBEAT_MS', flag: 'heartbeat-ms' },
  metricsPort: { env: 'INGRAIN_STATION_METRICS_PORT', flag: 'metrics-port' },
  metricsHost: { env: 'INGRAIN_STATION_METRICS_HOST', flag: 'metrics-host' },
} as const;
type Sourced = keyof typeof SOURCES;

const FLAGS = Object.fromEntries(Object.values(SOURCES).map(({ flag }) => [flag, { type: 'string' }])) as Record<
  (typeof SOURCES)[Sourced]['flag'],
  { type: 'string' }
>;

/** Reads a file (the token file); injectable for tests. */
export type ReadTextFile = (path: string) => string;

/**
 * Parses the worker's configuration from the environment and `worker` flags (a flag overrides
 * its variable). The token comes from `INGRAIN_STATION_TOKEN_FILE` (trimmed) or
 * `INGRAIN_STATION_TOKEN`, never from a flag, and never appears in an error message.
 *
 * @throws StationError `STATION_CONFIG_INVALID` naming every bad variable or flag.
 */
export function loadWorkerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  readTextFile: ReadTextFile = (path) => readFileSync(path, 'utf8'),
): WorkerConfig {
  const flags = readFlags(argv);
  const raw: Record<string, unknown> = { token: readToken(env, readTextFile) };
  for (const [key, source] of Object.entries(SOURCES) as [Sourced, (typeof SOURCES)[Sourced]][]) {
    const text = flags[source.flag] ?? nonEmpty(env[source.env]);
    raw[key] = key === 'fixtures' && text !== undefined ? splitList(text) : text;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${describeKey(String(issue.path[0]))}: ${issue.message}`);
    throw new StationError('STATION_CONFIG_INVALID', `invalid worker configuration: ${problems.join('; ')}`);
  }
  const { fixtureLinesFile, redisSentinels, redisSentinelName, ...config } = parsed.data;
  return {
    ...config,
    redisSentinel:
      redisSentinels === undefined || redisSentinelName === undefined
        ? null
        : { sentinels: redisSentinels, name: redisSentinelName },
    spoolDir: config.spoolDir ?? join('.ingrain', 'station-spool', config.stationId),
    stationKeyFile: config.stationKeyFile ?? join('.ingrain', 'station-key', config.stationId, 'station-key.pem'),
    releaseDir: config.releaseDir,
    metricsPort: config.metricsPort,
    fixtureLines: readFixtureLines(fixtureLinesFile, config.fixtures, readTextFile),
  };
}

function readFixtureLines(
  path: string | undefined,
  ports: readonly string[],
  readTextFile: ReadTextFile,
): ReadonlyMap<string, FixtureLineConfig> {
  if (path === undefined) return new Map();
  const where = `INGRAIN_FIXTURE_LINES_FILE ${path}`;
  let text: string;
  try {
    text = readTextFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new StationError('STATION_CONFIG_INVALID', `${where}: cannot read the file (${reason})`);
  }
  const { lines, problems } = parseFixtureLinesFile(text, ports);
  if (problems.length > 0)
    throw new StationError('STATION_CONFIG_INVALID', `invalid worker configuration: ${where}: ${problems.join('; ')}`);
  return lines;
}

function readFlags(argv: readonly string[]): Partial<Record<string, string>> {
  try {
    return parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new StationError(
      'STATION_CONFIG_INVALID',
      `worker: ${message} (the token is read from INGRAIN_STATION_TOKEN_FILE or INGRAIN_STATION_TOKEN, never from a flag)`,
    );
  }
}

function readToken(env: Readonly<Record<string, string | undefined>>, readTextFile: ReadTextFile): string | undefined {
  const file = nonEmpty(env['INGRAIN_STATION_TOKEN_FILE']);
  const inline = nonEmpty(env['INGRAIN_STATION_TOKEN']);
  if (file !== undefined && inline !== undefined) {
    throw new StationError(
      'STATION_CONFIG_INVALID',
      'set INGRAIN_STATION_TOKEN_FILE or INGRAIN_STATION_TOKEN, not both',
    );
  }
  if (file === undefined) return inline;
  try {
    return readTextFile(file).trim();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new StationError(
      'STATION_CONFIG_INVALID',
      `INGRAIN_STATION_TOKEN_FILE ${file}: cannot read the file (${reason})`,
    );
  }
}

function describeKey(key: string): string {
  if (key === 'token') return 'the station token (INGRAIN_STATION_TOKEN_FILE / INGRAIN_STATION_TOKEN)';
  const source = SOURCES[key as Sourced] as (typeof SOURCES)[Sourced] | undefined;
  return source === undefined ? key : `${source.env} / --${source.flag}`;
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

function splitList(text: string): string[] {
  return text.split(',').map((part) => part.trim());
}
