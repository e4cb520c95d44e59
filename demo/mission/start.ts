import { join } from 'node:path';
import { startLocalStack, startSimProcess, type LocalStack, type SimProcess } from '../../testkit/stack/index.js';
import { writeSecretFile } from './demo-dir.js';
import { type MissionOptions } from './options.js';
import { type ProcessLogs } from './process-logs.js';
import { step, type Write } from './steps.js';

export const STATION_IDS = ['st-1', 'st-2'] as const;
export const FIXTURES_PER_STATION = 4;
export const BAUD_RATE = 115_200;
const FAMILY = 'stm32f4';

/** What the demo started, for the caller to stop (set as soon as each one runs). */
export interface Started {
  stack?: LocalStack;
  sim?: SimProcess;
}

/** The running line: the stack with its stations, the chips, and the token files of the MES and the auditor. */
export interface RunningLine {
  readonly stack: LocalStack;
  readonly sim: SimProcess;
  readonly startUpMs: number;
  readonly mesTokenFile: string;
  readonly auditorTokenFile: string;
}

/** Starts the stack, the simulated chips and the stations, printing a line per step. */
export async function startLine(
  options: MissionOptions,
  logs: ProcessLogs,
  started: Started,
  write: Write,
): Promise<RunningLine> {
  const startedMs = performance.now();
  const stack = await startStack(options, logs, started, write);
  const sim = await startChips(options, logs, started, write);
  const releaseDir = join(options.dir, 'release');
  const ports = sim.devices.map((device) => device.port);
  await step(write, `Starting ${STATION_IDS.length} stations with ${FIXTURES_PER_STATION} fixtures each`, async () => {
    for (const [index, id] of STATION_IDS.entries()) {
      const fixtures = ports.slice(index * FIXTURES_PER_STATION, (index + 1) * FIXTURES_PER_STATION);
      await stack.startStation(id, fixtures, { releaseDir });
    }
  });
  const mesTokenFile = join(options.dir, 'mes-token');
  const auditorTokenFile = join(options.dir, 'auditor-token');
  await writeSecretFile(mesTokenFile, stack.catalog.mesToken);
  await writeSecretFile(auditorTokenFile, stack.catalog.auditorToken);
  // The console's sign-in (docs/console.md): an admin token too, owner-only like the others.
  await writeSecretFile(join(options.dir, 'admin-token'), stack.adminToken);
  return { stack, sim, startUpMs: performance.now() - startedMs, mesTokenFile, auditorTokenFile };
}

function startStack(options: MissionOptions, logs: ProcessLogs, started: Started, write: Write) {
  return step(
    write,
    'Starting the stack: SoftHSM token and key ceremony, Redis, embedded database (PGlite), API',
    async () => {
      started.stack = await startLocalStack({
        dir: options.dir,
        stationIds: STATION_IDS,
        apiPort: options.apiPort === 0 ? undefined : options.apiPort,
        apiLogLevel: 'info',
        onApiLine: logs.sink('api'),
        onStationEvent: logs.stationSink(),
      });
      return started.stack;
    },
    (stack) => `API at ${stack.api.url}, product ${stack.catalog.productId} (layout v${stack.catalog.layoutVersion})`,
  );
}

function startChips(options: MissionOptions, logs: ProcessLogs, started: Started, write: Write) {
  const count = STATION_IDS.length * FIXTURES_PER_STATION;
  return step(
    write,
    `Starting ${count} simulated ${FAMILY.toUpperCase()} chips in feeder mode (${BAUD_RATE}-baud wire timing)`,
    async () => {
      started.sim = await startSimProcess({
        family: FAMILY,
        count,
        baudTiming: BAUD_RATE,
        feeder: { releaseDir: join(options.dir, 'release') },
        onLine: logs.sink('simulator'),
      });
      return started.sim;
    },
  );
}
