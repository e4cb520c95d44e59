import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { afterEach, describe, test } from 'node:test';
import { STM32F4, STM32F7 } from '../profiles/index.js';
import { Opcode } from './an3155.js';
import { BootloaderClient } from './client.js';
import {
  BootloaderBadReplyError,
  BootloaderLinkLostError,
  BootloaderNackError,
  BootloaderTimeoutError,
  UnexpectedByteError,
  WriteNotAlignedError,
} from './errors.js';
import { type StageEvent, type StageFault } from '#ingrain/simulator';
import { isResyncSafe } from './resync-safe-frames.js';
import { createHarness, type Harness } from './testing/harness.js';

const OTP = STM32F4.otpBaseAddress;
let harness: Harness | undefined;

async function connected(options: Parameters<typeof createHarness>[0] = {}): Promise<Harness> {
  harness = createHarness(options);
  await harness.client.connect();
  return harness;
}

/** A fault script: `action` the first time `match` holds, normal behaviour otherwise. */
function once(match: (event: StageEvent) => boolean, action: StageFault) {
  let fired = false;
  return (event: StageEvent): StageFault | undefined => {
    if (fired || !match(event)) return undefined;
    fired = true;
    return action;
  };
}

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('BootloaderClient commands', () => {
  test('Get returns the version and the command list; bytes on the wire match AN3155', async () => {
    const { client, device } = await connected();
    const info = await client.get();
    assert.equal(info.version, 0x31);
    assert.deepEqual(info.commands, [0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0x63, 0x73, 0x82, 0x92]);
    assert.deepEqual(device.received, [0x7f, 0x00, 0xff]);
    // sync: 1 out, 1 in; Get: 2 out, 15 in (79 0B 31 … 92 79)
    assert.deepEqual(client.wireStats, { bytesSent: 3, bytesReceived: 16, roundTrips: 2 });
  });

  test('Get Version and Get ID', async () => {
    const { client } = await connected();
    assert.deepEqual(await client.getVersion(), { version: 0x31, optionBytes: [0, 0] });
    assert.equal(await client.getId(), 0x413);
  });

  test('Read Memory of any length is split into ≤ 256-byte reads', async () => {
    const { client, device, chip } = await connected();
    chip.setData([1, 2, 3], 300);
    const data = await client.readMemory(OTP, 528);
    assert.equal(data.length, 528);
    assert.deepEqual([...data.subarray(299, 304)], [0xff, 1, 2, 3, 0xff]);
    assert.deepEqual(device.commandLog, [Opcode.READ_MEMORY, Opcode.READ_MEMORY, Opcode.READ_MEMORY]);
    assert.deepEqual(await client.readMemory(STM32F4.uidAddress, 12), chip.uid);
  });

  test('each Read Memory costs n + 12 bytes on the wire (docs/hardware.md §timing)', async () => {
    const { client } = await connected();
    const before = client.wireStats;
    await client.readMemory(OTP, 16);
    const after = client.wireStats;
    assert.equal(after.bytesSent - before.bytesSent + after.bytesReceived - before.bytesReceived, 16 + 12);
  });

  test('Write Memory is split into ≤ 256-byte writes and programs the OTP', async () => {
    const { client, device, chip } = await connected();
    // Resync-safe in 256-byte frames (the plain i & 0xff is not: see the next test).
    const bytes = Uint8Array.from({ length: 512 }, (_, i) => (i ^ 0x55) & 0xff);
    const before = client.wireStats;
    await client.writeMemory(OTP, bytes, { alignmentBytes: 4 });
    assert.deepEqual(
      device.writes.map((w) => [w.address, w.bytes.length]),
      [
        [OTP, 256],
        [OTP + 256, 256],
      ],
    );
    assert.deepEqual(chip.data, bytes);
    const after = client.wireStats;
    assert.equal(after.bytesSent - before.bytesSent + after.bytesReceived - before.bytesReceived, 512 + 2 * 12);
    assert.deepEqual(chip.damaged, []);
  });

  test('a write whose 256-byte frames a re-synchronisation could complete is split into resync-safe frames', async () => {
    const { client, device, chip } = await connected();
    const bytes = Uint8Array.from({ length: 512 }, (_, i) => i & 0xff);
    assert.equal(isResyncSafe(bytes.subarray(0, 256)), false); // x_127 = 0x80: a cut after 127 bytes
    await client.writeMemory(OTP, bytes, { alignmentBytes: 4 });
    assert.ok(device.writes.length > 2);
    assert.ok(device.writes.every((w) => w.bytes.length <= 256 && isResyncSafe(w.bytes)));
    assert.deepEqual(chip.data, bytes);
    assert.deepEqual(chip.damaged, []);
  });

  test('commands issued without awaiting run one at a time, in order', async () => {
    const { client } = await connected();
    const [id, version, data] = await Promise.all([client.getId(), client.getVersion(), client.readMemory(OTP, 4)]);
    assert.equal(id, 0x413);
    assert.equal(version.version, 0x31);
    assert.equal(data.length, 4);
  });
});

