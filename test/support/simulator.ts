import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RawBootloaderHost,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../../apps/simulator/src/index.js';

export {
  HostTimeoutError,
  RawBootloaderHost,
  SimulatedDevice,
  SimulatorError,
  startSimulator,
} from '../../apps/simulator/src/index.js';
export type { FaultPlan, SimulatedDeviceHandle, Simulator, SimulatorOptions } from '../../apps/simulator/src/index.js';

/** Simulated devices started for one test file, with their own state directory. */
export interface TestSimulator extends Simulator {
  /** The state directory (a fresh temp dir unless one was given). */
  readonly stateDir: string;
  /** Closes the devices, then removes the temp state dir if this helper created it. */
  close(): Promise<void>;
}

/**
 * Starts simulated devices over real ptys for a test. Each call gets its own pty pairs and, unless
 * `stateDir` is given, its own temp state directory. Always `close()` it (e.g. in `after`).
 */
export async function startTestSimulator(options: SimulatorOptions): Promise<TestSimulator> {
  const ownsStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'ingrain-sim-test-')));
  let simulator: Simulator;
  try {
    simulator = await startSimulator({ ...options, stateDir });
  } catch (error) {
    if (ownsStateDir) await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
  return {
    devices: simulator.devices,
    feeder: simulator.feeder,
    stateDir,
    close: async () => {
      await simulator.close();
      if (ownsStateDir) await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Opens a raw AN3155 host on a simulated device's pty; close it before the simulator. */
export function openRawHost(port: string): Promise<RawBootloaderHost> {
  return RawBootloaderHost.open(port);
}
