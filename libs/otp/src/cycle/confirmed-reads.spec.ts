// The cycle's confirmation rules (docs/bootloader.md, "Confirmed reads"), proved against the
// simulator's device behind a noisy line that alters chosen reply bytes once. Every "corrupted" case also runs
// the cycle again on the same chip, to show the link error was resumable.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Opcode } from '../bootloader/an3155.js';
import { type ChipView } from '../bootloader/testing/wired-device.js';
import { imageFromRaw } from '../image/image-helpers.js';
import { type OtpImage } from '../image/otp-image.js';
import { otpSizeBytes, STM32F4 } from '../profiles/index.js';
import { runProvisioningCycle } from './run-cycle.js';
import {
  createNoisyHarness,
  GET_ID_PID_LOW_BYTE,
  readDataByte,
  type ReplyCorruption,
} from './testing/noisy-harness.js';
import { type CycleResult } from './types.js';

type NoisyHarness = ReturnType<typeof createNoisyHarness>;
let harness: NoisyHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function setUp(corruptions: readonly ReplyCorruption[], chip?: ChipView): NoisyHarness {
  harness = createNoisyHarness(corruptions, chip === undefined ? {} : { chip });
  return harness;
}

/** Blocks 0–9 filled with a pattern (byte 5 of every 17 stays blank), blocks `locks` locked. */
function target(locks: readonly number[] = [0, 1, 2]): OtpImage {
  const data = new Uint8Array(otpSizeBytes(STM32F4)).fill(0xff);
  for (let i = 0; i < 10 * STM32F4.blockSizeBytes; i += 1) data[i] = i % 17 === 5 ? 0xff : (i * 7 + 3) & 0xff;
  return imageFromRaw('stm32f4', data, locks);
}

// Read Memory commands of a cycle on a blank F4 (each ranged read is split into ≤ 256-byte commands):
// 1–3 OTP + locks + UID (256, 256, 28: lock bytes 0–15, UID 16–27 of the third) · 4–6 the same again ·
// then read-backs.
const READ = { otpFirst: 1, lockChunk: 3, uidChunkAgain: 6, otpAgain: 4 } as const;
const UID_IN_LAST_CHUNK = 16;
const toByte = (value: number) => () => value;
const writes = (h: NoisyHarness) => h.device.commandLog.filter((op) => op === Opcode.WRITE_MEMORY).length;

async function cycle(h: NoisyHarness, image: OtpImage = target()): Promise<CycleResult> {
  return runProvisioningCycle(h.client, { profile: STM32F4, target: image });
}

async function assertResumes(h: NoisyHarness, image: OtpImage = target()): Promise<CycleResult> {
  const again = await cycle(h, image);
  assert.ok(['provisioned', 'already-provisioned'].includes(again.outcome), again.outcome);
  assert.deepEqual(h.chip.data, image.data);
  assert.deepEqual(h.chip.damaged, []);
  return again;
}

describe('confirmed reads: identity', () => {
  test('a corrupted Get ID answer is a link error, not a wrong device', async () => {
    // 0x13 ^ 0x5a = 0x49: the F4 (0x413) looks like an F7 (0x449) in the first answer only.
    const h = setUp([{ opcode: Opcode.GET_ID, occurrence: 1, byteIndex: GET_ID_PID_LOW_BYTE, alter: (b) => b ^ 0x5a }]);
    const result = await cycle(h);
    assert.equal(h.device.applied.length, 1);
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.code, 'BOOTLOADER_INCONSISTENT_REPLY');
    assert.equal(result.error?.phase, 'identify');
    assert.equal(result.error?.stage, null);
    assert.equal(result.productId, undefined);
    assert.deepEqual(h.device.commandLog, [Opcode.GET, Opcode.GET_ID, Opcode.GET_ID]);
    await assertResumes(h);
  });

  test('a corrupted second Get ID answer is a link error too', async () => {
    const h = setUp([{ opcode: Opcode.GET_ID, occurrence: 2, byteIndex: GET_ID_PID_LOW_BYTE }]);
    const result = await cycle(h);
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.code, 'BOOTLOADER_INCONSISTENT_REPLY');
    assert.equal(writes(h), 0);
  });

  test('a corrupted Get command list (Write Memory missing) is a link error, not a wrong device', async () => {
    // Get: 79 N ver c0 c1 …; the classic list has 0x31 at c5 (byte 8).
    const h = setUp([{ opcode: Opcode.GET, occurrence: 1, byteIndex: 8, alter: toByte(0x30) }]);
    const result = await cycle(h);
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.code, 'BOOTLOADER_INCONSISTENT_REPLY');
    assert.deepEqual(h.device.commandLog, [Opcode.GET, Opcode.GET_ID, Opcode.GET_ID, Opcode.GET]);
    await assertResumes(h);
  });

  test('two equal answers naming another family are still a wrong device', async () => {
    harness = createNoisyHarness([], { device: { productId: 0x449 } });
    const result = await cycle(harness);
    assert.equal(result.outcome, 'wrong-device');
    assert.equal(result.error?.code, 'WRONG_DEVICE');
    assert.equal(result.productId, 0x449);
    assert.equal(result.confirmReads.count, 1);
  });
});

