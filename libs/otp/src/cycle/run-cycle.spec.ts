import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Opcode } from '../bootloader/an3155.js';
import { BootloaderClient } from '../bootloader/client.js';
import { createHarness, TEST_TIMING, type Harness } from '../bootloader/testing/harness.js';
import { imageFromRaw } from '../image/image-helpers.js';
import { type OtpImage } from '../image/otp-image.js';
import { type DeviceProfile, otpSizeBytes, STM32F4, STM32F7, STM32L4 } from '../profiles/index.js';
import { createMemoryLink } from '../transport/index.js';
import { runProvisioningCycle } from './run-cycle.js';
import { type CycleProgressEvent, type CycleOptions } from './types.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/**
 * Blocks 0–9 filled with a pattern (some 0xFF bytes stay blank), blocks `locks` locked. On F4 the
 * data goes out as two Write Memory frames (256 + 64 bytes, both resync-safe as they are:
 * docs/hardware.md §resync-safe-frames), which the fault tests below count on (writeIndex).
 */
function targetFor(profile: DeviceProfile, locks: readonly number[] = [0, 1, 2]): OtpImage {
  const data = new Uint8Array(otpSizeBytes(profile)).fill(0xff);
  for (let i = 0; i < 10 * profile.blockSizeBytes; i += 1) data[i] = i % 17 === 5 ? 0xff : (i * 7 + 1) & 0xff;
  return imageFromRaw(profile.family, data, locks);
}

function setUp(options: Parameters<typeof createHarness>[0] = {}): Harness {
  harness = createHarness(options);
  return harness;
}

const writesTo = (h: Harness) => h.device.commandLog.filter((op) => op === Opcode.WRITE_MEMORY).length;

