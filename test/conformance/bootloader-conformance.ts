// One bootloader conformance suite (the node-serialport way: one suite, fake and real). It checks
// what the host side (libs/otp) relies on in an STM32 ROM bootloader, byte for byte, and runs
// against the simulator's device in memory, the simulator over a pty, and a real board.
// Facts and sources: docs/hardware.md (AN3155 §2–§3, AN2606, the reference manuals).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ACK,
  BootloaderClient,
  type BootloaderClientOptions,
  BLANK_BYTE,
  type ChipFamily,
  type DeviceProfile,
  type DeviceTransport,
  LOCKED_BYTE,
  NACK,
  Opcode,
  SYNC_BYTE,
  encodeAddress,
  encodeCommand,
  encodeReadLength,
  encodeWriteData,
  getProfile,
  lockByteCount,
  otpSizeBytes,
} from '#ingrain/otp';

/** A chip to check, and how to reach it. */
export interface ConformanceTarget {
  readonly family: ChipFamily;
  /** Opens a new link to the chip (closed by the suite). The chip may still be synchronised. */
  open(): Promise<DeviceTransport>;
  /** True when the chip waits for 0x7F at the first link (just reset): the raw sync check runs. */
  readonly freshAtFirstOpen: boolean;
  /**
   * Whether the irreversible Write Memory checks run: they program one blank OTP block and lock it
   * (a real board's OTP is used up for good). Reads only otherwise.
   */
  readonly allowWrites: boolean;
  /** Whether the chip NACKs a read that runs past mapped memory (the simulator; AN3155 is silent). */
  readonly strictRanges: boolean;
  /** How long one reply may take, in ms. */
  readonly replyTimeoutMs: number;
  readonly clientOptions?: BootloaderClientOptions;
  close?(): Promise<void>;
}

/** Opcodes a host relies on finding in Get (AN3155 §3.1): Get, Get Version, Get ID, Read, Write. */
const REQUIRED_COMMANDS = [Opcode.GET, Opcode.GET_VERSION, Opcode.GET_ID, Opcode.READ_MEMORY, Opcode.WRITE_MEMORY];
/** No AN3155 command has this opcode (§3, table 2). */
const UNKNOWN_OPCODE = 0x05;
/** Far outside every memory area AN2606 lists for the F2/F4/F7/L4 bootloaders. */
const UNMAPPED_ADDRESS = 0xffff_f000;
/** Read Memory lengths checked against one 256-byte read (N + 1 = 1..256, AN3155 §3.4). */
const READ_LENGTHS = [1, 2, 3, 4, 5, 16, 17, 64, 128, 255, 256];

/** Raw exchanges on a synchronised link: what the host sends and exactly what comes back. */
class RawLink {
  constructor(
    readonly transport: DeviceTransport,
    private readonly timeoutMs: number,
  ) {}

  async send(bytes: ArrayLike<number>): Promise<void> {
    await this.transport.write(Uint8Array.from(bytes));
  }

  read(lengthBytes: number): Promise<Uint8Array> {
    return this.transport.read(lengthBytes, this.timeoutMs);
  }

  async byte(): Promise<number> {
    return (await this.read(1))[0] ?? -1;
  }

  /** Sends a command and returns the device's first answer byte. */
  async command(opcode: number): Promise<number> {
    await this.send(encodeCommand(opcode));
    return this.byte();
  }

  /** Read Memory: the data, or the stage and byte of the first refusal. */
  async readMemory(address: number, lengthBytes: number): Promise<Uint8Array | { refusedAt: string; byte: number }> {
    const steps: [string, Uint8Array][] = [
      ['command', encodeCommand(Opcode.READ_MEMORY)],
      ['address', encodeAddress(address)],
      ['length', encodeReadLength(lengthBytes)],
    ];
    for (const [stage, frame] of steps) {
      await this.send(frame);
      const answer = await this.byte();
      if (answer !== ACK) return { refusedAt: stage, byte: answer };
    }
    return this.read(lengthBytes);
  }

