import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Opcode } from '../bootloader/an3155.js';
import { createHarness, type Harness } from '../bootloader/testing/harness.js';
import { imageFromRaw } from '../image/image-helpers.js';
import { otpSizeBytes, STM32F4 } from '../profiles/index.js';
import { ReadoutProtectedError } from './errors.js';
import { readDeviceOtp } from './read-device.js';
import { runProvisioningCycle } from './run-cycle.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const target = () => {
  const data = new Uint8Array(otpSizeBytes(STM32F4)).fill(0xff);
  data.fill(0x5a, 0, 32);
  return imageFromRaw('stm32f4', data, [0]);
};

const protectedChip = (): Harness => {
  harness = createHarness();
  harness.chip.model.setReadoutProtection('level-1');
  return harness;
};

describe('readout protection', () => {
  test('a chip under RDP level 1 ends the cycle as protected after two refused reads; nothing is written', async () => {
    const h = protectedChip();
    const result = await runProvisioningCycle(h.client, { profile: STM32F4, target: target() });
    assert.equal(result.outcome, 'protected');
    assert.equal(result.productId, 0x413);
    assert.equal(result.uid, undefined);
    assert.equal(result.error?.code, 'CHIP_READOUT_PROTECTED');
    assert.equal(result.error?.phase, 'read');
    assert.equal(result.error?.stage, 'command');
    assert.equal(h.device.commandLog.filter((op) => op === Opcode.READ_MEMORY).length, 2);
    assert.equal(h.device.commandLog.filter((op) => op === Opcode.WRITE_MEMORY).length, 0);
    assert.equal(result.confirmReads.count, 2); // the second Get ID and the second refused read
  });

  test('one refused Read Memory (a corrupted command) is a resumable link error, not protected', async () => {
    let refused = false;
    harness = createHarness({
      device: {
        onStage: ({ opcode, stage }) => {
          if (refused || opcode !== Opcode.READ_MEMORY || stage !== 'command') return undefined;
          refused = true;
          return 'nack';
        },
      },
    });
    const result = await runProvisioningCycle(harness.client, { profile: STM32F4, target: target() });
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.code, 'BOOTLOADER_NACK');
  });

  test('the two NACKs of an F40x V3.1 bootloader are read as protection too', async () => {
    harness = createHarness({
      device: {
        onStage: ({ opcode, stage }) =>
          opcode === Opcode.READ_MEMORY && stage === 'command' ? 'double-nack' : undefined,
      },
    });
    const result = await runProvisioningCycle(harness.client, { profile: STM32F4, target: target() });
    assert.equal(result.outcome, 'protected');
  });

  test('readDeviceOtp throws ReadoutProtectedError for a protected chip', async () => {
    const h = protectedChip();
    await assert.rejects(readDeviceOtp(h.client), ReadoutProtectedError);
  });

  test('Readout Protect (0x82) sets RDP level 1 and resets the chip: reads are refused after a new connect', async () => {
    harness = createHarness();
    const { client, chip } = harness;
    await client.connect();
    await client.readoutProtect();
    assert.equal(client.state, 'not-connected');
    assert.equal(chip.model.readoutProtection, 'level-1');
    assert.equal(await client.connect(), 'fresh'); // the reset chip waits for 0x7F again
    assert.equal(await client.getId(), 0x413);
    await assert.rejects(client.readMemory(STM32F4.uidAddress, 12), { code: 'BOOTLOADER_NACK', stage: 'command' });
  });
});
