import { type BootloaderClient, type WireStats } from '../bootloader/index.js';
import { type ChipFamily, type DeviceProfile, getProfile } from '../profiles/index.js';
import { deviceMismatch, identifyDevice, readOtpState, readUidHex, wireSince } from './device-io.js';
import { WrongDeviceError } from './errors.js';

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
 *
 * @throws WrongDeviceError (WRONG_DEVICE) for an unknown PID or another family,
 *   (BOOTLOADER_COMMAND_UNSUPPORTED) when the bootloader offers no Read Memory.
 * @throws BootloaderError / TransportError subclasses for link and protocol failures.
 */
export async function readDeviceOtp(client: BootloaderClient, profile?: DeviceProfile): Promise<DeviceReadout> {
  const wireAtStart = client.wireStats;
  await client.connect();
  const identity = await identifyDevice(client);
  const resolved = profile ?? (identity.family === undefined ? undefined : getProfile(identity.family));
  if (resolved === undefined) {
    const pid = `0x${identity.productId.toString(16).padStart(3, '0')}`;
    throw new WrongDeviceError('WRONG_DEVICE', `product ID ${pid} is not a known chip`, identity.productId);
  }
  const mismatch = deviceMismatch(identity, resolved, false);
  if (mismatch !== undefined) throw mismatch;
  const uid = await readUidHex(client, resolved);
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
