import { type BootloaderClient, type WireStats } from '../bootloader/index.js';
import { type ChipFamily, type DeviceProfile, getProfile } from '../profiles/index.js';
import {
  type DeviceIdentity,
  deviceMismatch,
  identifyDevice,
  readOtpState,
  readUidHex,
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
  const uid = await readUnlessProtected(client, resolved, () => readUidHex(client, resolved));
  const state = await readOtpState(client, resolved);
  return {
    family: resolved.family,
    productId: identity.productId,
    bootloaderVersion: identity.bootloaderVersion,
    uid,
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
