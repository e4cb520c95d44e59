import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil, spawnLines, type LineProcess } from './child-process.js';
import { binPath } from '../paths.js';

/** A device line printed by ingrain-sim at start-up. */
export interface SimDevice {
  readonly port: string;
  readonly family: string;
  readonly uid: string;
  /** With `lineControl`: the fixture's control socket (the station's `simControl`). */
  readonly lineControl?: string;
}

/** A chip the feeder took out of a fixture, as archived under `<stateDir>/released/<bin>/<uid>.json`. */
export interface ReleasedChipFile {
  readonly bin: string;
  readonly uidHex: string;
  readonly dataHex: string;
  readonly lockBytesHex: string;
  /** Bytes programmed against the rules (e.g. twice): must stay empty. */
  readonly damaged: readonly unknown[];
}

export interface SimProcessOptions {
  readonly family: string;
  readonly count: number;
  /** Wire timing (e.g. 115200) or undefined for none. */
  readonly baudTiming?: number;
  /** With `baudTiming`: a USB adapter's latency per transfer, in ms (`--latency-ms`). */
  readonly latencyMs?: number;
  /** Feeder mode: the directory the stations' release requests go to; chips per fixture. */
  readonly feeder?: { readonly releaseDir: string; readonly chipsPerFixture?: number };
  /** `--fault NAME=N` flags. */
  readonly faults?: readonly string[];
  readonly onLine?: (line: string) => void;
  /** Model BOOT0/NRST: `--line-control DIR` (one socket per fixture), `--app-banner TEXT`. */
  readonly lineControl?: { readonly dir: string; readonly banner?: string };
}

/** `bin/ingrain-sim` in its own process (so that its wire timing is not disturbed by the host under test). */
export interface SimProcess {
  readonly devices: readonly SimDevice[];
  /** Where chips are saved; released ones under released/<bin>/. */
  readonly stateDir: string;
  /** Every chip the feeder released so far. */
  releasedChips(): Promise<ReleasedChipFile[]>;
  /** SIGUSR1: power-cycles every device (OTP kept). */
  powerCycle(): void;
  stop(): Promise<void>;
}

/** Starts simulated devices and waits for their JSON lines. */
export async function startSimProcess(options: SimProcessOptions): Promise<SimProcess> {
  const stateDir = await mkdtemp(join(tmpdir(), 'ingrain-sim-'));
  const process_ = spawnLines(process.execPath, [binPath('ingrain-sim'), ...simArgs(options, stateDir)], {
    onLine: options.onLine,
  });
  let devices: SimDevice[];
  try {
    devices = await readDevices(process_, options.count);
  } catch (error) {
    await process_.stop();
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
  return {
    devices,
    stateDir,
    releasedChips: () => readReleased(join(stateDir, 'released')),
    powerCycle: () => process_.child.kill('SIGUSR1'),
    stop: async () => {
      await process_.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

function simArgs(options: SimProcessOptions, stateDir: string): string[] {
  const args = ['--family', options.family, '--count', String(options.count), '--state-dir', stateDir];
  if (options.baudTiming !== undefined) args.push('--baud-timing', String(options.baudTiming));
  if (options.latencyMs !== undefined) args.push('--latency-ms', String(options.latencyMs));
  for (const fault of options.faults ?? []) args.push('--fault', fault);
  if (options.lineControl !== undefined) {
    args.push('--line-control', options.lineControl.dir);
    if (options.lineControl.banner !== undefined) args.push('--app-banner', options.lineControl.banner);
  }
  if (options.feeder !== undefined) {
    args.push('--feeder', '--release-dir', options.feeder.releaseDir);
    if (options.feeder.chipsPerFixture !== undefined)
      args.push('--chips-per-fixture', String(options.feeder.chipsPerFixture));
  }
  return args;
}

function readDevices(process_: LineProcess, count: number): Promise<SimDevice[]> {
  const parse = (line: string): SimDevice | undefined => {
    if (!line.startsWith('{')) return undefined;
    const value = JSON.parse(line) as Partial<SimDevice>;
    return typeof value.port === 'string' ? (value as SimDevice) : undefined;
  };
  return pollUntil(
    'ingrain-sim devices',
    () => {
      const devices = process_.lines.map(parse).filter((device) => device !== undefined);
      return devices.length >= count ? devices.slice(0, count) : undefined;
    },
    {
      timeoutMs: 30_000,
      intervalMs: 20,
      abort: () => (process_.child.exitCode === null ? undefined : `exited: ${process_.lines.slice(-3).join(' | ')}`),
    },
  );
}

/**
 * Every chip the simulators' feeders released, once `expected` of them are archived (a chip's
 * release follows its device's report, so the last ones land just after the work order is seen
 * finished), or what there is after `timeoutMs`.
 */
export async function settledReleases(
  sims: readonly SimProcess[],
  expected: number,
  timeoutMs: number,
): Promise<ReleasedChipFile[]> {
  const all = async () => (await Promise.all(sims.map((sim) => sim.releasedChips()))).flat();
  const enough = async () => {
    const chips = await all();
    return chips.length >= expected ? chips : undefined;
  };
  return pollUntil('released chips', enough, { timeoutMs, intervalMs: 100 }).catch(all);
}

async function readReleased(directory: string): Promise<ReleasedChipFile[]> {
  const bins = await readdir(directory).catch(() => [] as string[]);
  const chips: ReleasedChipFile[] = [];
  for (const bin of bins) {
    for (const name of await readdir(join(directory, bin))) {
      if (!name.endsWith('.json')) continue;
      const state = JSON.parse(await readFile(join(directory, bin, name), 'utf8')) as Omit<ReleasedChipFile, 'bin'>;
      chips.push({ ...state, bin });
    }
  }
  return chips;
}