  /** Read Memory that must succeed. */
  async read256(address: number, lengthBytes: number): Promise<Uint8Array> {
    const result = await this.readMemory(address, lengthBytes);
    if (!(result instanceof Uint8Array)) assert.fail(`read 0x${address.toString(16)}: ${JSON.stringify(result)}`);
    return result;
  }

  /** Reads [address, address + lengthBytes) in 256-byte pieces. */
  async readArea(address: number, lengthBytes: number): Promise<Uint8Array> {
    const out = new Uint8Array(lengthBytes);
    for (let offset = 0; offset < lengthBytes; offset += 256) {
      out.set(await this.read256(address + offset, Math.min(256, lengthBytes - offset)), offset);
    }
    return out;
  }

  /** Write Memory: the device's answer at each stage until the first refusal, then the final answer. */
  async writeMemory(
    address: number,
    data: Uint8Array,
    corruptChecksum = false,
  ): Promise<{ stage: string; byte: number }> {
    const frame = encodeWriteData(data);
    if (corruptChecksum) frame[frame.length - 1] = (frame[frame.length - 1] ?? 0) ^ 0x01;
    const steps: [string, Uint8Array][] = [
      ['command', encodeCommand(Opcode.WRITE_MEMORY)],
      ['address', encodeAddress(address)],
      ['data', frame],
    ];
    for (const [stage, bytes] of steps) {
      await this.send(bytes);
      const answer = await this.byte();
      if (answer !== ACK || stage === 'data') return { stage, byte: answer };
    }
    return { stage: 'data', byte: ACK };
  }

  /** Get ID's product ID: proves the device is back in its command loop. */
  async productId(): Promise<number> {
    const reply = await this.send(encodeCommand(Opcode.GET_ID)).then(() => this.read(5));
    assert.equal(reply[0], ACK, 'Get ID: ACK');
    assert.equal(reply[4], ACK, 'Get ID: final ACK');
    return ((reply[2] ?? 0) << 8) | (reply[3] ?? 0);
  }
}

/**
 * Registers the conformance suite for one chip. `setUp` runs once before the checks (start a
 * simulator, check the environment); a `skip` reason skips the whole suite and says why.
 */
