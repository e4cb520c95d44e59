// One bench:e2e configuration on the shared stack: S stations × F fixtures, each station with its own
// simulator process (115200-baud wire timing, feeder mode) and release directory; a fresh work order
// ordered up-front as an MES would; every device provisioned and attested; then the stations and
// simulators stop, so the next configuration starts from an empty line.
import { join } from 'node:path';
import {
  listAttestations,
  orderDevices,
  settledReleases,
  startSimProcess,
  waitForWorkOrder,
  type LocalStack,
  type SimProcess,
  type StationEvent,
  type WorkOrderCounts,
} from '../../testkit/stack/index.js';
import { cpuSnapshot, cpuUsage, type CpuUsage } from './e2e-cpu.js';
import { LINK_BAUD_RATE } from './link-floor.js';

/** A line shape and the size of its work order. */
export interface LineConfig {
  readonly label: string;
  readonly stations: number;
  readonly fixturesPerStation: number;
  readonly devices: number;
}

export const fixturesOf = (config: LineConfig): number => config.stations * config.fixturesPerStation;

/** What one configuration's run measured. */
export interface LineRun {
  readonly config: LineConfig;
  readonly workOrderId: string;
  readonly counts: WorkOrderCounts;
  /** Date.now() just before the first device request. */
  readonly firstRequestAtMs: number;
  /** Date.now() once the MES had every device's answer. */
  readonly orderedAtMs: number;
  /** When each device's attestation was logged (the API's clock, same machine), ascending. */
  readonly attestedAtMs: readonly number[];
  /** Every station's JSON log lines of this run. */
  readonly events: readonly StationEvent[];
  /** From the first request until the work order was seen finished. */
  readonly cpu: CpuUsage;
  /** Chips released to `done` and their count of bytes programmed against the rules (must be 0). */
  readonly releasedDone: number;
  readonly releasedOther: number;
  readonly damagedBytes: number;
}

export interface LineRunOptions {
  /** Scratch directory of this run (release directories). */
  readonly dir: string;
  /** Serial prefix (≤ 10 characters: serial is 16 ASCII bytes in the layout with 6 digits). */
  readonly serialPrefix: string;
  /** More station environment (e.g. INGRAIN_CHIP_POLL_MS). */
  readonly stationEnv?: Readonly<Record<string, string>>;
}

/** How long the feeders may take to archive the last chips after their devices were reported. */
const RELEASE_SETTLE_MS = 10_000;

/** Per-device budget for waiting on the work order (generous: a run that stalls fails, it does not hang). */
const TIMEOUT_PER_DEVICE_MS = 3_000;

async function startSims(
  config: LineConfig,
  options: LineRunOptions,
): Promise<{ sim: SimProcess; releaseDir: string }[]> {
  const sims: { sim: SimProcess; releaseDir: string }[] = [];
  try {
    for (let index = 0; index < config.stations; index++) {
      // One release directory per simulator: each feeder deletes every request it reads.
      const releaseDir = join(options.dir, `release-${options.serialPrefix}${index + 1}`);
      const sim = await startSimProcess({
        family: 'stm32f4',
        count: config.fixturesPerStation,
        baudTiming: LINK_BAUD_RATE,
        feeder: { releaseDir },
      });
      sims.push({ sim, releaseDir });
    }
    return sims;
  } catch (error) {
    await Promise.all(sims.map(({ sim }) => sim.stop()));
    throw error;
  }
}

/**
 * Runs `config` on `stack`: stations `st-1`… must be registered. Throws when a device does not end
 * provisioned with one attestation, or a released chip holds a byte programmed against the rules.
 */
export async function runLine(stack: LocalStack, config: LineConfig, options: LineRunOptions): Promise<LineRun> {
  const sims = await startSims(config, options);
  const stationIds = sims.map((_, index) => `st-${index + 1}`);
  try {
    const stations = await Promise.all(
      sims.map(({ sim, releaseDir }, index) =>
        stack.startStation(
          stationIds[index]!,
          sim.devices.map((device) => device.port),
          { releaseDir, env: options.stationEnv },
        ),
      ),
    );
    const run = await orderAndWait(stack, config, options.serialPrefix);
    const released = await settledReleases(
      sims.map(({ sim }) => sim),
      config.devices,
      RELEASE_SETTLE_MS,
    );
    const result: LineRun = {
      ...run,
      events: stations.flatMap((station) => station.events),
      releasedDone: released.filter((chip) => chip.bin === 'done').length,
      releasedOther: released.filter((chip) => chip.bin !== 'done').length,
      damagedBytes: released.reduce((sum, chip) => sum + chip.damaged.length, 0),
    };
    assertClean(result);
    return result;
  } finally {
    const started = stationIds.map((id) => stack.stations.get(id)).filter((station) => station !== undefined);
    await Promise.all(started.map((station) => station.stop()));
    await Promise.all(sims.map(({ sim }) => sim.stop()));
  }
}

type OrderedRun = Pick<
  LineRun,
  'config' | 'workOrderId' | 'counts' | 'firstRequestAtMs' | 'orderedAtMs' | 'attestedAtMs' | 'cpu'
>;

async function orderAndWait(stack: LocalStack, config: LineConfig, serialPrefix: string): Promise<OrderedRun> {
  const mes = stack.client(stack.catalog.mesToken);
  const before = cpuSnapshot();
  const firstRequestAtMs = Date.now();
  const { workOrderId } = await orderDevices(mes, {
    productId: stack.catalog.productId,
    quantity: config.devices,
    serialPrefix,
  });
  const orderedAtMs = Date.now();
  const counts = await waitForWorkOrder(mes, workOrderId, {
    timeoutMs: 60_000 + config.devices * TIMEOUT_PER_DEVICE_MS,
  });
  const cpu = cpuUsage(before, cpuSnapshot(), Date.now() - firstRequestAtMs);
  const attestations = await listAttestations(stack.client(stack.catalog.auditorToken), workOrderId);
  const attestedAtMs = attestations.map((entry) => Date.parse(entry.createdAt)).sort((a, b) => a - b);
  return { config, workOrderId, counts, firstRequestAtMs, orderedAtMs, attestedAtMs, cpu };
}

function assertClean(run: LineRun): void {
  const { config, counts } = run;
  const problems: string[] = [];
  if (counts.provisioned !== config.devices)
    problems.push(`provisioned ${counts.provisioned}: ${JSON.stringify(counts)}`);
  if (run.attestedAtMs.length !== config.devices) problems.push(`${run.attestedAtMs.length} attestations`);
  if (run.releasedDone < config.devices || run.releasedOther > 0)
    problems.push(`released ${run.releasedDone} done, ${run.releasedOther} elsewhere`);
  if (run.damagedBytes > 0) problems.push(`${run.damagedBytes} byte(s) programmed against the rules`);
  if (problems.length > 0) throw new Error(`${config.label}: ${problems.join('; ')}`);
}
