import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createIngrainClient, type IngrainClient } from '#ingrain/api-client';
import { ApiProcess } from './api-process.js';
import { seedCatalog, type Catalog, type StackProduct } from './catalog.js';
import { freePort } from './child-process.js';
import { prepareHsm, type StackHsm } from './hsm-token.js';
import { startRedis, type RedisServer } from './redis.js';
import { stationKeygen, type StationKey } from './station-key.js';
import { StationProcess, type StationEvent } from './station-process.js';

export interface LocalStackOptions {
  /** Where everything lives: softhsm/, public-keys/, data/ (PGlite), stations/<id>/. Created if missing. */
  readonly dir: string;
  /** Station ids to register (their processes start with `startStation`). */
  readonly stationIds: readonly string[];
  /** Default `line-1`. */
  readonly line?: string;
  /** The product the admin creates, with its layout and serial prefix. Default the sample product, `SN-`. */
  readonly product?: StackProduct & { readonly serialPrefix?: string };
  /** Default: a free port. */
  readonly apiPort?: number;
  /** A PostgreSQL URL for the API (DATABASE_URL) instead of PGlite under `dir`/data. */
  readonly databaseUrl?: string;
  /** Default `ingrain.local/log`. */
  readonly logOrigin?: string;
  /** The API's LOG_LEVEL. Default `warn` (request lines at `info`). */
  readonly apiLogLevel?: string;
  /** More API variables (e.g. INGRAIN_STATION_OFFLINE_AFTER_MS). */
  readonly apiEnv?: Readonly<Record<string, string>>;
  readonly onApiLine?: (line: string) => void;
  readonly onStationEvent?: (event: StationEvent) => void;
}

/** Ingrain running on this machine: Redis, a SoftHSM token with its keys, PGlite, the API, stations. */
export interface LocalStack {
  readonly dir: string;
  readonly redis: RedisServer;
  readonly hsm: StackHsm;
  readonly api: ApiProcess;
  readonly logOrigin: string;
  readonly adminToken: string;
  readonly catalog: Catalog;
  readonly stations: ReadonlyMap<string, StationProcess>;
  /** A generated client with `token`. */
  client(token: string): IngrainClient;
  /** Starts station `id`'s worker on `fixtures` (ports); `releaseDir` is the simulator feeder's. */
  startStation(
    id: string,
    fixtures: readonly string[],
    options?: { releaseDir?: string; env?: Readonly<Record<string, string>> },
  ): Promise<StationProcess>;
  /** Stops the stations (SIGTERM), the API and Redis. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts the whole local stack as an operator would set it up: a project SoftHSM token and the key
 * ceremony, a private Redis, the embedded database, a first admin token (ingrain-admin), the API
 * (bin/ingrain-api), then, through the API as an admin: the sample product and layout, the stations
 * and the MES and auditor tokens.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  await mkdir(options.dir, { recursive: true });
  const [hsm, redis, apiPort] = await Promise.all([
    prepareHsm(options.dir),
    startRedis(),
    options.apiPort ?? freePort(),
  ]);
  const logOrigin = options.logOrigin ?? 'ingrain.local/log';
  const api = new ApiProcess({
    dataDir: join(options.dir, 'data'),
    databaseUrl: options.databaseUrl,
    publicKeysDir: hsm.publicKeysDir,
    hsmEnv: hsm.env,
    redisUrl: redis.url,
    port: apiPort,
    logOrigin,
    logLevel: options.apiLogLevel,
    env: options.apiEnv,
    onLine: options.onApiLine,
  });
  const stations = new Map<string, StationProcess>();
  const close = async () => {
    await Promise.all([...stations.values()].map((station) => station.stop()));
    await api.stop();
    await redis.stop();
  };
  try {
    const adminToken = await api.createToken('admin', 'stack-admin');
    await api.start();
    const client = (token: string) => createIngrainClient({ baseUrl: api.url, token });
    const line = options.line ?? 'line-1';
    // Each station makes its key pair (keygen, on the station); the admin registers its public half.
    const stationKeys = new Map<string, StationKey>();
    for (const id of options.stationIds) {
      const dir = join(options.dir, 'stations', id);
      await mkdir(dir, { recursive: true });
      stationKeys.set(id, await stationKeygen(dir));
    }
    const stationPublicKeys = new Map([...stationKeys].map(([id, key]) => [id, key.publicKeyHex] as const));
    const catalog = await seedCatalog(client(adminToken), {
      line,
      stationIds: options.stationIds,
      stationPublicKeys,
      product: options.product,
      serialPrefix: options.product?.serialPrefix,
    });
    const startStation: LocalStack['startStation'] = async (id, fixtures, extra = {}) => {
      const token = catalog.stationTokens.get(id);
      const key = stationKeys.get(id);
      if (token === undefined || key === undefined) throw new Error(`station ${id} is not registered`);
      const dir = join(options.dir, 'stations', id);
      await mkdir(dir, { recursive: true });
      const station = await StationProcess.start({
        stationId: id,
        token,
        apiUrl: api.url,
        redisUrl: redis.url,
        line,
        fixtures,
        dir,
        keyFile: key.privateKeyPath,
        releaseDir: extra.releaseDir,
        env: extra.env,
        onEvent: options.onStationEvent,
      });
      stations.set(id, station);
      return station;
    };
    return { dir: options.dir, redis, hsm, api, logOrigin, adminToken, catalog, stations, client, startStation, close };
  } catch (error) {
    await close();
    throw error;
  }
}
