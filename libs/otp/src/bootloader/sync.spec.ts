import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { STM32F4 } from '../profiles/index.js';
import { Opcode } from './an3155.js';
import { BootloaderLineError, BootloaderSyncFailedError } from './errors.js';
import { encodeAddress, encodeCommand } from './frames.js';
import { createHarness, type Harness } from './testing/harness.js';
import { createMemoryLink, TransportLineError } from '../transport/index.js';
import { BootloaderClient } from './client.js';
import { WiredDevice } from './testing/wired-device.js';

const OTP = STM32F4.otpBaseAddress;
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A harness whose device has already received `bytes` (e.g. from a crashed session). */
function deviceThatReceived(bytes: readonly number[]): Harness {
  harness = createHarness();
  for (const byte of bytes) harness.device.feed(byte);
  harness.device.received.length = 0;
  return harness;
}

/** Bytes the host sent during recovery, other than the single 0x7F and Get Version's 01 FE. */
function unusualBytes(received: readonly number[]): number[] {
  return received.filter((b, i) => !(b === 0xff || (b === 0x7f && i === 0) || b === 0x01 || b === 0xfe));
}

describe('BootloaderClient.connect', () => {
  test('a freshly reset device answers 0x7F with ACK', async () => {
    harness = createHarness();
    assert.equal(await harness.client.connect(), 'fresh');
    assert.deepEqual(harness.device.received, [0x7f]);
    assert.equal(harness.client.state, 'synchronised');
  });

  test('a device already in sync (0x7F becomes half a command) is recovered and confirmed', async () => {
    const { client, device } = deviceThatReceived([0x7f]);
    assert.equal(await client.connect(), 'resynchronised');
    assert.equal(await client.getId(), 0x413);
    assert.deepEqual(unusualBytes(device.received), [0x02, 0xfd]); // only Get ID after the recovery
  });

  test('a NACK to 0x7F is accepted only after Get Version confirms it', async () => {
    const { client, device } = deviceThatReceived([0x7f, 0x00]); // 00 pending: 00 7F → NACK
    assert.equal(await client.connect(), 'already-synchronised');
    assert.deepEqual(device.received, [0x7f, 0x01, 0xfe]);
  });

  test('a device left in the middle of a Read Memory address is recovered', async () => {
    const { client, chip } = deviceThatReceived([0x7f, ...encodeCommand(Opcode.READ_MEMORY), 0x1f, 0xff]);
    await client.connect();
    assert.deepEqual(await client.readMemory(OTP, 8), chip.data.subarray(0, 8));
  });

  test('a device left waiting for Write Memory data is recovered without programming anything', async () => {
    const { client, chip, device } = deviceThatReceived([
      0x7f,
      ...encodeCommand(Opcode.WRITE_MEMORY),
      ...encodeAddress(OTP),
    ]);
    chip.setData([0x12, 0x34], 0); // already programmed bytes must survive
    await client.connect();
    assert.deepEqual([...chip.data.subarray(0, 4)], [0x12, 0x34, 0xff, 0xff]);
    assert.ok(chip.data.subarray(2).every((b) => b === 0xff));
    assert.deepEqual(chip.damaged, []);
    assert.deepEqual(device.writes, []); // the 0x7F became N; the 0xFF checksum cannot match
    assert.deepEqual(unusualBytes(device.received), []);
    assert.equal(await client.getId(), 0x413);
  });

  test('a device stuck right after a write address ACK, when the client notices, programs only 0xFF', async () => {
    // The device goes silent after ACKing the address: the client times out, then re-synchronises
    // with 0xFF bytes only. A data block of 0xFF clears no bit (docs/hardware.md §lock-rules).
    let hang = true;
    harness = createHarness({
      device: {
        onStage: (e) => (hang && e.opcode === Opcode.WRITE_MEMORY && e.stage === 'address' ? 'hang' : undefined),
      },
    });
    const { client, chip, device } = harness;
    chip.setData([0x55, 0xaa, 0x00, 0x01], 0);
    await client.connect();
    await assert.rejects(client.writeMemory(OTP + 4, Uint8Array.of(1, 2, 3, 4), { alignmentBytes: 4 }), {
      code: 'BOOTLOADER_TIMEOUT',
      stage: 'address',
    });
    hang = false;
    device.revive();
    assert.equal(await client.getId(), 0x413);
    assert.deepEqual([...chip.data.subarray(0, 8)], [0x55, 0xaa, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual(chip.damaged, []);
    assert.ok(device.writes.every((w) => w.bytes.every((b) => b === 0xff)));
  });

  test('no answer at all ends in BOOTLOADER_SYNC_FAILED after bounded attempts', async () => {
    const [host, device] = createMemoryLink();
    const client = new BootloaderClient(host, { replyMarginMs: 5, maxResyncAttempts: 4 });
    const error = await client.connect().catch((e: unknown) => e);
    assert.ok(error instanceof BootloaderSyncFailedError);
    assert.equal(error.code, 'BOOTLOADER_SYNC_FAILED');
    assert.equal(client.state, 'not-connected');
    const sent = await device.read(1 + 1 + 2 + 4 + 8, 0); // 0x7F, then bursts of 1, 2, 4, 8 × 0xFF
    assert.deepEqual([...sent.subarray(1)], new Array<number>(15).fill(0xff));
    await host.close();
  });
});

describe('BootloaderClient.connect on a client that has synchronised before', () => {
  test('a synchronised client confirms with one Get Version, never a second 0x7F', async () => {
    harness = createHarness();
    const { client, device } = harness;
    await client.connect();
    assert.equal(await client.getId(), 0x413);
    const before = client.wireStats;
    assert.equal(await client.connect(), 'already-synchronised');
    assert.deepEqual(device.received, [0x7f, 0x02, 0xfd, 0x01, 0xfe]);
    const after = client.wireStats;
    assert.equal(after.roundTrips - before.roundTrips, 1); // 01 FE → 79 31 00 00 79
    assert.equal(after.bytesReceived - before.bytesReceived, 5);
    assert.equal(client.state, 'synchronised');
    assert.equal(await client.getId(), 0x413);
  });

  test('a failed confirm (a stray byte pending) falls back to 0xFF re-synchronisation', async () => {
    harness = createHarness();
    const { client, device } = harness;
    await client.connect();
    device.feed(0x00); // line noise the device took as the first half of a command
    const sentBefore = device.received.length;
    assert.equal(await client.connect(), 'resynchronised');
    assert.ok(!device.received.slice(sentBefore).includes(0x7f));
    assert.equal(await client.getId(), 0x413);
    assert.deepEqual(harness.chip.damaged, []);
  });

  test('a device reset since (waiting for 0x7F) is not reached: bounded failure, no 0x7F sent', async () => {
    harness = createHarness();
    const { client, device } = harness;
    await client.connect();
    device.revive(true); // a new chip, or a reset: waits for the autobaud byte
    const sentBefore = device.received.length;
    await assert.rejects(client.connect({ maxResyncAttempts: 2 }), { code: 'BOOTLOADER_SYNC_FAILED' });
    assert.deepEqual(device.received.slice(sentBefore), [0x01, 0xfe, 0xff, 0xff, 0xff]); // Get Version, 2 rounds of 0xFF
    assert.equal(client.state, 'not-connected');
    // After a failed connect the client is in doubt: its next connect sends the single 0x7F again.
    assert.equal(await client.connect(), 'fresh');
  });

  test('a desynchronised client re-synchronises with 0xFF only', async () => {
    let fail = true;
    harness = createHarness({
      device: { onStage: (e) => (fail && e.opcode === Opcode.GET_ID && e.stage === 'command' ? 'silence' : undefined) },
    });
    const { client, device } = harness;
    await client.connect();
    await assert.rejects(client.getId(), { code: 'BOOTLOADER_TIMEOUT' });
    fail = false;
    const sentBefore = device.received.length;
    assert.equal(await client.connect(), 'resynchronised');
    assert.ok(!device.received.slice(sentBefore).includes(0x7f));
    assert.equal(await client.getId(), 0x413);
  });
});

describe('BootloaderClient.connect({ maxResyncAttempts })', () => {
  test('bounds this connect only; the next connect uses the client bound', async () => {
    const [host, device] = createMemoryLink();
    const client = new BootloaderClient(host, { replyMarginMs: 5, maxResyncAttempts: 4 });
    await assert.rejects(client.connect({ maxResyncAttempts: 2 }), { code: 'BOOTLOADER_SYNC_FAILED' });
    assert.deepEqual([...(await device.read(1 + 1 + 2, 0))], [0x7f, 0xff, 0xff, 0xff]);
    await assert.rejects(client.connect(), { code: 'BOOTLOADER_SYNC_FAILED' });
    const sent = await device.read(1 + 1 + 2 + 4 + 8, 0);
    assert.deepEqual([...sent], [0x7f, ...new Array<number>(15).fill(0xff)]);
    await host.close();
  });

  test('an invalid bound is refused before anything is sent', async () => {
    harness = createHarness();
    const { client, device } = harness;
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(client.connect({ maxResyncAttempts: bad }), { code: 'BOOTLOADER_INVALID_ARGUMENT' });
    }
    assert.deepEqual(device.received, []);
    assert.equal(client.state, 'not-connected');
  });
});

describe('BootloaderClient.connect({ afterReset }) (a fixture just reset the chip)', () => {
  test('a 0x7F that gets no answer is followed by a second one (a bootloader that started late)', async () => {
    const [host, device] = createMemoryLink();
    const client = new BootloaderClient(host, { replyMarginMs: 20 });
    const connecting = client.connect({ afterReset: true });
    assert.deepEqual([...(await device.read(1, 1000))], [0x7f]); // missed: the ROM was not up yet
    assert.deepEqual([...(await device.read(1, 1000))], [0x7f]);
    await device.write(Uint8Array.of(0x79));
    // An ACK after two 0x7F is ambiguous (a late answer to the first leaves the second pending as
    // half a command): settled by 0xFF and Get Version before the client trusts it.
    assert.deepEqual([...(await device.read(1, 1000))], [0xff]);
    await device.write(Uint8Array.of(0x1f)); // 7F FF: NACK
    assert.deepEqual([...(await device.read(2, 1000))], [0x01, 0xfe]);
    await device.write(Uint8Array.of(0x79, 0x31, 0x00, 0x00, 0x79));
    assert.equal(await connecting, 'resynchronised');
    await host.close();
  });

  test('a late ACK to the first 0x7F (the second then pending) is recovered on the device model', async () => {
    const [host, end] = createMemoryLink();
    const device = new WiredDevice(STM32F4);
    const client = new BootloaderClient(host, { replyMarginMs: 20 });
    const connecting = client.connect({ afterReset: true });
    await end.read(1, 1000);
    const lateAck = device.feed(0x7f); // answered, but the ACK is late
    await end.read(1, 1000);
    assert.deepEqual(device.feed(0x7f), [], 'the second 0x7F is now half a command');
    await end.write(Uint8Array.from(lateAck));
    device.attach(end);
    assert.equal(await connecting, 'resynchronised');
    assert.equal(await client.getId(), 0x413);
    assert.deepEqual(device.chip.damaged, []);
    await host.close();
  });

  test('without afterReset, silence after the one 0x7F is followed by 0xFF only', async () => {
    const [host, device] = createMemoryLink();
    const client = new BootloaderClient(host, { replyMarginMs: 5, maxResyncAttempts: 1 });
    await assert.rejects(client.connect(), { code: 'BOOTLOADER_SYNC_FAILED' });
    assert.deepEqual([...(await device.read(2, 0))], [0x7f, 0xff]);
    await host.close();
  });
});

describe('BootloaderClient.go', () => {
  test('sends Go with the flash address; the client is then not connected', async () => {
    harness = createHarness();
    const { client, device } = harness;
    await client.connect();
    await client.go(0x0800_0000);
    assert.deepEqual(device.received.slice(1), [0x21, 0xde, 0x08, 0x00, 0x00, 0x00, 0x08]);
    assert.equal(client.state, 'not-connected');
  });

  test('an address the ROM refuses is a NACK at the address stage', async () => {
    harness = createHarness();
    await harness.client.connect();
    await assert.rejects(harness.client.go(0x1fff_7800), { code: 'BOOTLOADER_NACK', stage: 'address' });
  });
});

describe('a flagged byte (parity or framing error) on the link', () => {
  test('is a BOOTLOADER_LINE_ERROR at the stage it hit: a link error, never a reply', async () => {
    const [host] = createMemoryLink();
    const flagged = Object.assign(Object.create(host) as typeof host, {
      read: () => Promise.reject(new TransportLineError('parity-or-framing')),
    });
    const client = new BootloaderClient(flagged, { replyMarginMs: 5, maxResyncAttempts: 1 });
    const error = await client.connect().catch((e: unknown) => e);
    assert.ok(error instanceof BootloaderLineError);
    assert.equal(error.stage, 'sync');
    await host.close();
  });
});
