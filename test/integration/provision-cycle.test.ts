// The provisioning cycle over real ptys (socat) opened with the real serialport binding, against the
// simulator: every outcome, and every injected fault followed by a run that completes the chip.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type OtpImage } from '#ingrain/otp';
import { runCycleOnPort } from '../../testkit/cycle.js';
import { allBlocks, patternImage } from '../../testkit/otp-images.js';
import {
  startTestSimulator,
  type FaultPlan,
  type SimulatedDeviceHandle,
  type TestSimulator,
} from '../support/simulator.js';

function assertHolds(handle: SimulatedDeviceHandle, target: OtpImage): void {
  const otp = handle.device.otp();
  assert.deepEqual(
    Buffer.from(otp.data).toString('hex'),
    Buffer.from(target.data).toString('hex'),
    'OTP data equals the target',
  );
  const locked = [...otp.lockBytes].flatMap((byte, block) => (byte === 0x00 ? [block] : []));
  assert.deepEqual(locked, target.lockedBlocks, 'exactly the target blocks are locked');
  assert.deepEqual(handle.device.damagedBytes(), [], 'no byte was programmed twice');
}

function snapshot(handle: SimulatedDeviceHandle): string {
  const otp = handle.device.otp();
  return Buffer.from(otp.data).toString('hex') + Buffer.from(otp.lockBytes).toString('hex');
}

describe('provisioning cycle over a pty, STM32F4', () => {
  let sim: TestSimulator;
  before(async () => {
    sim = await startTestSimulator({ family: 'stm32f4', count: 4 });
  });
  after(() => sim.close());
  const device = (index: number): SimulatedDeviceHandle => {
    const handle = sim.devices[index];
    assert.ok(handle);
    return handle;
  };

  test('a blank chip is provisioned: full 528-byte image written, verified, all 16 blocks locked', async () => {
    const target = patternImage('stm32f4', allBlocks('stm32f4'));
    const result = await runCycleOnPort(device(0).port, target);
    assert.equal(result.outcome, 'provisioned', JSON.stringify(result.error));
    assert.equal(result.uid, device(0).uidHex);
    assert.equal(result.bytesWritten, 512);
    assert.equal(result.blocksLocked, 16);
    assert.deepEqual(result.otpData, target.data);
    assertHolds(device(0), target);
  });

  test('running the same job again writes nothing: already-provisioned', async () => {
    const target = patternImage('stm32f4', allBlocks('stm32f4'));
    const before = snapshot(device(0));
    const result = await runCycleOnPort(device(0).port, target);
    assert.equal(result.outcome, 'already-provisioned');
    assert.equal(result.bytesWritten, 0);
    assert.equal(snapshot(device(0)), before);
  });

  test('another identity on a provisioned chip is a conflict and nothing is written', async () => {
    const other = patternImage('stm32f4', allBlocks('stm32f4'), 2);
    const before = snapshot(device(0));
    const result = await runCycleOnPort(device(0).port, other);
    assert.equal(result.outcome, 'conflict');
    assert.ok(result.conflicts.length > 0);
    assert.equal(result.bytesWritten, 0);
    assert.equal(snapshot(device(0)), before, 'the chip is unchanged');
    assert.deepEqual(device(0).device.damagedBytes(), []);
  });

  test('a dry run plans and writes nothing', async () => {
    const target = patternImage('stm32f4', [0, 1]);
    const result = await runCycleOnPort(device(1).port, target, { dryRun: true });
    assert.equal(result.outcome, 'planned');
    assert.equal(result.plan?.bytesToProgram, 64);
    assert.deepEqual(result.plan?.blocksToLock, [0, 1]);
    assert.equal(snapshot(device(1)), 'ff'.repeat(528));
  });

  test('a partly programmed chip whose bytes match is completed, never touching programmed bytes', async () => {
    const first = patternImage('stm32f4', [0, 1], 3, []);
    assert.equal((await runCycleOnPort(device(1).port, first)).outcome, 'provisioned');
    const full = patternImage('stm32f4', [0, 1, 2, 3], 3);
    const result = await runCycleOnPort(device(1).port, full);
    assert.equal(result.outcome, 'provisioned');
    assert.equal(result.bytesWritten, 64, 'only blocks 2 and 3 were written');
    assertHolds(device(1), full);
  });

  test('a target that leaves a locked block open is a conflict (unexpected lock)', async () => {
    const lockedZero = patternImage('stm32f4', [0], 4);
    assert.equal((await runCycleOnPort(device(2).port, lockedZero)).outcome, 'provisioned');
    const result = await runCycleOnPort(device(2).port, patternImage('stm32f4', [0], 4, []));
    assert.equal(result.outcome, 'conflict');
    assert.deepEqual(
      result.conflicts.map((c) => c.reason),
      ['unexpected-lock'],
    );
  });

  test('a corrupted read-back is a link error, never a final verdict: nothing locked, the next run completes', async () => {
    const target = patternImage('stm32f4', [5], 5);
    // Device-transmitted byte 1400 falls in the data read-back of the verify phase (after identify,
    // two UID + 528-byte reads and the writes' ACKs). AN3155 read data carries no checksum.
    device(3).device.setFaults({ corruptTransmittedByte: 1400 });
    const result = await runCycleOnPort(device(3).port, target);
    device(3).device.setFaults({});
    assert.equal(result.outcome, 'link-error');
    assert.equal(result.error?.code, 'READ_UNSTABLE');
    assert.equal(result.error?.phase, 'verify');
    assert.equal(device(3).device.otp().lockBytes[5], 0xff, 'block 5 was not locked');
    const again = await runCycleOnPort(device(3).port, target);
    assert.equal(again.outcome, 'provisioned');
    assertHolds(device(3), target);
  });
});

