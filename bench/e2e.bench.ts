// npm run bench:e2e — devices per hour end to end (MES request → provisioned, attested) on the local
// stack (API process with PGlite, SoftHSM, Redis, station processes, simulated chips over ptys at
// 115200-baud wire timing, feeder mode), for 1 station × 1, 4, 8 fixtures and 2 stations × 8
// fixtures, next to the link floor of one cycle and the API's own limit measured in the same run.
// `--quick`: a short run for development, printed only (docs/benchmarks.md keeps the recorded run).
// `--markdown`: also print the section as it would be recorded. `--chip-poll-ms N`: the stations'
// INGRAIN_CHIP_POLL_MS (default: the station's own), for experiments; such a run is not recorded.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../testkit/stack/index.js';
import { measureApiLimit, type ApiLimit } from './support/e2e-api-limit.js';
import { measureCycleFloor } from './support/e2e-floor.js';
import { runLine, type LineConfig, type LineRun } from './support/e2e-line.js';
import { printReport, recordReport, renderSection, type E2eResults } from './support/e2e-report.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const chipPollMs = args.includes('--chip-poll-ms') ? args[args.indexOf('--chip-poll-ms') + 1] : undefined;
if (chipPollMs !== undefined && !/^\d+$/.test(chipPollMs)) throw new Error('--chip-poll-ms needs a number of ms');
/** Station settings changed from their defaults (none unless asked). */
const STATION_ENV: Readonly<Record<string, string>> =
  chipPollMs === undefined ? {} : { INGRAIN_CHIP_POLL_MS: chipPollMs };

/** Several chips per fixture, so the steady state spans several cycles of every fixture (the most for one fixture). */
const CONFIGS: readonly LineConfig[] = quick
  ? [
      { label: '1 station × 1 fixture', stations: 1, fixturesPerStation: 1, devices: 8 },
      { label: '1 station × 4 fixtures', stations: 1, fixturesPerStation: 4, devices: 12 },
      { label: '1 station × 8 fixtures', stations: 1, fixturesPerStation: 8, devices: 24 },
      { label: '2 stations × 8 fixtures', stations: 2, fixturesPerStation: 8, devices: 48 },
    ]
  : [
      { label: '1 station × 1 fixture', stations: 1, fixturesPerStation: 1, devices: 40 },
      { label: '1 station × 4 fixtures', stations: 1, fixturesPerStation: 4, devices: 40 },
      { label: '1 station × 8 fixtures', stations: 1, fixturesPerStation: 8, devices: 64 },
      { label: '2 stations × 8 fixtures', stations: 2, fixturesPerStation: 8, devices: 96 },
    ];
/** Not recorded: the API's and the stations' first requests (JIT, PGlite caches, connections). */
const WARMUP: LineConfig = { label: 'warm-up', stations: 1, fixturesPerStation: 2, devices: quick ? 4 : 8 };
/** Every line shape runs this many times, shapes interleaved, so the spread between runs shows. */
const ROUNDS = quick ? 1 : 2;
const FLOOR_RUNS = quick ? 2 : 5;
/** One flow per fixture of the largest line. */
const API_FLOWS = 16;
const API_WINDOW_MS = quick ? 2_000 : 6_000;

/** The warm-up, then every shape once per round; the runs of each shape in CONFIGS order. */
async function runLines(stack: LocalStack, dir: string): Promise<LineRun[][]> {
  await runLine(stack, WARMUP, { dir, serialPrefix: 'SN-EW-', stationEnv: STATION_ENV });
  const runs: LineRun[][] = CONFIGS.map(() => []);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [index, config] of CONFIGS.entries()) {
      console.error(`bench:e2e: round ${round}/${ROUNDS}, ${config.label} (${config.devices} devices)…`);
      const serialPrefix = `SN-E${round}${index + 1}-`;
      runs[index]?.push(await runLine(stack, config, { dir, serialPrefix, stationEnv: STATION_ENV }));
    }
  }
  return runs;
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const dir = await mkdtemp(join(tmpdir(), 'ingrain-bench-e2e-'));
  try {
    console.error('bench:e2e: link floor of the sample product’s cycle…');
    const floor = await measureCycleFloor(FLOOR_RUNS);
    console.error('bench:e2e: starting the stack…');
    const stack = await startLocalStack({ dir: join(dir, 'stack'), stationIds: ['st-1', 'st-2'] });
    let runs: LineRun[][];
    let apiLimit: ApiLimit;
    try {
      runs = await runLines(stack, dir);
      console.error(`bench:e2e: the API's own limit (${API_FLOWS} flows, no chips)…`);
      apiLimit = await measureApiLimit(stack, { concurrency: API_FLOWS, warmupMs: 1_000, windowMs: API_WINDOW_MS });
    } finally {
      await stack.close();
    }
    const results: E2eResults = {
      quick,
      floor,
      runs,
      warmup: WARMUP,
      apiLimit,
      stationEnv: STATION_ENV,
      loadBefore,
      loadAfter: loadavg(),
    };
    printReport(results);
    if (args.includes('--markdown')) console.log(`\n${renderSection(results)}`);
    if (!quick && chipPollMs === undefined) recordReport(results);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
