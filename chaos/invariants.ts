import { reprogrammedBytes } from '#ingrain/simulator';
import { type ChipEvidence, type DeviceEvidence, type RunEvidence } from './evidence.js';

/** The invariants a chaos run must keep, each a count that must be 0. */
export const INVARIANTS = [
  'devices lost',
  'identities on two chips',
  'chips with two identities',
  'attestations missing from the log',
  'attestations duplicated',
  'bytes programmed twice',
  'lock bytes other than 0x00/0xFF',
  'devices stuck',
  'blank chips written against their image',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface InvariantResult {
  readonly name: InvariantName;
  readonly count: number;
  /** One line per violation (what and where). */
  readonly details: readonly string[];
}

const BLANK = 0xff;
const LOCKED = 0x00;

/**
 * Checks a run's evidence. A device is lost when it is neither stuck (queued, claimed) nor
 * provisioned on a chip that holds its serial with its blocks locked, nor quarantined with a reason;
 * an identity is on two chips when its serial lies on two chips or its history names two; a chip has
 * two identities when two devices were bound to it or it holds another device's serial; every
 * provisioned device has exactly one attestation in the log whose bundle verifies; no OTP byte was
 * programmed twice (the simulator's counts and its damage records); every lock byte is 0x00 or 0xFF;
 * no chip (all fed blank) ends in conflict with its device's image (a byte the line wrote that the
 * image does not hold: `station-conflict` in the device's history).
 */
export function checkInvariants(evidence: RunEvidence): InvariantResult[] {
  const chipsByUid = new Map(evidence.chips.map((chip) => [chip.uidHex, chip]));
  const serialsOnChips = new Map<string, string[]>();
  for (const chip of evidence.chips) {
    const serial = serialOf(chip, evidence.serialField);
    if (serial !== undefined) serialsOnChips.set(serial, [...(serialsOnChips.get(serial) ?? []), chip.uidHex]);
  }
  const results: Record<InvariantName, string[]> = {
    'devices lost': evidence.unansweredOrders.map((serial) => `${serial}: ordered, never answered with a device`),
    'identities on two chips': [],
    'chips with two identities': [],
    'attestations missing from the log': [],
    'attestations duplicated': [],
    'bytes programmed twice': [],
    'lock bytes other than 0x00/0xFF': [],
    'devices stuck': [],
    'blank chips written against their image': [],
  };
  const devicesOfChip = new Map<string, Set<string>>();
  const bind = (chipUid: string, deviceId: string) =>
    devicesOfChip.set(chipUid, (devicesOfChip.get(chipUid) ?? new Set()).add(deviceId));
  const bySerial = new Map(evidence.devices.map((device) => [device.serial, device]));
  for (const [serial, uids] of serialsOnChips) {
    const device = bySerial.get(serial);
    for (const uid of uids) bind(uid, device?.id ?? `serial ${serial}`);
  }
  for (const device of evidence.devices) {
    const lost = whyLost(device, chipsByUid, evidence.serialField);
    if (lost !== undefined) results['devices lost'].push(`${device.serial} (${device.id}): ${lost}`);
    if (device.state === 'queued' || device.state === 'claimed')
      results['devices stuck'].push(`${device.serial} (${device.id}): still ${device.state}`);
    // Every chip of a chaos run comes blank from the feeder: a conflict is damage the line did itself.
    const conflict = device.history.find((entry) => entry.reason === 'station-conflict');
    if (conflict !== undefined)
      results['blank chips written against their image'].push(
        `${device.serial}: chip ${conflict.chipUid ?? '?'} holds bytes its image does not`,
      );
    const chips = new Set<string>(serialsOnChips.get(device.serial) ?? []);
    for (const uid of chipUidsOf(device)) {
      chips.add(uid);
      bind(uid, device.id);
    }
    if (chips.size > 1) results['identities on two chips'].push(`${device.serial}: on chips ${[...chips].join(', ')}`);
  }
  for (const [uid, devices] of devicesOfChip)
    if (devices.size > 1) results['chips with two identities'].push(`chip ${uid}: ${[...devices].join(', ')}`);
  checkLog(evidence, results);
  for (const chip of evidence.chips) checkChip(chip, results);
  return INVARIANTS.map((name) => ({ name, count: results[name].length, details: results[name] }));
}

function checkLog(evidence: RunEvidence, results: Record<InvariantName, string[]>): void {
  const entries = new Map<string, typeof evidence.log>();
  for (const entry of evidence.log) entries.set(entry.deviceId, [...(entries.get(entry.deviceId) ?? []), entry]);
  for (const device of evidence.devices) {
    const found = entries.get(device.id) ?? [];
    if (found.length > 1)
      results['attestations duplicated'].push(`${device.serial}: leaves ${found.map((e) => e.leafIndex).join(', ')}`);
    if (device.state !== 'provisioned') {
      if (found.length > 0) results['attestations duplicated'].push(`${device.serial}: attested while ${device.state}`);
      continue;
    }
    const own = found.find((entry) => entry.leafIndex === device.attestationLeafIndex);
    if (own === undefined)
      results['attestations missing from the log'].push(
        `${device.serial}: leaf ${device.attestationLeafIndex ?? 'none'} not in the log`,
      );
    else if (!own.verified)
      results['attestations missing from the log'].push(`${device.serial}: leaf ${own.leafIndex} does not verify`);
    else if (own.chipUid !== device.chipUid)
      results['attestations missing from the log'].push(
        `${device.serial}: leaf ${own.leafIndex} names chip ${own.chipUid}`,
      );
  }
}

function checkChip(chip: ChipEvidence, results: Record<InvariantName, string[]>): void {
  const twice = new Set<string>();
  for (const byte of chip.programCounts === undefined ? [] : reprogrammedBytes(chip.programCounts))
    twice.add(`${byte.area} ${byte.offsetBytes}`);
  for (const damage of chip.damaged)
    if (damage.reason !== 'illegal-lock-value') twice.add(`${damage.area} ${damage.offsetBytes}`);
  for (const where of twice) results['bytes programmed twice'].push(`chip ${chip.uidHex}: ${where}`);
  const illegal = new Set<number>();
  bytes(chip.lockBytesHex).forEach((value, offset) => {
    if (value !== BLANK && value !== LOCKED) illegal.add(offset);
  });
  for (const damage of chip.damaged) if (damage.reason === 'illegal-lock-value') illegal.add(damage.offsetBytes);
  for (const offset of illegal)
    results['lock bytes other than 0x00/0xFF'].push(`chip ${chip.uidHex}: lock byte ${offset}`);
}

function whyLost(
  device: DeviceEvidence,
  chips: ReadonlyMap<string, ChipEvidence>,
  serialField: RunEvidence['serialField'],
): string | undefined {
  switch (device.state) {
    case 'queued':
    case 'claimed':
      return undefined; // stuck, counted there
    case 'scrapped':
      return 'scrapped';
    case 'quarantined': {
      const reason = device.history.findLast((entry) => entry.toState === 'quarantined')?.reason;
      return reason === null || reason === undefined || reason.trim() === ''
        ? 'quarantined without a reason'
        : undefined;
    }
    case 'provisioned': {
      const chip = device.chipUid === null ? undefined : chips.get(device.chipUid);
      if (chip === undefined) return `provisioned, but its chip ${device.chipUid ?? '(none)'} is nowhere`;
      if (serialOf(chip, serialField) !== device.serial)
        return `provisioned, but chip ${chip.uidHex} holds another serial`;
      const locks = bytes(chip.lockBytesHex);
      const open = device.lockedBlocks.filter((block) => locks[block] !== LOCKED);
      return open.length > 0
        ? `provisioned, but blocks ${open.join(', ')} of chip ${chip.uidHex} are not locked`
        : undefined;
    }
  }
}

/** Every chip the device's history or its current binding names. */
function chipUidsOf(device: DeviceEvidence): Set<string> {
  const uids = new Set<string>();
  if (device.chipUid !== null) uids.add(device.chipUid);
  for (const entry of device.history) if (entry.chipUid !== null) uids.add(entry.chipUid);
  return uids;
}

/** The serial a chip holds (ASCII up to the first 0x00/0xFF), undefined when blank or not text. */
export function serialOf(chip: ChipEvidence, field: RunEvidence['serialField']): string | undefined {
  const raw = bytes(chip.dataHex).subarray(field.offsetBytes, field.offsetBytes + field.lengthBytes);
  const end = raw.findIndex((byte) => byte === 0x00 || byte === BLANK);
  const text = raw.subarray(0, end === -1 ? raw.length : end);
  if (text.length === 0 || text.some((byte) => byte < 0x20 || byte > 0x7e)) return undefined;
  return Buffer.from(text).toString('ascii');
}

function bytes(hexText: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hexText, 'hex'));
}
