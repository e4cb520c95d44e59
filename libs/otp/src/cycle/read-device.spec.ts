import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Opcode } from '../bootloader/an3155.js';
import { createHarness, type Harness } from '../bootloader/testing/harness.js';
import { STM32F4, STM32F7 } from '../profiles/index.js';
import { UnconfirmedReadError, WrongDeviceError } from './errors.js';
import { readDeviceOtp } from './read-device.js';
import { createNoisyHarness, GET_ID_PID_LOW_BYTE } from './testing/noisy-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('readDeviceOtp', () => {
  test('reads identity, UID, OTP data and lock bytes without writing (F4: one 540-byte region with the UID)', async () => {
    harness = createHarness();
    harness.chip.setData([1, 2, 3], 0);
    harness.chip.setLockBytes([0x00], 0);
    const readout = await readDeviceOtp(harness.client, STM32F4);
    assert.equal(readout.family, 'stm32f4');
    assert.equal(readout.productId, 0x413);
    assert.equal(readout.bootloaderVersion, 0x31);
    assert.equal(readout.uid, Buffer.from(harness.chip.uid).toString('hex'));
    assert.deepEqual(readout.otpData, harness.chip.data);
    assert.deepEqual(readout.lockBytes, harness.chip.lockBytes);
    // Get, Get ID, OTP + locks + UID in one ranged read (3 commands: 256 + 256 + 28)
    assert.deepEqual(harness.device.commandLog, [
      Opcode.GET,
      Opcode.GET_ID,
      ...new Array<number>(3).fill(Opcode.READ_MEMORY),
    ]);
    assert.equal(readout.wire.bytesSent, harness.device.received.length);
  });

  test('a chip that NACKs the read across the lock bytes into the UID is read apart, with the same result', async () => {
    let readAddresses = 0;
    harness = createHarness({
      device: {
        // The third Read Memory (0x1FFF7A00, 28 bytes: locks + UID) is refused at its address.
        onStage: (event) =>
          event.opcode === Opcode.READ_MEMORY && event.stage === 'address' && ++readAddresses === 3
            ? 'nack'
            : undefined,
      },
    });
    harness.chip.setData([1, 2, 3], 0);
    const readout = await readDeviceOtp(harness.client, STM32F4);
    assert.equal(readout.uid, Buffer.from(harness.chip.uid).toString('hex'));
    assert.deepEqual(readout.otpData, harness.chip.data);
    assert.deepEqual(readout.lockBytes, harness.chip.lockBytes);
    const reads = harness.device.commandLog.filter((op) => op === Opcode.READ_MEMORY).length;
    assert.equal(reads, 3 + 1 + 3, 'the refused ranged read, then the UID and the OTP + locks apart');
  });

  test('without a profile, the family comes from the product ID', async () => {
    harness = createHarness({ profile: STM32F7 });
    const readout = await readDeviceOtp(harness.client);
    assert.equal(readout.family, 'stm32f7');
    assert.equal(readout.otpData.length, 1024);
    assert.equal(readout.lockBytes.length, 16);
  });

  test('a chip of another family or an unknown chip throws WRONG_DEVICE', async () => {
    harness = createHarness({ profile: STM32F7 });
    await assert.rejects(readDeviceOtp(harness.client, STM32F4), (e: unknown) => {
      return e instanceof WrongDeviceError && e.code === 'WRONG_DEVICE' && e.productId === 0x449;
    });
    await harness.close();
    harness = createHarness({ device: { productId: 0x123 } });
    await assert.rejects(readDeviceOtp(harness.client), { code: 'WRONG_DEVICE', message: /0x123/ });
    // The verdict was confirmed by asking again.
    assert.deepEqual(harness.device.commandLog, [Opcode.GET, Opcode.GET_ID, Opcode.GET, Opcode.GET_ID]);
  });

  test('a corrupted Get ID answer is BOOTLOADER_INCONSISTENT_REPLY, not WRONG_DEVICE', async () => {
    harness = createNoisyHarness([{ opcode: Opcode.GET_ID, occurrence: 1, byteIndex: GET_ID_PID_LOW_BYTE }]);
    await assert.rejects(
      readDeviceOtp(harness.client, STM32F4),
      (e: unknown) => e instanceof UnconfirmedReadError && e.code === 'BOOTLOADER_INCONSISTENT_REPLY',
    );
    const readout = await readDeviceOtp(harness.client, STM32F4);
    assert.equal(readout.productId, 0x413);
  });

  test('link failures propagate as typed errors', async () => {
    harness = createHarness({
      device: { onStage: (e) => (e.opcode === Opcode.READ_MEMORY && e.stage === 'address' ? 'nack' : undefined) },
    });
    await assert.rejects(readDeviceOtp(harness.client, STM32F4), { code: 'BOOTLOADER_NACK', stage: 'address' });
  });
});