describe('BootloaderClient argument checks (nothing is sent)', () => {
  test('misaligned writes throw WRITE_NOT_ALIGNED and never pad', async () => {
    const { client, device } = await connected();
    const sent = device.received.length;
    await assert.rejects(client.writeMemory(OTP + 2, new Uint8Array(4), { alignmentBytes: 4 }), WriteNotAlignedError);
    await assert.rejects(client.writeMemory(OTP, new Uint8Array(6), { alignmentBytes: 4 }), WriteNotAlignedError);
    await assert.rejects(
      client.writeMemory(STM32F7.otpBaseAddress + 4, new Uint8Array(8), { alignmentBytes: 8 }),
      (e: unknown) => e instanceof WriteNotAlignedError && e.code === 'WRITE_NOT_ALIGNED',
    );
    await assert.rejects(client.writeMemory(OTP, new Uint8Array(6), { alignmentBytes: 6 }), {
      code: 'BOOTLOADER_INVALID_ARGUMENT',
    });
    assert.equal(device.received.length, sent);
    assert.equal(client.state, 'synchronised');
  });

  test('invalid ranges are rejected', async () => {
    const { client } = await connected();
    await assert.rejects(client.readMemory(OTP, 0), { code: 'BOOTLOADER_INVALID_ARGUMENT' });
    await assert.rejects(client.readMemory(-1, 4), { code: 'BOOTLOADER_INVALID_ARGUMENT' });
    await assert.rejects(client.readMemory(0xffff_fffe, 4), { code: 'BOOTLOADER_INVALID_ARGUMENT' });
    await assert.rejects(client.writeMemory(OTP, new Uint8Array(0), { alignmentBytes: 4 }), {
      code: 'BOOTLOADER_INVALID_ARGUMENT',
    });
  });

  test('commands before connect() throw BOOTLOADER_NOT_CONNECTED', async () => {
    harness = createHarness();
    await assert.rejects(harness.client.getId(), { code: 'BOOTLOADER_NOT_CONNECTED' });
    assert.deepEqual(harness.device.received, []);
  });

  test('invalid timing options are rejected', () => {
    harness = createHarness();
    assert.throws(() => new BootloaderClient(harness!.host, { baudRate: 0 }), { code: 'BOOTLOADER_INVALID_ARGUMENT' });
  });
});

