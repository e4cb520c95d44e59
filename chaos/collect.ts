import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectData, type IngrainClient } from '#ingrain/api-client';
import { deviceStateSchema } from '#ingrain/simulator';
import { exportBundles, listAttestations, runVerifier } from '../testkit/stack/index.js';
import { type ChipEvidence, type DeviceEvidence, type LogEntryEvidence, type RunEvidence } from './evidence.js';
import { type ChaosLine } from './line.js';
import { type ChaosMes } from './mes.js';

/** The sample layout's serial field (examples/layouts/sensor-node.yaml: block 0, offset 0, 16 bytes). */
const SERIAL_FIELD = { offsetBytes: 0, lengthBytes: 16 };

/** Reads the evidence once the line has settled: every device, every chip's state file, the log. */
export async function collectEvidence(line: ChaosLine, mes: ChaosMes): Promise<RunEvidence> {
  const client = line.client(line.catalog.mesToken);
  const devices: DeviceEvidence[] = [];
  for (const ordered of mes.devices)
    if (ordered.deviceId !== undefined) devices.push(await readDevice(client, ordered.deviceId));
  const chips = (await Promise.all(line.stations.map((station) => readChips(station.sim.stateDir)))).flat();
  return {
    devices,
    unansweredOrders: mes.devices.filter((device) => device.deviceId === undefined).map((device) => device.serial),
    chips,
    log: await readLog(line, mes.workOrderId),
    serialField: SERIAL_FIELD,
  };
}

async function readDevice(client: IngrainClient, id: string): Promise<DeviceEvidence> {
  const device = expectData(await client.GET('/v1/devices/{id}', { params: { path: { id } } }));
  return {
    id: device.id,
    serial: device.serial,
    state: device.state,
    chipUid: device.chipUid,
    attestationLeafIndex: device.attestationLeafIndex,
    lockedBlocks: device.lockedBlocks,
    history: device.history.map((entry) => ({ toState: entry.toState, reason: entry.reason, chipUid: entry.chipUid })),
  };
}

/** Released chips (`released/<bin>/<uid>.json`) and the chips still in the fixtures (`<family>-<i>.json`). */
async function readChips(stateDir: string): Promise<ChipEvidence[]> {
  const chips: ChipEvidence[] = [];
  const parse = async (path: string, where: ChipEvidence['where']) => {
    const state = deviceStateSchema.parse(JSON.parse(await readFile(path, 'utf8')));
    chips.push({ ...state, where });
  };
  for (const name of await readdir(stateDir)) if (name.endsWith('.json')) await parse(join(stateDir, name), 'fixture');
  for (const bin of ['done', 'quarantine'] as const) {
    const directory = join(stateDir, 'released', bin);
    for (const name of await readdir(directory).catch(() => [] as string[]))
      if (name.endsWith('.json')) await parse(join(directory, name), bin);
  }
  return chips;
}

/**
 * Every attestation of the work order, each bundle exported to its own file and checked by the
 * offline verifier as an auditor would (a failing bundle is named by its file: `leaf-<n>.jsonl`).
 */
async function readLog(line: ChaosLine, workOrderId: string): Promise<LogEntryEvidence[]> {
  const auditor = line.client(line.catalog.auditorToken);
  const attestations = await listAttestations(auditor, workOrderId);
  const directory = join(line.dir, 'bundles');
  await mkdir(directory, { recursive: true });
  const paths: string[] = [];
  for (const { leafIndex } of attestations) {
    const path = join(directory, `leaf-${leafIndex}.jsonl`);
    await exportBundles(auditor, [leafIndex], path);
    paths.push(path);
  }
  const verdict =
    paths.length === 0
      ? undefined
      : await runVerifier(paths, { publicKeysDir: line.hsm.publicKeysDir, origin: line.logOrigin });
  const failed = new Set(
    (verdict?.bundles ?? [])
      .filter((bundle) => bundle.ok !== true)
      .map((bundle) => Number(/leaf-(\d+)\.jsonl/.exec(bundle.source)?.[1])),
  );
  const allChecked = verdict?.total === attestations.length && verdict.failed === failed.size;
  return attestations.map((entry) => ({
    leafIndex: entry.leafIndex,
    deviceId: entry.deviceId,
    chipUid: entry.chipUid,
    verified: allChecked && !failed.has(entry.leafIndex),
  }));
}