describe('a weak OTP cell: the ROM ACKs the write, only the read-back tells', () => {
  test('verify-failed with the exact mismatch, nothing locked, and the chip is a conflict from then on', async () => {
    const sim = await startTestSimulator({ family: 'stm32f4', count: 1 });
    try {
      const handle = sim.devices[0];
      assert.ok(handle);
      const target = patternImage('stm32f4', [0, 1], 6);
      const expected = target.data[33] ?? 0;
      const cleared = ~expected & 0xff;
      const mask = cleared & -cleared; // the lowest bit the target clears at offset 33
      assert.ok(mask > 0);
      handle.device.setFaults({ weakDataBits: [{ offsetBytes: 33, mask }] });
      const result = await runCycleOnPort(handle.port, target);
      assert.equal(result.outcome, 'verify-failed');
      assert.deepEqual(result.mismatches, [{ region: 'data', offsetBytes: 33, expected, actual: expected | mask }]);
      assert.deepEqual([...handle.device.otp().lockBytes.subarray(0, 2)], [0xff, 0xff], 'nothing was locked');
      assert.deepEqual(handle.device.damagedBytes(), []);
      const again = await runCycleOnPort(handle.port, target);
      assert.equal(again.outcome, 'conflict', 'a wrong byte is never rewritten');
      assert.deepEqual(handle.device.damagedBytes(), []);
    } finally {
      await sim.close();
    }
  });
});

describe('provisioning cycle, other families', () => {
  test('STM32F7 (64-byte blocks, 8-byte writes) is provisioned and a F4 image is refused as wrong-device', async () => {
    const sim = await startTestSimulator({ family: 'stm32f7', count: 1 });
    try {
      const handle = sim.devices[0];
      assert.ok(handle);
      const wrong = await runCycleOnPort(handle.port, patternImage('stm32f4', [0]));
      assert.equal(wrong.outcome, 'wrong-device');
      assert.equal(wrong.bytesWritten, 0);
      assert.equal(snapshot(handle), 'ff'.repeat(1024 + 16));
      const target = patternImage('stm32f7', allBlocks('stm32f7'));
      const result = await runCycleOnPort(handle.port, target);
      assert.equal(result.outcome, 'provisioned');
      assert.equal(result.bytesWritten, 1024);
      assertHolds(handle, target);
    } finally {
      await sim.close();
    }
  });
});

describe('faults: every failure leaves the chip resumable and a second run completes it', () => {
  const cases: { name: string; faults: FaultPlan; powerCycle: boolean; code: string; phase: string }[] = [
    {
      name: 'power loss after 100 programmed bytes',
      faults: { powerLossAfterBytes: 100 },
      powerCycle: true,
      code: 'BOOTLOADER_TIMEOUT',
      phase: 'write',
    },
    {
      name: 'power loss on the first lock write',
      faults: { powerLossAfterBytes: 512 },
      powerCycle: true,
      code: 'BOOTLOADER_TIMEOUT',
      phase: 'lock',
    },
    {
      name: 'a byte dropped on the way to the chip',
      faults: { dropReceivedByte: 300 },
      powerCycle: false,
      code: 'BOOTLOADER_TIMEOUT',
      phase: 'write',
    },
    {
      name: 'a corrupted Get ID reply (no checksum in AN3155)',
      faults: { corruptTransmittedByte: 20 },
      powerCycle: false,
      code: 'BOOTLOADER_INCONSISTENT_REPLY',
      phase: 'identify',
    },
    {
      name: 'a corrupted byte in the initial OTP read',
      faults: { corruptTransmittedByte: 100 },
      powerCycle: false,
      code: 'READ_UNSTABLE',
      phase: 'read',
    },
    {
      name: 'a NACK on the 8th command',
      faults: { nackCommand: 8 },
      powerCycle: false,
      code: 'BOOTLOADER_NACK',
      phase: 'read',
    },
    {
      // Get, Get ID ×2, OTP + locks + UID ×2 (3 reads each), then the data writes: commands 10 and 11.
      name: 'no answer from the 11th command on (the second data write)',
      faults: { silentFromCommand: 11 },
      powerCycle: true,
      code: 'BOOTLOADER_TIMEOUT',
      phase: 'write',
    },
  ];
  let sim: TestSimulator;
  before(async () => {
    sim = await startTestSimulator({ family: 'stm32f4', count: cases.length });
  });
  after(() => sim.close());

  for (const [index, c] of cases.entries()) {
    test(c.name, async () => {
      const handle = sim.devices[index];
      assert.ok(handle);
      const target = patternImage('stm32f4', allBlocks('stm32f4'), 10 + index);
      handle.device.setFaults(c.faults);
      const first = await runCycleOnPort(handle.port, target);
      assert.equal(first.outcome, 'link-error', 'a link fault is never a final verdict');
      assert.equal(first.error?.code, c.code);
      assert.equal(first.error?.phase, c.phase);
      assert.deepEqual(handle.device.damagedBytes(), [], 'no byte was programmed twice');
      if (c.powerCycle) handle.device.powerCycle();
      const second = await runCycleOnPort(handle.port, target);
      assert.ok(
        second.outcome === 'provisioned' || second.outcome === 'already-provisioned',
        JSON.stringify(second.error),
      );
      assertHolds(handle, target);
    });
  }
});