describe('BootloaderClient protocol errors', () => {
  const read = (stage: StageEvent['stage']) => (e: StageEvent) => e.opcode === Opcode.READ_MEMORY && e.stage === stage;

  for (const stage of ['command', 'address', 'length'] as const) {
    test(`a NACK at the ${stage} stage throws BOOTLOADER_NACK with the stage; the next command works`, async () => {
      const { client } = await connected({ device: { onStage: once(read(stage), 'nack') } });
      const error = await client.readMemory(OTP, 16).catch((e: unknown) => e);
      assert.ok(error instanceof BootloaderNackError);
      assert.equal(error.code, 'BOOTLOADER_NACK');
      assert.equal(error.stage, stage);
      assert.equal(error.opcode, Opcode.READ_MEMORY);
      assert.equal(client.state, 'desynchronised');
      assert.equal(await client.getId(), 0x413);
      assert.equal(client.state, 'synchronised');
    });
  }

  test('a NACK at the data stage of a write: nothing programmed, error names the stage', async () => {
    const onStage = once((e) => e.stage === 'data', 'nack');
    const { client, chip } = await connected({ device: { onStage } });
    await assert.rejects(client.writeMemory(OTP, Uint8Array.of(1, 2, 3, 4), { alignmentBytes: 4 }), {
      code: 'BOOTLOADER_NACK',
      stage: 'data',
      opcode: Opcode.WRITE_MEMORY,
    });
    assert.deepEqual([...chip.data.subarray(0, 4)], [0xff, 0xff, 0xff, 0xff]);
  });

  test('an unmapped address gets the device’s own NACK at the address stage', async () => {
    const { client } = await connected();
    await assert.rejects(client.readMemory(0x4000_0000, 4), { code: 'BOOTLOADER_NACK', stage: 'address' });
  });

  test('two NACKs (readout protection) do not poison the next command', async () => {
    const { client } = await connected({ device: { onStage: once(read('command'), 'double-nack') } });
    await assert.rejects(client.readMemory(OTP, 4), { code: 'BOOTLOADER_NACK', stage: 'command' });
    assert.equal(await client.getId(), 0x413);
    assert.equal((await client.readMemory(OTP, 4)).length, 4);
  });

  test('BUSY is waited out', async () => {
    const onStage = once((e) => e.stage === 'data', { busy: 5 });
    const { client, chip } = await connected({ device: { onStage } });
    await client.writeMemory(OTP, Uint8Array.of(1, 2, 3, 4), { alignmentBytes: 4 });
    assert.deepEqual([...chip.data.subarray(0, 4)], [1, 2, 3, 4]);
  });

  test('BUSY without an end times out (bounded)', async () => {
    const onStage = once((e) => e.stage === 'data', { busy: 3, thenSilent: true });
    const { client } = await connected({ device: { onStage }, client: { busyTimeoutMs: 30 } });
    await assert.rejects(client.writeMemory(OTP, Uint8Array.of(1, 2, 3, 4), { alignmentBytes: 4 }), {
      code: 'BOOTLOADER_TIMEOUT',
      stage: 'data',
    });
  });

  test('a lost answer times out with the stage, then the client re-synchronises', async () => {
    const { client, chip } = await connected({ device: { onStage: once(read('address'), 'silence') } });
    const error = await client.readMemory(OTP, 16).catch((e: unknown) => e);
    assert.ok(error instanceof BootloaderTimeoutError);
    assert.equal(error.stage, 'address');
    assert.equal(error.code, 'BOOTLOADER_TIMEOUT');
    // The device sits in the length stage; the next command must get it back first.
    assert.deepEqual(await client.readMemory(OTP, 4), chip.data.subarray(0, 4));
  });

  test('an unexpected byte is reported with its value', async () => {
    const { client } = await connected({
      device: { onStage: once((e) => e.opcode === Opcode.GET_ID && e.stage === 'command', { garbage: 0x42 }) },
    });
    const error = await client.getId().catch((e: unknown) => e);
    assert.ok(error instanceof UnexpectedByteError);
    assert.equal(error.byte, 0x42);
    assert.equal(error.stage, 'command');
    assert.equal(await client.getId(), 0x413);
  });

  test('a malformed Get ID (N ≠ 1) and a Get with N = 0 are rejected', async () => {
    const { client } = await connected({
      device: { onStage: once((e) => e.opcode === Opcode.GET_ID && e.stage === 'reply', { garbage: 5 }) },
    });
    await assert.rejects(client.getId(), (e: unknown) => e instanceof BootloaderBadReplyError && e.stage === 'reply');
    assert.equal(await client.getId(), 0x413);
    await harness?.close();
    const other = await connected({
      device: { onStage: once((e) => e.opcode === Opcode.GET && e.stage === 'reply', { garbage: 0 }) },
    });
    await assert.rejects(other.client.get(), { code: 'BOOTLOADER_BAD_REPLY' });
  });

  test('a missing trailing ACK times out at the reply stage', async () => {
    const { client } = await connected({
      device: { onStage: once((e) => e.opcode === Opcode.GET_VERSION && e.stage === 'reply', 'silence') },
    });
    await assert.rejects(client.getVersion(), { code: 'BOOTLOADER_TIMEOUT', stage: 'reply' });
  });

  test('a truncated read times out at the data stage without carrying the data', async () => {
    const { client, chip } = await connected({ device: { onStage: once(read('length'), { truncate: 4 }) } });
    chip.setData([0xde, 0xad, 0xbe, 0xef], 0);
    const error = await client.readMemory(OTP, 16).catch((e: unknown) => e);
    assert.ok(error instanceof BootloaderTimeoutError);
    assert.equal(error.stage, 'data');
    assert.equal(error.receivedBytes, 3); // ACK + 3 data bytes arrived
    assert.equal(error.cause, undefined);
    assert.doesNotMatch(inspect(error, { depth: 5 }), /222, 173|deadbeef|de ad|0xde/);
    assert.deepEqual(await client.readMemory(OTP, 4), Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
  });

  test('a closed link throws BOOTLOADER_LINK_LOST', async () => {
    const { client, host } = await connected();
    await host.close();
    const error = await client.getId().catch((e: unknown) => e);
    assert.ok(error instanceof BootloaderLinkLostError);
    assert.equal(error.stage, 'command');
    assert.equal((error.cause as { code?: string }).code, 'TRANSPORT_CLOSED');
  });
});
