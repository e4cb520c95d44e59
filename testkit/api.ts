import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { Hsm, loadHsmConfig } from '#ingrain/crypto';
import { runHsmCeremony } from '../apps/api/src/commands/hsm/ceremony.js';
import type { Role } from '../apps/api/src/auth/roles.js';
import { loadApiConfig, type ApiConfig } from '../apps/api/src/config/api-config.js';
import type { DatabaseConfig } from '../apps/api/src/database/database-config.js';
import type { Database } from '../apps/api/src/database/database.js';
import { createApp } from '../apps/api/src/http/create-app.js';
import { TokenRepository } from '../apps/api/src/repositories/token-repository.js';
import { TokensService } from '../apps/api/src/tokens/tokens.service.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startRedis, type RedisServer } from './stack/redis.js';
import { createTestToken, type TestToken } from './softhsm.js';

/** The API of one test file, running on its own database, SoftHSM token and Redis. */
export interface TestApi {
  readonly app: NestFastifyApplication;
  readonly config: ApiConfig;
  readonly database: Database;
  /** How to reach the same database from elsewhere (DATABASE_URL of a postgres test database). */
  readonly databaseConfig: DatabaseConfig;
  readonly redis: RedisServer;
  readonly hsmToken: TestToken;
  /**
   * INGRAIN_PUBLIC_KEYS_DIR of the app: the ceremony's output (`ca.pem`, `<label>.pub.pem`), unless
   * the test set the variable itself.
   */
  readonly publicKeysDir: string;
  /** A token of role admin, created before the app started. */
  readonly adminToken: string;
  /** Every log line the app wrote (JSON text), in order. */
  readonly logs: string[];
  /** A supertest request builder on the app: `api.http().get('/health/live')`. */
  http(): ReturnType<typeof request>;
  /** Creates a token straight in the database (as `ingrain-admin token create` does); returns its secret. */
  createToken(role: Role, name?: string, stationId?: string): Promise<string>;
  /** Closes the app, then removes the database, Redis and the SoftHSM token. Safe to call twice. */
  close(): Promise<void>;
}

export interface TestApiOptions {
  readonly databaseKind?: 'pglite' | 'postgres';
  /** PGlite on disk in this new directory (as in production) instead of in memory. */
  readonly pgliteDataDir?: string;
  /** Extra environment variables for loadApiConfig (e.g. INGRAIN_AUTH_FAILURE_LIMIT). */
  readonly env?: Readonly<Record<string, string>>;
  /** More modules (dummy controllers). */
  readonly extraModules?: ReadonlyArray<Type | DynamicModule>;
  /** Also copy log lines to stderr (debugging). Default: INGRAIN_TEST_LOGS=1. */
  readonly echoLogs?: boolean;
  /**
   * Run the key ceremony (`ingrain-admin hsm init`: the service keys and the device CA certificate
   * in publicKeysDir) before the app starts. Default true; false for tests of a token without keys.
   */
  readonly serviceKeys?: boolean;
}

/** Test CA certificates live ten years from the day the test runs. */
const TEST_CA = { subjectCommonName: 'Ingrain Test Device CA', organization: 'Ingrain Tests', validityDays: 3650 };

/**
 * What `ingrain-admin hsm init --out <publicKeysDir>` does, in this process: the service keys on the
 * token, their public keys and the self-signed device CA certificate `ca.pem`. The HSM is closed
 * again before the app opens its own.
 */
async function runKeyCeremony(token: TestToken, publicKeysDir: string): Promise<void> {
  const hsm = await Hsm.open(loadHsmConfig(token.env), { probe: false });
  try {
    await runHsmCeremony(hsm, publicKeysDir, TEST_CA);
  } finally {
    await hsm.close();
  }
}

type Cleanup = () => Promise<unknown>;

async function runAll(cleanups: readonly Cleanup[]): Promise<void> {
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
}

/** The token, Redis and database, started in parallel; each one's cleanup is registered even if another fails. */
async function startResources(
  options: TestApiOptions,
  cleanups: Cleanup[],
): Promise<[TestToken, RedisServer, TestDatabase]> {
  const results = await Promise.allSettled([
    createTestToken({ label: 'ingrain-api-test' }),
    startRedis(),
    createTestDatabase(options.databaseKind ?? 'pglite', { pgliteDataDir: options.pgliteDataDir }),
  ]);
  const [token, redis, database] = results;
  if (token.status === 'fulfilled') cleanups.unshift(() => token.value.cleanup());
  if (redis.status === 'fulfilled') cleanups.unshift(() => redis.value.stop());
  if (database.status === 'fulfilled') cleanups.unshift(() => database.value.cleanup());
  return [valueOf(token), valueOf(redis), valueOf(database)];
}

function valueOf<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/**
 * Starts the real app for a test: a fresh migrated database (PGlite in memory by default), a new
 * SoftHSM token with the service keys and a device CA certificate (the key ceremony), a throwaway
 * redis-server, an admin token, logs captured in memory. Always
 * `close()` it (e.g. in `after`). SoftHSM reads its configuration once per process: one TestApi per
 * test file.
 */
export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const cleanups: Cleanup[] = [];
  try {
    const [hsmToken, redis, testDatabase] = await startResources(options, cleanups);
    const workDir = await mkdtemp(join(tmpdir(), 'ingrain-api-test-'));
    cleanups.unshift(() => rm(workDir, { recursive: true, force: true }));
    if (options.serviceKeys ?? true) await runKeyCeremony(hsmToken, workDir);
    const config = loadApiConfig(
      { ...hsmToken.env, REDIS_URL: redis.url, LOG_LEVEL: 'debug', INGRAIN_PUBLIC_KEYS_DIR: workDir, ...options.env },
      workDir,
    );
    const tokens = new TokensService(new TokenRepository(testDatabase.database.kysely));
    const adminToken = (await tokens.create({ name: 'test-admin', role: 'admin' })).token;
    const logs: string[] = [];
    const echo = options.echoLogs ?? process.env['INGRAIN_TEST_LOGS'] === '1';
    const app = await createApp(config, {
      database: testDatabase.database,
      extraModules: options.extraModules ?? [],
      logDestination: {
        write: (line) => {
          logs.push(line);
          if (echo) process.stderr.write(line);
        },
      },
    });
    cleanups.unshift(() => app.close());
    let closed: Promise<void> | undefined;
    return {
      app,
      config,
      database: testDatabase.database,
      databaseConfig: testDatabase.config,
      redis,
      hsmToken,
      publicKeysDir: config.publicKeysDir,
      adminToken,
      logs,
      http: () => request(app.getHttpServer()),
      createToken: async (role, name = `test-${role}`, stationId) =>
        (await tokens.create({ name, role, ...(stationId === undefined ? {} : { stationId }) })).token,
      close: () => (closed ??= runAll(cleanups)),
    };
  } catch (error) {
    await runAll(cleanups);
    throw error;
  }
}
