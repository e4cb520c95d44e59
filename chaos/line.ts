import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createIngrainClient, type IngrainClient } from '#ingrain/api-client';
import {
  freePort,
  prepareHsm,
  seedCatalog,
  startSimProcess,
  stationKeygen,
  StationProcess,
  type Catalog,
  type SimProcess,
  type StackHsm,
  type StationKey,
  type StationEvent,
} from '../testkit/stack/index.js';
import { ApiProcess } from '../testkit/stack/api-process.js';
import { ChaosRedis } from './redis.js';
import { type Scenario } from './scenario.js';

const LINE = 'line-1';
const LOG_ORIGIN = 'ingrain.local/log';
/** Wire timing of the simulated chips and the stations' line rate. */
const BAUD_RATE = 115_200;
/** A killed station's job is offered again within about 3 × this (docs/station.md). */
const STATION_ENV = { INGRAIN_JOB_LOCK_MS: '2000', INGRAIN_CHIP_POLL_MS: '50' };

/** One station with its simulator (its fixtures) and the directory its feeder watches. */
export interface ChaosStation {
  readonly index: number;
  readonly process: StationProcess;
  readonly sim: SimProcess;
  readonly releaseDir: string;
}

/** The line under chaos: Redis, the API, the HSM, the stations, their chips. */
export interface ChaosLine {
  readonly dir: string;
  readonly redis: ChaosRedis;
  readonly api: ApiProcess;
  readonly hsm: StackHsm;
  readonly catalog: Catalog;
  readonly stations: readonly ChaosStation[];
  readonly logOrigin: string;
  client(token: string): IngrainClient;
  /** Every simulator output line (fault fired, power back, feeder moves), in order. */
  readonly simLines: string[];
  close(): Promise<void>;
}

/**
 * Starts the line as an operator would, like the local stack (testkit/stack) but with a Redis that
 * can come back with or without its data: SoftHSM and the key ceremony, Redis, the embedded
 * database and the API, the catalogue, then per station a simulator in feeder mode (its fixtures)
 * and the station worker. Every process writes to `<dir>/logs/`.
 */
export async function startChaosLine(scenario: Scenario, dir: string): Promise<ChaosLine> {
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const logTo = (name: string) => (line: string) => appendFileSync(join(logs, name), `${line}\n`);
  const [hsm, redisPort, apiPort] = await Promise.all([prepareHsm(join(dir, 'stack')), freePort(), freePort()]);
  const redis = new ChaosRedis(redisPort, join(dir, 'redis'));
  await redis.start();
  const api = new ApiProcess({
    dataDir: join(dir, 'stack', 'data'),
    publicKeysDir: hsm.publicKeysDir,
    hsmEnv: hsm.env,
    redisUrl: redis.url,
    port: apiPort,
    logOrigin: LOG_ORIGIN,
    onLine: logTo('api.log'),
  });
  const stations: ChaosStation[] = [];
  const simLines: string[] = [];
  const sims: SimProcess[] = [];
  const close = async () => {
    await Promise.all(stations.map((station) => station.process.stop()));
    await api.stop();
    await Promise.all(sims.map((sim) => sim.stop()));
    await redis.stop();
  };
  try {
    const adminToken = await api.createToken('admin', 'chaos-admin');
    await api.start();
    const client = (token: string) => createIngrainClient({ baseUrl: api.url, token });
    const stationIds = Array.from({ length: scenario.stations }, (_, index) => `st-${index + 1}`);
    // Each station makes its sealing key pair (the real keygen); the admin registers its public half.
    const stationKeys = new Map<string, StationKey>();
    for (const stationId of stationIds)
      stationKeys.set(stationId, await stationKeygen(join(dir, 'stations', stationId)));
    const stationPublicKeys = new Map([...stationKeys].map(([id, key]) => [id, key.publicKeyHex] as const));
    const catalog = await seedCatalog(client(adminToken), { line: LINE, stationIds, stationPublicKeys });
    for (const [index, stationId] of stationIds.entries()) {
      const releaseDir = join(dir, `release-${index + 1}`);
      const simLog = logTo(`sim-${index + 1}.log`);
      const sim = await startSimProcess({
        family: 'stm32f4',
        count: scenario.fixturesPerStation,
        baudTiming: BAUD_RATE,
        feeder: { releaseDir },
        onLine: (line) => {
          simLines.push(line);
          simLog(line);
        },
      });
      sims.push(sim);
      const token = catalog.stationTokens.get(stationId);
      const key = stationKeys.get(stationId);
      if (token === undefined || key === undefined) throw new Error(`station ${stationId} has no token or key`);
      const stationDir = join(dir, 'stations', stationId);
      mkdirSync(stationDir, { recursive: true });
      const stationLog = logTo(`${stationId}.log`);
      const process = await StationProcess.start({
        stationId,
        token,
        apiUrl: api.url,
        redisUrl: redis.url,
        line: LINE,
        fixtures: sim.devices.map((device) => device.port),
        dir: stationDir,
        keyFile: key.privateKeyPath,
        releaseDir,
        env: { ...STATION_ENV, INGRAIN_BAUD: String(BAUD_RATE) },
        onEvent: (event: StationEvent) => stationLog(JSON.stringify(event)),
      });
      stations.push({ index, process, sim, releaseDir });
    }
    return { dir, redis, api, hsm, catalog, stations, logOrigin: LOG_ORIGIN, client, simLines, close };
  } catch (error) {
    await close();
    throw error;
  }
}