export function bootloaderConformance(
  name: string,
  setUp: () => Promise<ConformanceTarget>,
  options: { readonly skip?: string } = {},
): void {
  if (options.skip !== undefined) {
    // A skipped test (not an empty suite), so the run's summary counts it and prints why.
    test(name, { skip: options.skip }, () => undefined);
    return;
  }
  describe(name, () => {
    let target: ConformanceTarget;
    let profile: DeviceProfile;
    let firstLink = true;

    before(async () => {
      target = await setUp();
      profile = getProfile(target.family);
    });
    after(async () => {
      await target?.close?.();
    });

    /** A new link, synchronised by libs/otp's client (whatever state the chip was left in). */
    async function withLink(body: (link: RawLink) => Promise<void>): Promise<void> {
      const transport = await target.open();
      try {
        const link = new RawLink(transport, target.replyTimeoutMs);
        if (firstLink && target.freshAtFirstOpen) {
          await link.send([SYNC_BYTE]);
          assert.equal(await link.byte(), ACK, 'a freshly reset device answers 0x7F with ACK (AN3155 §2)');
        } else {
          await new BootloaderClient(transport, target.clientOptions).connect();
        }
        firstLink = false;
        await body(link);
      } finally {
        await transport.close();
      }
    }

    test('sync: 0x7F gets ACK; after sync the device answers commands', async () => {
      await withLink(async (link) => {
        assert.ok(profile.productIds.includes(await link.productId()));
      });
    });

    test('Get: ACK, N, version, the supported opcodes (the ones a host needs among them), ACK', async () => {
      await withLink(async (link) => {
        assert.equal(await link.command(Opcode.GET), ACK);
        const n = await link.byte();
        const rest = await link.read(n + 2); // version + n opcodes, then ACK
        assert.equal(rest.at(-1), ACK);
        const version = rest[0] ?? 0;
        assert.ok(version >= 0x30 && version < 0x40, `protocol v3.x, got 0x${version.toString(16)}`);
        const opcodes = [...rest.subarray(1, rest.length - 1)];
        for (const opcode of REQUIRED_COMMANDS)
          assert.ok(opcodes.includes(opcode), `Get lists 0x${opcode.toString(16)}`);
        assert.equal(await link.command(Opcode.GET_VERSION), ACK);
        const versionReply = await link.read(4);
        assert.equal(versionReply[0], version, 'Get Version reports the version Get reported');
        assert.equal(versionReply[3], ACK);
      });
    });

    test('Get Version: ACK, version, two option bytes, ACK', async () => {
      await withLink(async (link) => {
        await link.send(encodeCommand(Opcode.GET_VERSION));
        const reply = await link.read(5);
        assert.equal(reply[0], ACK);
        assert.equal(reply[4], ACK);
        assert.equal((reply[1] ?? 0) >> 4, 3, 'protocol v3.x');
      });
    });

    test("Get ID: N = 1 and one of the family's product IDs", async () => {
      await withLink(async (link) => {
        await link.send(encodeCommand(Opcode.GET_ID));
        const reply = await link.read(5);
        assert.equal(reply[0], ACK);
        assert.equal(reply[1], 0x01, 'N = 1: a two-byte PID follows');
        const productId = ((reply[2] ?? 0) << 8) | (reply[3] ?? 0);
        assert.ok(
          profile.productIds.includes(productId),
          `PID 0x${productId.toString(16)} is a ${profile.family} part`,
        );
        assert.equal(reply[4], ACK);
      });
    });

    test('Read Memory: the 96-bit UID, the same twice', async () => {
      await withLink(async (link) => {
        const first = await link.read256(profile.uidAddress, profile.uidLengthBytes);
        assert.equal(first.length, 12);
        assert.deepEqual(await link.read256(profile.uidAddress, profile.uidLengthBytes), first);
      });
    });

    test('Read Memory: the whole OTP area; every length 1..256 agrees with one 256-byte read', async () => {
      await withLink(async (link) => {
        const data = await link.readArea(profile.otpBaseAddress, otpSizeBytes(profile));
        assert.equal(data.length, otpSizeBytes(profile));
        if (profile.lockBaseAddress !== null) {
          const locks = await link.readArea(profile.lockBaseAddress, lockByteCount(profile));
          assert.ok(
            locks.every((b) => b === BLANK_BYTE || b === LOCKED_BYTE),
            'lock bytes hold only 0x00 or 0xFF',
          );
        }
        const full = await link.read256(profile.otpBaseAddress, 256);
        for (const lengthBytes of READ_LENGTHS) {
          assert.deepEqual(await link.read256(profile.otpBaseAddress, lengthBytes), full.subarray(0, lengthBytes));
        }
      });
    });

    test('NACK: an unknown opcode, a bad complement, a bad address checksum, an unmapped address', async () => {
      await withLink(async (link) => {
        assert.equal(await link.command(UNKNOWN_OPCODE), NACK, 'unknown opcode');
        await link.send([Opcode.GET_ID, 0x00]);
        assert.equal(await link.byte(), NACK, 'bad complement');
        assert.equal(await link.command(Opcode.READ_MEMORY), ACK);
        const frame = encodeAddress(profile.otpBaseAddress);
        frame[4] = (frame[4] ?? 0) ^ 0x01;
        await link.send(frame);
        assert.equal(await link.byte(), NACK, 'bad address checksum');
        assert.deepEqual(await link.readMemory(UNMAPPED_ADDRESS, 4), { refusedAt: 'address', byte: NACK });
        assert.ok(profile.productIds.includes(await link.productId()), 'back in the command loop after each NACK');
      });
    });

    test('NACK: a read that runs past mapped memory (simulator strictness)', async (t) => {
      if (!target.strictRanges) {
        t.skip('AN3155 does not say what a real ROM does with a read crossing the end of an area');
        return;
      }
      await withLink(async (link) => {
        const end = profile.uidAddress + profile.uidLengthBytes;
        const result = await link.readMemory(end - 4, 16);
        assert.deepEqual(result, { refusedAt: 'length', byte: NACK });
        assert.ok(profile.productIds.includes(await link.productId()));
      });
    });

    describe('Write Memory (irreversible: one blank OTP block is programmed and locked)', () => {
      test('blank bytes program; 0xFF programs nothing; a bad checksum or a read-only address is refused; a lock holds', async (t) => {
        if (!target.allowWrites) {
          t.skip('reads only: set INGRAIN_CONFORMANCE_WRITE=1 to use up one OTP block of the board');
          return;
        }
        await withLink((link) => checkWrites(link, profile, t));
      });
    });
  });
}

