import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { binPath } from '../../test/support/paths.js';

export interface SimDevice {
  readonly port: string;
  readonly family: string;
  readonly uid: string;
}

/** `bin/ingrain-sim` in its own process (so its wire timing is not disturbed by the host under test). */
export interface SimProcess {
  readonly devices: readonly SimDevice[];
  stop(): Promise<void>;
}

/** Starts `count` simulated devices with wire timing and waits for their JSON lines. */
export async function startSimProcess(family: string, count: number, baudTiming: number): Promise<SimProcess> {
  const stateDir = await mkdtemp(join(tmpdir(), 'ingrain-bench-sim-'));
  const child = spawn(
    process.execPath,
    [
      binPath('ingrain-sim'),
      '--family',
      family,
      '--count',
      String(count),
      '--baud-timing',
      String(baudTiming),
      '--state-dir',
      stateDir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const devices = await readDeviceLines(child, count);
  return {
    devices,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

function readDeviceLines(child: ChildProcess, count: number): Promise<SimDevice[]> {
  return new Promise((resolve, reject) => {
    const devices: SimDevice[] = [];
    const lines = createInterface({ input: child.stdout! });
    child.once('exit', (code) => reject(new Error(`ingrain-sim exited early (${code})`)));
    lines.on('line', (line) => {
      devices.push(JSON.parse(line) as SimDevice);
      if (devices.length === count) resolve(devices);
    });
  });
}
