import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { STM32F4 } from '../profiles/index.js';
import { Opcode } from './an3155.js';
import { BootloaderSyncFailedError } from './errors.js';
import { encodeAddress, encodeCommand } from './frames.js';
import { createHarness, type Harness } from './testing/harness.js';
import { createMemoryLink } from '../transport/index.js';
import { BootloaderClient } from './client.js';

const OTP = STM32F4.otpBaseAddress;
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A harness whose fake device has already received `bytes` (e.g. from a crashed session). */
function deviceThatReceived(bytes: readonly number[]): Harness {
  harness = createHarness();
  for (const byte of bytes) harness.fake.feed(byte);
  harness.fake.received.length = 0;
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
    assert.deepEqual(harness.fake.received, [0x7f]);
    assert.equal(harness.client.state, 'synchronised');
  });

  test('a device already in sync (0x7F becomes half a command) is recovered and confirmed', async () => {
    const { client, fake } = deviceThatReceived([0x7f]);
    assert.equal(await client.connect(), 'resynchronised');
    assert.equal(await client.getId(), 0x413);
    assert.deepEqual(unusualBytes(fake.received), [0x02, 0xfd]); // only Get ID after the recovery
  });

  test('a NACK to 0x7F is accepted only after Get Version confirms it', async () => {
    const { client, fake } = deviceThatReceived([0x7f, 0x00]); // 00 pending: 00 7F → NACK
    assert.equal(await client.connect(), 'already-synchronised');
    assert.deepEqual(fake.received, [0x7f, 0x01, 0xfe]);
  });

  test('a device left in the middle of a Read Memory address is recovered', async () => {
    const { client, chip } = deviceThatReceived([0x7f, ...encodeCommand(Opcode.READ_MEMORY), 0x1f, 0xff]);
    await client.connect();
    assert.deepEqual(await client.readMemory(OTP, 8), chip.data.subarray(0, 8));
  });

  test('a device left waiting for Write Memory data is recovered without programming anything', async () => {
    const { client, chip, fake } = deviceThatReceived([
      0x7f,
      ...encodeCommand(Opcode.WRITE_MEMORY),
      ...encodeAddress(OTP),
    ]);
    chip.data.set([0x12, 0x34], 0); // already programmed bytes must survive
    await client.connect();
    assert.deepEqual([...chip.data.subarray(0, 4)], [0x12, 0x34, 0xff, 0xff]);
    assert.ok(chip.data.subarray(2).every((b) => b === 0xff));
    assert.deepEqual(chip.damaged, []);
    assert.deepEqual(fake.writes, []); // the 0x7F became N; the 0xFF checksum cannot match
    assert.deepEqual(unusualBytes(fake.received), []);
    assert.equal(await client.getId(), 0x413);
  });

  test('a device stuck right after a write address ACK, when the client notices, programs only 0xFF', async () => {
    // The device goes silent after ACKing the address: the client times out, then re-synchronises
    // with 0xFF bytes only. A data block of 0xFF clears no bit (reference §4).
    let hang = true;
    harness = createHarness({
      fake: {
        onStage: (e) => (hang && e.opcode === Opcode.WRITE_MEMORY && e.stage === 'address' ? 'hang' : undefined),
      },
    });
    const { client, chip, fake } = harness;
    chip.data.set([0x55, 0xaa, 0x00, 0x01], 0);
    await client.connect();
    await assert.rejects(client.writeMemory(OTP + 4, Uint8Array.of(1, 2, 3, 4), { alignmentBytes: 4 }), {
      code: 'BOOTLOADER_TIMEOUT',
      stage: 'address',
    });
    hang = false;
    fake.revive();
    assert.equal(await client.getId(), 0x413);
    assert.deepEqual([...chip.data.subarray(0, 8)], [0x55, 0xaa, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual(chip.damaged, []);
    assert.ok(fake.writes.every((w) => w.bytes.every((b) => b === 0xff)));
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
