import { type BootloaderClient, BootloaderNackError, type WireStats } from '../bootloader/index.js';
import { type ChipFamily, type DeviceProfile, getProfile, lockByteCount, otpSizeBytes } from '../profiles/index.js';
import {
  type DeviceIdentity,
  deviceMismatch,
  type DeviceSnapshot,
  identifyDevice,
  readSnapshot,
  sameIdentity,
  wireSince,
} from './device-io.js';
import { UnconfirmedReadError, WrongDeviceError } from './errors.js';
import { readUnlessProtected } from './protection.js';

/** What `readDeviceOtp` found on a device. */
export interface DeviceReadout {
  readonly family: ChipFamily;
  readonly productId: number;
  readonly bootloaderVersion: number;
  /** Lower-case hex, memory order. */
  readonly uid: string;
  readonly otpData: Uint8Array;
  /** Empty for families without lock bytes. */
  readonly lockBytes: Uint8Array;
  /** Wire traffic of this read. */
  readonly wire: WireStats;
}

/**
 * Reads a device without writing anything: connect, Get + Get ID, UID, OTP data and lock bytes.
 * With `profile`, the chip must belong to its family; without, the family is found from the PID.
 * The bytes are read once (a view for people, not a basis for writing: `runProvisioningCycle`
 * confirms what it acts on); a WRONG_DEVICE verdict is confirmed by asking Get and Get ID again.
 *
 * @throws WrongDeviceError (WRONG_DEVICE) for an unknown PID or another family,
 *   (BOOTLOADER_COMMAND_UNSUPPORTED) when the bootloader offers no Read Memory; both only after
 *   a second Get + Get ID gave the same answers.
 * @throws UnconfirmedReadError (BOOTLOADER_INCONSISTENT_REPLY) when those second answers differ.
 * @throws ReadoutProtectedError when Read Memory is refused twice (readout protection).
 * @throws BootloaderError / TransportError subclasses for link and protocol failures.
 */
export async function readDeviceOtp(client: BootloaderClient, profile?: DeviceProfile): Promise<DeviceReadout> {
  const wireAtStart = client.wireStats;
  await client.connect();
  const identity = await identifyDevice(client);
  const resolved = profile ?? (identity.family === undefined ? undefined : getProfile(identity.family));
  if (resolved === undefined) {
    const pid = `0x${identity.productId.toString(16).padStart(3, '0')}`;
    await confirmIdentity(client, identity);
    throw new WrongDeviceError('WRONG_DEVICE', `product ID ${pid} is not a known chip`, identity.productId);
  }
  const mismatch = deviceMismatch(identity, resolved, false);
  if (mismatch !== undefined) {
    await confirmIdentity(client, identity);
    throw mismatch;
  }
  const { uidHex, state } = await readUnlessProtected(client, resolved, () => readCompactSnapshot(client, resolved));
  return {
    family: resolved.family,
    productId: identity.productId,
    bootloaderVersion: identity.bootloaderVersion,
    uid: uidHex,
    otpData: state.data,
    lockBytes: state.lockBytes,
    wire: wireSince(client, wireAtStart),
  };
}

/** Asks Get and Get ID again; throws BOOTLOADER_INCONSISTENT_REPLY unless the answers are the same. */
async function confirmIdentity(client: BootloaderClient, identity: DeviceIdentity): Promise<void> {
  if (sameIdentity(identity, await identifyDevice(client))) return;
  throw new UnconfirmedReadError(
    'BOOTLOADER_INCONSISTENT_REPLY',
    'two Get / Get ID answers differ: the link corrupts replies; no verdict on the device',
  );
}

/** Clients whose chip refused a read across the lock bytes into the UID (then read apart). */
const refusesCompactRead = new WeakSet<BootloaderClient>();

/**
 * UID, OTP data and lock bytes (see `readSnapshot`) in as few Read Memory commands as the memory
 * map allows: where the UID directly follows the lock bytes (F2/F4: 528 bytes from 0x1FFF7800, UID
 * at 0x1FFF7A10, docs/hardware.md §otp-f2-f4) one ranged read of 540 bytes — 3 commands instead of
 * 4, i.e. 3 round trips fewer per snapshot. Elsewhere, and on a chip that NACKs the address or
 * length of that read (a ROM that will not read across the lock/UID boundary: unconfirmed on
 * silicon), the UID and the OTP are read apart, as `readSnapshot` does. Unconfirmed: read it twice.
 */
export async function readCompactSnapshot(client: BootloaderClient, profile: DeviceProfile): Promise<DeviceSnapshot> {
  const dataBytes = otpSizeBytes(profile);
  const lockBytes = lockByteCount(profile);
  const contiguous =
    profile.lockBaseAddress === profile.otpBaseAddress + dataBytes &&
    profile.uidAddress === profile.otpBaseAddress + dataBytes + lockBytes;
  if (!contiguous || refusesCompactRead.has(client)) return readSnapshot(client, profile);
  let all: Uint8Array;
  try {
    all = await client.readMemory(profile.otpBaseAddress, dataBytes + lockBytes + profile.uidLengthBytes);
  } catch (error) {
    if (!(error instanceof BootloaderNackError) || (error.stage !== 'address' && error.stage !== 'length')) throw error;
    refusesCompactRead.add(client);
    return readSnapshot(client, profile);
  }
  return {
    uidHex: Buffer.from(all.subarray(dataBytes + lockBytes)).toString('hex'),
    state: { data: all.slice(0, dataBytes), lockBytes: all.slice(dataBytes, dataBytes + lockBytes) },
  };
}