describe('confirmed reads: the state a plan rests on', () => {
  test('a programmed byte read as 0xFF in the first read: nothing is written, link error', async () => {
    const image = target();
    assert.notEqual(image.data[6], 0xff); // the byte the line will blank
    const h = setUp([
      { opcode: Opcode.READ_MEMORY, occurrence: READ.otpFirst, byteIndex: readDataByte(6), alter: toByte(0xff) },
    ]);
    h.chip.setData(image.data.subarray(0, 32), 0); // block 0 already programmed (an interrupted run)
    const result = await cycle(h, image);
    assert.equal(h.device.applied.length, 1);
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.code, 'READ_UNSTABLE');
    assert.equal(result.error?.phase, 'read');
    assert.match(result.error?.message ?? '', /1 byte\(s\), first at data offset 6/);
    assert.equal(writes(h), 0, 'a plan from one read would have programmed byte 6 a second time');
    assert.equal(result.plan, undefined);
    assert.equal(result.otpData, undefined, 'disagreeing reads are never recorded');
    assert.equal(result.uid, undefined);
    await assertResumes(h, image);
  });

  test('a corruption in the confirming read stops the cycle the same way', async () => {
    const h = setUp([{ opcode: Opcode.READ_MEMORY, occurrence: READ.otpAgain, byteIndex: readDataByte(40) }]);
    const result = await cycle(h);
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.code, 'READ_UNSTABLE');
    assert.equal(writes(h), 0);
    await assertResumes(h);
  });

  test('a corrupted UID is a link error: the claim hook never sees it', async () => {
    const h = setUp([
      { opcode: Opcode.READ_MEMORY, occurrence: READ.uidChunkAgain, byteIndex: readDataByte(UID_IN_LAST_CHUNK + 11) },
    ]);
    let claimed = false;
    const result = await runProvisioningCycle(h.client, {
      profile: STM32F4,
      target: target(),
      beforeWrite: () => {
        claimed = true;
        return Promise.resolve();
      },
    });
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.code, 'READ_UNSTABLE');
    assert.match(result.error?.message ?? '', /unique device ID/);
    assert.equal(result.uid, undefined);
    assert.equal(claimed, false);
    assert.equal(writes(h), 0);
  });

  test('a blank byte read as a conflicting value is a link error, not a conflict', async () => {
    const h = setUp([
      { opcode: Opcode.READ_MEMORY, occurrence: READ.otpFirst, byteIndex: readDataByte(40), alter: toByte(0x00) },
    ]);
    const result = await cycle(h);
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.code, 'READ_UNSTABLE');
    assert.deepEqual(result.conflicts, []);
    await assertResumes(h);
  });

  test('a real conflict, read twice alike, is still a conflict', async () => {
    const image = target();
    const h = setUp([]);
    h.chip.setData([(image.data[40] ?? 0) ^ 0x0f], 40);
    const result = await cycle(h, image);
    assert.equal(result.outcome, 'conflict');
    assert.equal(result.conflicts.length, 1);
    assert.equal(result.confirmReads.count, 2); // Get ID, then UID + OTP + locks
    assert.equal(writes(h), 0);
  });

  test('an open lock byte read as locked is a link error, not already-provisioned', async () => {
    const h = setUp([]);
    assert.equal((await cycle(h, target([0, 1]))).outcome, 'provisioned');
    await h.close();
    // Same chip, new line: block 2's open lock byte (0xFF) reads 0x00 once.
    const noisy = setUp(
      [{ opcode: Opcode.READ_MEMORY, occurrence: READ.lockChunk, byteIndex: readDataByte(2), alter: toByte(0x00) }],
      h.chip,
    );
    const result = await cycle(noisy, target([0, 1, 2]));
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.code, 'READ_UNSTABLE');
    assert.match(result.error?.message ?? '', /lock byte 2/);
    const again = await assertResumes(noisy, target([0, 1, 2]));
    assert.equal(again.blocksLocked, 1);
  });
});

