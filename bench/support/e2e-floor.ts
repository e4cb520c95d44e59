// The link floor of the work bench:e2e's stations do per device: the sample product's image
// (examples/layouts/sensor-node.yaml, as the API renders it for one device) written by the same
// cycle on fresh simulated chips at 115200-baud wire timing, without queue or API — once bare (as
// bench:link does) and once as a station fixture does it (probe the chip, then the cycle on the same
// open port), so that the station's own link overhead shows apart from the rest of the flow.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CycleResult,
  encodeImage,
  getProfile,
  parseLayout,
  runProvisioningCycle,
  type OtpImage,
} from '#ingrain/otp';
import { Fixture } from '../../apps/station/src/worker/fixture/fixture.js';
import { REPO_ROOT, sampleInputs, SAMPLE_PRODUCT, startSimProcess } from '../../testkit/stack/index.js';
import { LINK_BAUD_RATE, timedCycle, type TimedCycle, wireFloorMs } from './link-floor.js';
import { median } from './stats.js';

/** One device's image of the sample product; the generated fields get random bytes, as the HSM would. */
export async function sampleProductImage(): Promise<OtpImage> {
  const layoutPath = join(REPO_ROOT, 'examples', 'layouts', SAMPLE_PRODUCT.layoutFile);
  const layout = parseLayout(await readFile(layoutPath, 'utf8'));
  const values = { ...sampleInputs('SN-FLOOR-000001', 0), pubkey_hash: randomBytes(32), pairing_key: randomBytes(16) };
  return encodeImage(layout, values);
}

/** The sample product's cycle on one chip: its link floor and what it takes bare and at a station fixture. */
export interface CycleFloor {
  /** Median wire floor of the measured bare cycles (wire bytes + programming time), ms. */
  readonly floorMs: number;
  /** Median wall time of the bare cycle over the pty (host + relay + simulator), ms. */
  readonly bareCycleMs: number;
  /** Median wall time of the station fixture's probe (sync, Get ID ×2, UID ×2) of a new chip, ms. */
  readonly stationProbeMs: number;
  /** Median wall time of the cycle right after that probe, on the same open port, ms. */
  readonly stationCycleMs: number;
  /** Median connect phase of the cycle: bare (a fresh chip) and after the probe (already synchronised). */
  readonly bareConnectMs: number;
  readonly stationConnectMs: number;
  readonly runs: number;
  /** One bare cycle's traffic, for the report. */
  readonly sample: CycleResult;
}

interface StationCycle {
  readonly probeMs: number;
  readonly cycleMs: number;
  readonly result: CycleResult;
}

/** What a station fixture does with a new chip, minus queue and API: wait for it (probe), then the cycle. */
async function stationCycle(port: string, target: OtpImage): Promise<StationCycle> {
  const fixture = new Fixture({
    port,
    baudRate: LINK_BAUD_RATE,
    control: { release: () => Promise.resolve() },
    log: { write: () => undefined },
    pollMs: 250,
  });
  try {
    const start = performance.now();
    await fixture.waitForChip(new AbortController().signal);
    const probed = performance.now();
    const profile = getProfile(target.family);
    const result = await fixture.withClient((client) => runProvisioningCycle(client, { profile, target }));
    if (result.outcome !== 'provisioned') throw new Error(`station cycle on ${port}: ${result.outcome}`);
    return { probeMs: probed - start, cycleMs: performance.now() - probed, result };
  } finally {
    await fixture.close();
  }
}

/**
 * Runs `runs` bare cycles and `runs` station-fixture cycles of the sample product's image,
 * alternating, after one warm-up of each, on fresh blank chips of a simulator process with
 * 115200-baud wire timing, one at a time.
 */
export async function measureCycleFloor(runs: number): Promise<CycleFloor> {
  const target = await sampleProductImage();
  const sim = await startSimProcess({ family: 'stm32f4', count: 2 * (runs + 1), baudTiming: LINK_BAUD_RATE });
  try {
    const bare: TimedCycle[] = [];
    const station: StationCycle[] = [];
    for (let run = 0; run <= runs; run++) {
      const [first, second] = [sim.devices[2 * run], sim.devices[2 * run + 1]];
      if (first === undefined || second === undefined) throw new Error('too few simulated chips');
      const cycle = await timedCycle(first.port, target);
      const atFixture = await stationCycle(second.port, target);
      if (run === 0) continue; // warm-up
      bare.push(cycle);
      station.push(atFixture);
    }
    const sample = bare[0]?.result;
    if (sample === undefined) throw new Error('measureCycleFloor needs runs ≥ 1');
    return {
      floorMs: median(bare.map((cycle) => wireFloorMs(cycle.result))),
      bareCycleMs: median(bare.map((cycle) => cycle.ms)),
      stationProbeMs: median(station.map((cycle) => cycle.probeMs)),
      stationCycleMs: median(station.map((cycle) => cycle.cycleMs)),
      bareConnectMs: median(bare.map((cycle) => cycle.result.durationsMs.connect)),
      stationConnectMs: median(station.map((cycle) => cycle.result.durationsMs.connect)),
      runs,
      sample,
    };
  } finally {
    target.data.fill(0);
    await sim.stop();
  }
}