/** The Write Memory checks, on the last blank, unlocked block. */
async function checkWrites(link: RawLink, profile: DeviceProfile, t: { skip(message: string): void }): Promise<void> {
  const block = await lastBlankBlock(link, profile);
  if (block === undefined) {
    t.skip('no blank, unlocked OTP block is left on this chip');
    return;
  }
  const unitBytes = Math.max(4, profile.writeAlignmentBytes, profile.writeOnceUnitBytes);
  const blockAddress = profile.otpBaseAddress + block * profile.blockSizeBytes;
  const pattern = Uint8Array.from({ length: unitBytes }, (_, i) => (0x5a ^ (i * 0x11)) & 0xfe);

  assert.deepEqual(await link.writeMemory(blockAddress, pattern), { stage: 'data', byte: ACK }, 'blank bytes program');
  assert.deepEqual(await link.read256(blockAddress, unitBytes), pattern, 'read back what was written');

  const reply = await link.writeMemory(blockAddress, new Uint8Array(unitBytes).fill(BLANK_BYTE));
  assert.equal(reply.stage, 'data');
  assert.deepEqual(await link.read256(blockAddress, unitBytes), pattern, '0xFF clears no bit: bits only go 1 -> 0');

  const next = blockAddress + unitBytes;
  assert.deepEqual(await link.writeMemory(next, pattern, true), { stage: 'data', byte: NACK }, 'bad data checksum');
  assert.ok(
    (await link.read256(next, unitBytes)).every((b) => b === BLANK_BYTE),
    'a refused write programs nothing',
  );

  const readOnly = await link.writeMemory(profile.uidAddress, new Uint8Array(4).fill(BLANK_BYTE));
  assert.deepEqual(readOnly, { stage: 'address', byte: NACK }, 'the UID is not writable');

  if (profile.lockBaseAddress === null) return; // L4: no lock bytes (docs/hardware.md §otp-l4)
  const lockWordAddress = profile.lockBaseAddress + block - (block % profile.writeAlignmentBytes);
  const lockWord = new Uint8Array(Math.max(4, profile.writeAlignmentBytes)).fill(BLANK_BYTE);
  lockWord[block % profile.writeAlignmentBytes] = LOCKED_BYTE;
  const locksBefore = await link.read256(profile.lockBaseAddress, lockByteCount(profile));
  assert.deepEqual(await link.writeMemory(lockWordAddress, lockWord), { stage: 'data', byte: ACK }, 'lock word');
  const locksAfter = await link.read256(profile.lockBaseAddress, lockByteCount(profile));
  const expected = Uint8Array.from(locksBefore);
  expected[block] = LOCKED_BYTE;
  assert.deepEqual(locksAfter, expected, 'only the chosen lock byte changed, to 0x00');
  const locked = await link.writeMemory(next, pattern);
  assert.equal(locked.stage, 'data', 'a write into a locked block is answered (ACK or NACK: unconfirmed)');
  assert.ok(
    (await link.read256(next, unitBytes)).every((b) => b === BLANK_BYTE),
    'a locked block takes nothing',
  );
}

async function lastBlankBlock(link: RawLink, profile: DeviceProfile): Promise<number | undefined> {
  const data = await link.readArea(profile.otpBaseAddress, otpSizeBytes(profile));
  const locks =
    profile.lockBaseAddress === null ? undefined : await link.readArea(profile.lockBaseAddress, lockByteCount(profile));
  for (let block = profile.blockCount - 1; block >= 0; block--) {
    const start = block * profile.blockSizeBytes;
    const blank = data.subarray(start, start + profile.blockSizeBytes).every((b) => b === BLANK_BYTE);
    if (blank && (locks === undefined || locks[block] === BLANK_BYTE)) return block;
  }
  return undefined;
}