describe('confirmed reads: verification', () => {
  // After the 6 reads above, a blank chip's data read-back is Read Memory 7–8 (256 + 256 bytes),
  // and after the locks the lock read-back is 9 (16 bytes).
  test('a corrupted data read-back is a link error, not verify-failed; nothing is locked', async () => {
    const h = setUp([{ opcode: Opcode.READ_MEMORY, occurrence: 7, byteIndex: readDataByte(3) }]);
    const result = await cycle(h);
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.code, 'READ_UNSTABLE');
    assert.equal(result.error?.phase, 'verify');
    assert.match(result.error?.message ?? '', /data read-back/);
    assert.deepEqual(result.mismatches, []);
    assert.ok(h.chip.lockBytes.every((b) => b === 0xff));
    const again = await assertResumes(h);
    assert.equal(again.outcome, 'provisioned');
    assert.equal(again.bytesWritten, 0, 'the data was right: only the locks were left');
    assert.equal(again.blocksLocked, 3);
  });

  test('a corrupted lock read-back is a link error, not verify-failed', async () => {
    const h = setUp([{ opcode: Opcode.READ_MEMORY, occurrence: 9, byteIndex: readDataByte(1) }]);
    const result = await cycle(h);
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.phase, 'lock');
    assert.equal(result.error?.code, 'READ_UNSTABLE');
    const again = await assertResumes(h);
    assert.equal(again.outcome, 'already-provisioned');
  });

  test('a byte the chip does not take, read twice alike, is verify-failed', async () => {
    const image = target();
    harness = createNoisyHarness([], { device: { faults: { weakDataBits: [{ offsetBytes: 3, mask: 0x01 }] } } });
    const h = harness; // bit 0 of data byte 3 stays 1, yet the ROM ACKs the write
    const result = await cycle(h, image);
    assert.equal(result.outcome, 'verify-failed');
    assert.deepEqual(result.mismatches, [
      { region: 'data', offsetBytes: 3, expected: image.data[3], actual: (image.data[3] ?? 0) | 1 },
    ]);
    assert.equal(result.confirmReads.count, 3); // Get ID, UID + OTP + locks, the data read-back
    assert.ok(h.chip.lockBytes.every((b) => b === 0xff));
  });
});

describe('confirmed reads: cost', () => {
  test('a blank F4 pays one Get ID and one 540-byte read (OTP, locks and UID), counted in wire', async () => {
    const h = setUp([]);
    const result = await cycle(h);
    assert.equal(result.outcome, 'provisioned');
    const { count, wire } = result.confirmReads;
    assert.equal(count, 2);
    // Get ID: 2 sent + 5 received. A Read Memory of n bytes is n + 12 on the wire (docs/hardware.md §timing):
    // OTP + locks + UID 540 + 3 × 12 (the UID follows the lock bytes: one ranged read).
    assert.equal(wire.bytesSent + wire.bytesReceived, 7 + 576);
    assert.equal(wire.roundTrips, 1 + 9);
    assert.ok(result.wire.bytesReceived >= wire.bytesReceived);
    assert.equal(result.wire.bytesSent, h.device.received.length);
  });

  test('the cost is counted in time by the cycle clock', async () => {
    const h = setUp([]);
    let now = 0;
    const result = await runProvisioningCycle(h.client, {
      profile: STM32F4,
      target: target(),
      clock: () => (now += 1),
    });
    assert.ok(result.confirmReads.durationMs > 0);
    assert.ok(result.confirmReads.durationMs < result.totalMs);
  });
});
