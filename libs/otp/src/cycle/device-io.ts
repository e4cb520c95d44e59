import { type BootloaderClient, Opcode, type WireStats } from '../bootloader/index.js';
import { type OtpState } from '../image/otp-image.js';
import {
  type ChipFamily,
  type DeviceProfile,
  findProfileByProductId,
  lockByteCount,
  otpSizeBytes,
} from '../profiles/index.js';
import { WrongDeviceError } from './errors.js';

/** What Get and Get ID say about the connected chip. */
export interface DeviceIdentity {
  readonly productId: number;
  /** Family of the PID (findProfileByProductId), undefined for an unknown chip. */
  readonly family: ChipFamily | undefined;
  readonly bootloaderVersion: number;
  readonly commands: readonly number[];
}

const hex3 = (pid: number): string => `0x${pid.toString(16).padStart(3, '0')}`;

/** Get (version + commands) then Get ID. Nothing is confirmed here (see `sameIdentity`). */
export async function identifyDevice(client: BootloaderClient): Promise<DeviceIdentity> {
  const info = await client.get();
  const productId = await client.getId();
  return {
    productId,
    family: findProfileByProductId(productId)?.family,
    bootloaderVersion: info.version,
    commands: info.commands,
  };
}

/** True when two identity reads gave the same answers (PID, bootloader version, command list). */
export function sameIdentity(a: DeviceIdentity, b: DeviceIdentity): boolean {
  return (
    a.productId === b.productId &&
    a.bootloaderVersion === b.bootloaderVersion &&
    a.commands.length === b.commands.length &&
    a.commands.every((opcode, index) => b.commands[index] === opcode)
  );
}

/**
 * Why `identity` cannot be used with `profile`, or undefined when it can: the PID must belong to
 * the profile's family and the bootloader must list the commands needed (Read, and Write if `writing`).
 */
export function deviceMismatch(identity: DeviceIdentity, profile: DeviceProfile, writing: boolean) {
  const { productId, family } = identity;
  if (family !== profile.family) {
    const what = family === undefined ? 'an unknown chip' : `a ${family} chip`;
    return new WrongDeviceError(
      'WRONG_DEVICE',
      `product ID ${hex3(productId)} is ${what}, not ${profile.family}`,
      productId,
    );
  }
  const needed = writing ? [Opcode.READ_MEMORY, Opcode.WRITE_MEMORY] : [Opcode.READ_MEMORY];
  const missing = needed.filter((opcode) => !identity.commands.includes(opcode));
  if (missing.length > 0) {
    const list = missing.map((op) => `0x${op.toString(16).padStart(2, '0')}`).join(', ');
    return new WrongDeviceError(
      'BOOTLOADER_COMMAND_UNSUPPORTED',
      `bootloader does not offer command ${list}`,
      productId,
    );
  }
  return undefined;
}

/** The unique device ID, lower-case hex in memory order. */
export async function readUidHex(client: BootloaderClient, profile: DeviceProfile): Promise<string> {
  const uid = await client.readMemory(profile.uidAddress, profile.uidLengthBytes);
  return Buffer.from(uid).toString('hex');
}

/** All OTP data bytes. */
export function readOtpData(client: BootloaderClient, profile: DeviceProfile): Promise<Uint8Array> {
  return client.readMemory(profile.otpBaseAddress, otpSizeBytes(profile));
}

/** The lock bytes alone (empty for families without them). */
export async function readLockBytes(client: BootloaderClient, profile: DeviceProfile): Promise<Uint8Array> {
  const count = lockByteCount(profile);
  if (profile.lockBaseAddress === null || count === 0) return new Uint8Array(0);
  return client.readMemory(profile.lockBaseAddress, count);
}

/**
 * OTP data and lock bytes. When the lock bytes directly follow the data (F2/F4/F7), one read
 * covers both (F2/F4: 528 bytes from 0x1FFF7800, docs/hardware.md §otp-f2-f4); otherwise data then locks.
 */
export async function readOtpState(client: BootloaderClient, profile: DeviceProfile): Promise<OtpState> {
  const dataBytes = otpSizeBytes(profile);
  const lockBytes = lockByteCount(profile);
  if (profile.lockBaseAddress === null || lockBytes === 0) {
    return { data: await readOtpData(client, profile), lockBytes: new Uint8Array(0) };
  }
  if (profile.lockBaseAddress === profile.otpBaseAddress + dataBytes) {
    const all = await client.readMemory(profile.otpBaseAddress, dataBytes + lockBytes);
    return { data: all.slice(0, dataBytes), lockBytes: all.slice(dataBytes) };
  }
  const data = await readOtpData(client, profile);
  return { data, lockBytes: await client.readMemory(profile.lockBaseAddress, lockBytes) };
}

/** The UID and the OTP state, as one read of the device gave them. */
export interface DeviceSnapshot {
  /** Lower-case hex, memory order. */
  readonly uidHex: string;
  readonly state: OtpState;
}

/** UID, then OTP data and lock bytes (see `readOtpState`). Unconfirmed: read it twice to trust it. */
export async function readSnapshot(client: BootloaderClient, profile: DeviceProfile): Promise<DeviceSnapshot> {
  const uidHex = await readUidHex(client, profile);
  return { uidHex, state: await readOtpState(client, profile) };
}

/** Sum of two wire counts. */
export function addWire(a: WireStats, b: WireStats): WireStats {
  return {
    bytesSent: a.bytesSent + b.bytesSent,
    bytesReceived: a.bytesReceived + b.bytesReceived,
    roundTrips: a.roundTrips + b.roundTrips,
  };
}

/** Wire traffic of `client` since `before` was taken. */
export function wireSince(client: BootloaderClient, before: WireStats): WireStats {
  const now = client.wireStats;
  return {
    bytesSent: now.bytesSent - before.bytesSent,
    bytesReceived: now.bytesReceived - before.bytesReceived,
    roundTrips: now.roundTrips - before.roundTrips,
  };
}
