// What `ingrain-station doctor` finds on a chip: read-only (Get, Get ID, Read Memory only; no
// Write Memory, no Readout Protect, no Go). The JSON shape is the documented contract of
// `doctor --json` (docs/station.md, "doctor"); change it only with a new formatVersion.
import {
  type BootloaderClient,
  BootloaderError,
  type ChipFamily,
  type ConnectOptions,
  findProfileByProductId,
  isReadRefusal,
  lockByteCount,
  type DeviceProfile,
  otpSizeBytes,
  ReadoutProtectedError,
  readUnlessProtected,
  TransportError,
} from '#ingrain/otp';

/** AN3155 §3 command names, for the opcodes a Get reply lists. */
const COMMAND_NAMES: Readonly<Record<number, string>> = {
  0x00: 'Get',
  0x01: 'Get Version',
  0x02: 'Get ID',
  0x11: 'Read Memory',
  0x21: 'Go',
  0x31: 'Write Memory',
  0x43: 'Erase',
  0x44: 'Extended Erase',
  0x50: 'Special',
  0x51: 'Extended Special',
  0x63: 'Write Protect',
  0x73: 'Write Unprotect',
  0x82: 'Readout Protect',
  0x92: 'Readout Unprotect',
  0xa1: 'Get Checksum',
};

/** Flash-size register (16 bit, KB, little-endian), docs/hardware.md §4; absent: not read. */
const FLASH_SIZE_ADDRESS: Partial<Record<ChipFamily, number>> = {
  stm32f2: 0x1fff_7a22,
  stm32f4: 0x1fff_7a22,
  stm32f7: 0x1ff0_f442,
  stm32l4: 0x1fff_75e0,
};

/** Few re-synchronisation rounds: a silent port must be reported quickly, not after minutes. */
const DOCTOR_RESYNC_ATTEMPTS = 3;

const hex = (value: number, digits: number): string => `0x${value.toString(16).padStart(digits, '0')}`;

/** One OTP block: how much of it is programmed, and its lock byte. */
export interface BlockSummary {
  readonly block: number;
  /** `blank`: every byte 0xFF; `full`: no byte 0xFF; otherwise `partly-written`. */
  readonly state: 'blank' | 'partly-written' | 'full';
  /** Bytes that are not 0xFF. */
  readonly programmedBytes: number;
  /** `locked` (0x00), `open` (0xFF), `invalid` (any other value), null: the family has no lock bytes. */
  readonly lock: 'locked' | 'open' | 'invalid' | null;
}

/**
 * The test of the fixture's entry and exit sequences (`doctor --lines`). `passed`: the entry
 * sequence brought up the bootloader (0x7F answered after the reset) and, with an exit part,
 * after the exit sequence the bootloader is silent (the chip runs its application).
 */
export type FixtureSequencesReport =
  | { readonly status: 'not-configured' }
  | {
      readonly status: 'passed' | 'failed';
      /** The sequence as given (`ENTRY:EXIT`). */
      readonly sequence: string;
      readonly entry: {
        /** Each step run, in order (`dtr`, `-rts`, `wait 100 ms`, `17`, …). */
        readonly steps: readonly string[];
        /** The bootloader answered 0x7F after the entry sequence. */
        readonly bootloaderAnswered: boolean;
      };
      /** Null without an exit part, or when the entry failed (nothing to leave). */
      readonly exit: {
        readonly steps: readonly string[];
        /** No bootloader answered 0x7F after the exit sequence (the application runs). */
        readonly bootloaderSilent: boolean;
        /** What the chip sent within 300 ms of the exit (e.g. the application's banner), printable; null: nothing. */
        readonly applicationOutput: string | null;
      } | null;
      /** Why it failed (null when passed). */
      readonly reason: string | null;
    };

/** `ingrain-station doctor --json`, format version 2 (2: `fixtureSequences` reports the sequence test). */
export interface DoctorReport {
  readonly formatVersion: 2;
  /** `ready`: readable, nothing stands in the way; the others name what does. */
  readonly verdict: 'ready' | 'protected' | 'unknown-chip' | 'no-bootloader' | 'link-error';
  readonly port: string;
  readonly line: { readonly baudRate: number; readonly frame: '8E1' };
  /** The fixture's entry and exit sequences (BOOT0/NRST over DTR/RTS/GPIO): `not-configured` without `--lines`. */
  readonly fixtureSequences: FixtureSequencesReport;
  readonly bootloader: {
    /** How the first exchange went: `fresh` (0x7F answered), `already-synchronised`, `resynchronised`, or null. */
    readonly sync: string | null;
    /** e.g. "3.1"; null when Get was not answered. */
    readonly version: string | null;
    readonly commands: readonly { readonly opcode: string; readonly name: string }[];
  };
  readonly chip: {
    readonly productId: string | null;
    readonly family: ChipFamily | null;
    readonly name: string | null;
    /** Lower-case hex, memory order; null when protected or not read. */
    readonly uid: string | null;
    readonly flashSizeKb: number | null;
  };
  /** `none`: Read Memory works; `readout-protected`: refused twice after a good Get ID; `unknown`: not reached. */
  readonly protection: 'none' | 'readout-protected' | 'unknown';
  readonly otp: {
    readonly baseAddress: string;
    readonly blockSizeBytes: number;
    readonly blocks: readonly BlockSummary[];
  } | null;
  /** Why the survey stopped early (an error code and message), or null. */
  readonly problem: { readonly code: string; readonly message: string } | null;
}