describe('runProvisioningCycle', () => {
  test('provisions a blank F4: data verified, then locked, then confirmed', async () => {
    const h = setUp();
    const target = targetFor(STM32F4);
    const events: CycleProgressEvent[] = [];
    const result = await runProvisioningCycle(h.client, {
      profile: STM32F4,
      target,
      onProgress: (e) => events.push(e),
    });
    assert.equal(result.outcome, 'provisioned');
    assert.equal(result.family, 'stm32f4');
    assert.equal(result.productId, 0x413);
    assert.equal(result.bootloaderVersion, 0x31);
    assert.equal(result.uid, Buffer.from(h.chip.uid).toString('hex'));
    assert.deepEqual(h.chip.data, target.data);
    assert.deepEqual([...h.chip.lockBytes.subarray(0, 4)], [0x00, 0x00, 0x00, 0xff]);
    assert.deepEqual(result.otpData, target.data);
    assert.deepEqual(result.lockBytes, h.chip.lockBytes);
    assert.equal(result.bytesWritten, target.data.filter((b) => b !== 0xff).length);
    assert.equal(result.blocksLocked, 3);
    assert.deepEqual(result.plan?.blocksToLock, [0, 1, 2]);
    assert.deepEqual(result.mismatches, []);
    assert.equal(result.error, undefined);
    assert.deepEqual(h.chip.damaged, []);
    // Wire accounting matches what the device saw.
    assert.equal(result.wire.bytesSent, h.device.received.length);
    assert.equal(result.wire.bytesReceived, h.device.sentBytes);
    // Lock chunks come after every data chunk.
    const lockWrites = h.device.writes.filter((w) => w.address >= (STM32F4.lockBaseAddress ?? 0));
    assert.equal(lockWrites.length, 1);
    assert.equal(h.device.writes.at(-1), lockWrites[0]);
    const phases = events.filter((e) => e.type === 'phase-start').map((e) => e.phase);
    assert.deepEqual(phases, ['connect', 'identify', 'read', 'plan', 'write', 'verify', 'lock']);
    assert.ok(events.some((e) => e.type === 'chunk-written' && e.phase === 'lock'));
  });

  test('a second run finds the device already provisioned and writes nothing', async () => {
    const h = setUp();
    const target = targetFor(STM32F4);
    await runProvisioningCycle(h.client, { profile: STM32F4, target });
    const writes = writesTo(h);
    const again = await runProvisioningCycle(h.client, { profile: STM32F4, target });
    assert.equal(again.outcome, 'already-provisioned');
    assert.equal(writesTo(h), writes);
    assert.equal(again.bytesWritten, 0);
    assert.deepEqual(again.otpData, target.data);
  });

  test('a chip of another family is a wrong device: nothing is read or written', async () => {
    const h = setUp({ device: { productId: 0x449 } });
    const result = await runProvisioningCycle(h.client, { profile: STM32F4, target: targetFor(STM32F4) });
    assert.equal(result.outcome, 'wrong-device');
    assert.equal(result.family, 'stm32f7');
    assert.equal(result.error?.code, 'WRONG_DEVICE');
    assert.equal(result.error?.phase, 'identify');
    assert.deepEqual(h.device.commandLog, [Opcode.GET, Opcode.GET_ID, Opcode.GET_ID]); // the verdict is confirmed
    assert.equal(result.otpData, undefined);
  });

  test('an unknown PID, or a bootloader without Write Memory, is a wrong device', async () => {
    const unknown = setUp({ device: { productId: 0x999 } });
    const first = await runProvisioningCycle(unknown.client, { profile: STM32F4, target: targetFor(STM32F4) });
    assert.equal(first.outcome, 'wrong-device');
    assert.equal(first.family, undefined);
    await unknown.close();
    const readOnly = setUp({ device: { commands: [0x00, 0x01, 0x02, 0x11] } });
    const second = await runProvisioningCycle(readOnly.client, { profile: STM32F4, target: targetFor(STM32F4) });
    assert.equal(second.outcome, 'wrong-device');
    assert.equal(second.error?.code, 'BOOTLOADER_COMMAND_UNSUPPORTED');
    // A verdict resting on the command list is confirmed by a second Get.
    assert.deepEqual(readOnly.device.commandLog, [Opcode.GET, Opcode.GET_ID, Opcode.GET_ID, Opcode.GET]);
  });

  test('a conflicting byte stops the cycle before any write', async () => {
    const h = setUp();
    const target = targetFor(STM32F4);
    h.chip.setData([(target.data[40] ?? 0) ^ 0x0f], 40);
    const result = await runProvisioningCycle(h.client, { profile: STM32F4, target });
    assert.equal(result.outcome, 'conflict');
    assert.equal(writesTo(h), 0);
    assert.deepEqual(
      result.conflicts.map((c) => [c.reason, 'offsetBytes' in c ? c.offsetBytes : -1]),
      [['byte-conflict', 40]],
    );
    assert.equal(result.plan?.kind, 'conflict');
  });

  test('a dry run plans and stops; beforeWrite is not called', async () => {
    const h = setUp();
    let called = false;
    const result = await runProvisioningCycle(h.client, {
      profile: STM32F4,
      target: targetFor(STM32F4),
      dryRun: true,
      beforeWrite: () => {
        called = true;
        return Promise.resolve();
      },
    });
    assert.equal(result.outcome, 'planned');
    assert.equal(result.plan?.kind, 'write');
    assert.ok((result.plan?.dataChunks ?? 0) > 0);
    assert.equal(called, false);
    assert.equal(writesTo(h), 0);
  });

  test('beforeWrite gets the UID; when it throws, nothing is written and its error propagates', async () => {
    const h = setUp();
    const refusal = new Error('already claimed');
    let seenUid = '';
    const run = runProvisioningCycle(h.client, {
      profile: STM32F4,
      target: targetFor(STM32F4),
      beforeWrite: (uid) => {
        seenUid = uid;
        return Promise.reject(refusal);
      },
    });
    await assert.rejects(run, (e: unknown) => e === refusal);
    assert.equal(seenUid, Buffer.from(h.chip.uid).toString('hex'));
    assert.equal(writesTo(h), 0);
  });

  test('a read-back mismatch ends in verify-failed: no lock, no rewrite; the next run sees a conflict', async () => {
    const target = targetFor(STM32F4);
    assert.equal((target.data[3] ?? 0) & 0x01, 0); // the test relies on bit 0 of byte 3 being 0
    // One weak cell: bit 0 of data byte 3 stays 1, yet the ROM ACKs the write.
    const h = setUp({ device: { faults: { weakDataBits: [{ offsetBytes: 3, mask: 0x01 }] } } });
    const result = await runProvisioningCycle(h.client, { profile: STM32F4, target });
    assert.equal(result.outcome, 'verify-failed');
    assert.deepEqual(result.mismatches, [
      { region: 'data', offsetBytes: 3, expected: target.data[3], actual: (target.data[3] ?? 0) | 1 },
    ]);
    assert.ok(h.chip.lockBytes.every((b) => b === 0xff));
    assert.equal(result.blocksLocked, 0);
    const writes = writesTo(h);
    const next = await runProvisioningCycle(h.client, { profile: STM32F4, target });
    assert.equal(next.outcome, 'conflict');
    assert.equal(writesTo(h), writes);
    assert.deepEqual(h.chip.damaged, []);
  });

  test('lock bytes that do not take are reported as a lock mismatch', async () => {
    // Every lock cell weak: lock writes are ACKed, the lock bytes stay 0xFF.
    const weakLockBits = Array.from({ length: 16 }, (_, offsetBytes) => ({ offsetBytes, mask: 0xff }));
    const h = setUp({ device: { faults: { weakLockBits } } });
    const result = await runProvisioningCycle(h.client, { profile: STM32F4, target: targetFor(STM32F4, [1]) });
    assert.equal(result.outcome, 'verify-failed');
    assert.deepEqual(result.mismatches, [{ region: 'lock', offsetBytes: 1, expected: 0x00, actual: 0xff }]);
    assert.equal(result.blocksLocked, 0);
  });

  test('a link error mid-write leaves the device resumable: the next run completes it', async () => {
    let armed = true;
    const h = setUp({
      device: {
        onStage: (e) => (armed && e.stage === 'data' && e.writeIndex === 2 ? 'hang' : undefined),
      },
    });
    const target = targetFor(STM32F4);
    const first = await runProvisioningCycle(h.client, { profile: STM32F4, target });
    assert.equal(first.outcome, 'link-error');
    assert.equal(first.error?.code, 'BOOTLOADER_TIMEOUT');
    assert.equal(first.error?.phase, 'write');
    assert.equal(first.error?.stage, 'data');
    assert.ok(first.bytesWritten > 0);
    assert.ok(h.chip.lockBytes.every((b) => b === 0xff));
    armed = false;
    h.device.revive(); // the cable is back; the device never reset
    const second = await runProvisioningCycle(h.client, { profile: STM32F4, target });
    assert.equal(second.outcome, 'provisioned');
    assert.deepEqual(h.chip.data, target.data);
    assert.deepEqual(h.chip.damaged, []);
  });

  test('a link error while locking, then a power cycle and a fresh client: the next run completes it', async () => {
    let armed = true;
    const lockBase = STM32F4.lockBaseAddress ?? 0;
    const h = setUp({
      device: {
        onStage: (e) =>
          armed && e.opcode === Opcode.WRITE_MEMORY && e.stage === 'command' && e.writeIndex >= 2 ? 'hang' : undefined,
      },
    });
    const target = targetFor(STM32F4);
    const first = await runProvisioningCycle(h.client, { profile: STM32F4, target });
    assert.equal(first.outcome, 'link-error');
    assert.equal(first.error?.phase, 'lock');
    armed = false;
    h.device.revive(true);
    const client = new BootloaderClient(h.host, TEST_TIMING);
    const second = await runProvisioningCycle(client, { profile: STM32F4, target });
    assert.equal(second.outcome, 'provisioned');
    assert.equal(second.bytesWritten, 0);
    assert.equal(second.blocksLocked, 3);
    assert.ok(h.device.writes.some((w) => w.address === lockBase));
    assert.deepEqual(h.chip.damaged, []);
  });

  test('no device at all is a link error in the connect phase', async () => {
    const [host] = createMemoryLink();
    const client = new BootloaderClient(host, { ...TEST_TIMING, replyMarginMs: 5, maxResyncAttempts: 3 });
    const result = await runProvisioningCycle(client, { profile: STM32F4, target: targetFor(STM32F4) });
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.code, 'BOOTLOADER_SYNC_FAILED');
    assert.equal(result.error?.phase, 'connect');
    assert.equal(result.uid, undefined);
    await host.close();
  });

  test('F7 (8-byte alignment, 64-byte blocks) and L4 (no lock bytes) provision too', async () => {
    for (const profile of [STM32F7, STM32L4]) {
      const h = setUp({ profile });
      const target = targetFor(profile, profile.lockBaseAddress === null ? [] : [0]);
      const result = await runProvisioningCycle(h.client, { profile, target });
      assert.equal(result.outcome, 'provisioned', profile.family);
      assert.deepEqual(h.chip.data, target.data);
      assert.deepEqual(h.chip.damaged, []);
      assert.equal(result.lockBytes?.length, profile.lockBaseAddress === null ? 0 : 16);
      await h.close();
    }
  });

  test('durations use the injected clock and cover every phase', async () => {
    const h = setUp();
    let now = 0;
    const result = await runProvisioningCycle(h.client, {
      profile: STM32F4,
      target: targetFor(STM32F4),
      clock: () => (now += 1),
    });
    assert.deepEqual(Object.keys(result.durationsMs), [
      'connect',
      'identify',
      'read',
      'plan',
      'write',
      'verify',
      'lock',
    ]);
    assert.ok(Object.values(result.durationsMs).every((ms) => ms > 0));
    assert.ok(result.totalMs > result.durationsMs.write);
  });

  test('inconsistent options are programmer errors (thrown, nothing sent)', async () => {
    const h = setUp();
    const options: CycleOptions = { profile: STM32F7, target: targetFor(STM32F4) };
    await assert.rejects(runProvisioningCycle(h.client, options), { code: 'CYCLE_INVALID_ARGUMENT' });
    const short = { ...targetFor(STM32F4), data: new Uint8Array(10) };
    await assert.rejects(runProvisioningCycle(h.client, { profile: STM32F4, target: short }), {
      code: 'IMAGE_INVALID',
    });
    assert.deepEqual(h.device.received, []);
  });
});
