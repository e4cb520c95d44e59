import { expectData, type components, type IngrainClient } from '#ingrain/api-client';
import { type ReleasedChipFile, type StationProcess } from '../../testkit/stack/index.js';

type DeviceSummary = components['schemas']['DeviceSummary'];

/** What one station did, from the API's devices and the station's own log. */
export interface StationTally {
  readonly id: string;
  readonly fixtures: number;
  readonly provisioned: number;
  /** Its devices the API holds as quarantined or scrapped. */
  readonly failed: number;
  /** `chip-finished` log lines: chips it took through a cycle. */
  readonly chips: number;
  /** `job-failed` log lines: attempts that ended in an error (a link error is retried; the cycle resumes). */
  readonly failedAttempts: number;
  /** Mean cycle time (read, write, verify, lock) per chip; undefined without chips. */
  readonly meanCycleMs: number | undefined;
}

/** The chips the simulator's feeder took out of the fixtures, per bin the station chose. */
export interface BinTally {
  readonly bin: string;
  readonly chips: number;
  /** OTP data bytes that are no longer blank (0xFF). */
  readonly programmedBytes: number;
  /** Lock bytes at 0x00. */
  readonly lockedBlocks: number;
  /** Bytes programmed against the OTP rules (twice, illegal lock value): must be 0. */
  readonly damagedBytes: number;
}

/** Every device of a work order (all pages, oldest first). */
export async function listDevices(mes: IngrainClient, workOrderId: string): Promise<DeviceSummary[]> {
  const limit = 100;
  const devices: DeviceSummary[] = [];
  for (let offset = 0; ; offset += limit) {
    const page = expectData(await mes.GET('/v1/devices', { params: { query: { workOrderId, offset, limit } } }));
    devices.push(...page.devices);
    if (page.devices.length < limit) return devices;
  }
}

/** Devices per state, in the order of the state machine. */
export function devicesByState(devices: readonly DeviceSummary[]): [string, number][] {
  const states = ['provisioned', 'quarantined', 'scrapped', 'claimed', 'queued'] as const;
  return states.map((state) => [state, devices.filter((device) => device.state === state).length]);
}

/** Per station: its devices' final states (from the API) and its `chip-finished` log lines. */
export function tallyStations(
  stations: Iterable<Pick<StationProcess, 'id' | 'fixtures' | 'named'>>,
  devices: readonly DeviceSummary[],
): StationTally[] {
  return [...stations].map((station) => {
    const own = devices.filter((device) => device.stationId === station.id);
    const chips = station.named('chip-finished');
    const sum = (field: string) => chips.reduce((total, chip) => total + numberField(chip, field), 0);
    return {
      id: station.id,
      fixtures: station.fixtures.length,
      provisioned: own.filter((device) => device.state === 'provisioned').length,
      failed: own.filter((device) => device.state === 'quarantined' || device.state === 'scrapped').length,
      chips: chips.length,
      failedAttempts: station.named('job-failed').length,
      meanCycleMs: chips.length === 0 ? undefined : sum('totalMs') / chips.length,
    };
  });
}

/** Per bin, sorted by name: chips, bytes no longer blank, locked blocks, bytes programmed against the rules. */
export function tallyBins(released: readonly ReleasedChipFile[]): BinTally[] {
  const bins = [...new Set(released.map((chip) => chip.bin))].sort();
  return bins.map((bin) => {
    const chips = released.filter((chip) => chip.bin === bin);
    const count = (hexOf: (chip: ReleasedChipFile) => string, byte: string, equal: boolean) =>
      chips.reduce((total, chip) => total + hexBytes(hexOf(chip)).filter((b) => (b === byte) === equal).length, 0);
    return {
      bin,
      chips: chips.length,
      programmedBytes: count((chip) => chip.dataHex, 'ff', false),
      lockedBlocks: count((chip) => chip.lockBytesHex, '00', true),
      damagedBytes: chips.reduce((total, chip) => total + chip.damaged.length, 0),
    };
  });
}

function hexBytes(hex: string): string[] {
  return hex.toLowerCase().match(/../g) ?? [];
}

function numberField(entry: Readonly<Record<string, unknown>>, field: string): number {
  const value = entry[field];
  return typeof value === 'number' ? value : 0;
}