type Draft = { -readonly [K in keyof DoctorReport]: DoctorReport[K] };

/**
 * Surveys the chip behind `client`: sync, Get, Get ID, the UID (readout protection shows here),
 * the flash size, OTP data and lock bytes. Reads only. Link failures and refusals end the survey
 * with a verdict; they are never thrown. Throws only programming errors.
 */
export async function surveyChip(
  client: BootloaderClient,
  port: string,
  baudRate: number,
  connect: ConnectOptions = {},
): Promise<DoctorReport> {
  const draft: Draft = {
    formatVersion: 2,
    verdict: 'link-error',
    port,
    line: { baudRate, frame: '8E1' },
    fixtureSequences: { status: 'not-configured' },
    bootloader: { sync: null, version: null, commands: [] },
    chip: { productId: null, family: null, name: null, uid: null, flashSizeKb: null },
    protection: 'unknown',
    otp: null,
    problem: null,
  };
  try {
    draft.verdict = await survey(client, draft, connect);
  } catch (error) {
    if (error instanceof ReadoutProtectedError) {
      draft.protection = 'readout-protected';
      draft.verdict = 'protected';
    } else if (error instanceof BootloaderError || error instanceof TransportError) {
      draft.verdict = draft.bootloader.sync === null ? 'no-bootloader' : 'link-error';
    } else throw error;
    draft.problem = { code: (error as BootloaderError).code, message: (error as Error).message };
  }
  return draft;
}

async function survey(
  client: BootloaderClient,
  draft: Draft,
  connect: ConnectOptions,
): Promise<DoctorReport['verdict']> {
  const sync = await client.connect({ maxResyncAttempts: DOCTOR_RESYNC_ATTEMPTS, ...connect });
  const info = await client.get();
  draft.bootloader = {
    sync,
    version: `${info.version >> 4}.${info.version & 0xf}`,
    commands: info.commands.map((op) => ({ opcode: hex(op, 2), name: COMMAND_NAMES[op] ?? 'unknown' })),
  };
  const productId = await client.getId();
  const profile = findProfileByProductId(productId);
  draft.chip = {
    ...draft.chip,
    productId: hex(productId, 3),
    family: profile?.family ?? null,
    name: profile?.displayName ?? null,
  };
  if (profile === undefined) return 'unknown-chip';
  const uid = await readUnlessProtected(client, profile, () =>
    client.readMemory(profile.uidAddress, profile.uidLengthBytes),
  );
  draft.protection = 'none';
  draft.chip = {
    ...draft.chip,
    uid: Buffer.from(uid).toString('hex'),
    flashSizeKb: await flashSizeKb(client, profile),
  };
  draft.otp = await otpSummary(client, profile);
  return 'ready';
}

async function flashSizeKb(client: BootloaderClient, profile: DeviceProfile): Promise<number | null> {
  const address = FLASH_SIZE_ADDRESS[profile.family];
  if (address === undefined) return null;
  try {
    const [low = 0, high = 0] = await client.readMemory(address, 2);
    return low | (high << 8);
  } catch (error) {
    if (isReadRefusal(error)) return null; // a part that maps no flash-size register there
    throw error;
  }
}

async function otpSummary(client: BootloaderClient, profile: DeviceProfile): Promise<NonNullable<DoctorReport['otp']>> {
  const data = await client.readMemory(profile.otpBaseAddress, otpSizeBytes(profile));
  const lockCount = lockByteCount(profile);
  const locks =
    profile.lockBaseAddress === null || lockCount === 0
      ? undefined
      : await client.readMemory(profile.lockBaseAddress, lockCount);
  const blocks = Array.from({ length: profile.blockCount }, (_, block): BlockSummary => {
    const bytes = data.subarray(block * profile.blockSizeBytes, (block + 1) * profile.blockSizeBytes);
    const programmedBytes = bytes.filter((byte) => byte !== 0xff).length;
    const state = programmedBytes === 0 ? 'blank' : programmedBytes === bytes.length ? 'full' : 'partly-written';
    const lockByte = locks?.[block];
    const lock = lockByte === undefined ? null : lockByte === 0x00 ? 'locked' : lockByte === 0xff ? 'open' : 'invalid';
    return { block, state, programmedBytes, lock };
  });
  return { baseAddress: hex(profile.otpBaseAddress, 8), blockSizeBytes: profile.blockSizeBytes, blocks };
}
