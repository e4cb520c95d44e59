import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SimulatedDevice } from '../device/simulated-device.js';
import { addr, cmd, dataFrame, F4_LOCK, F4_OTP, talk } from '../device/testing/host-frames.js';
import { ProgramCounts, reprogrammedBytes } from './program-counts.js';

function synced(): SimulatedDevice {
  const device = new SimulatedDevice({ family: 'stm32f4' });
  talk(device, [0x7f]);
  return device;
}

function write(device: SimulatedDevice, address: number, data: number[]): void {
  talk(device, cmd(0x31), addr(address), dataFrame(data));
}

describe('ProgramCounts', () => {
  test('every byte other than 0xFF counts, the same value written again too; 0xFF padding does not', () => {
    const device = synced();
    write(device, F4_OTP, [0x12, 0xff, 0x34, 0xff]);
    write(device, F4_OTP, [0x12, 0xff, 0xff, 0xff]);
    const counts = device.exportState().programCounts;
    assert.ok(counts !== undefined);
    assert.deepEqual(reprogrammedBytes(counts), [{ area: 'data', offsetBytes: 0, count: 2 }]);
  });

  test('a byte a weak cell left blank and that was programmed again counts twice (no damage shows it)', () => {
    const device = synced();
    device.setFaults({ weakDataBits: [{ offsetBytes: 4, mask: 0xff }] });
    write(device, F4_OTP + 4, [0x00, 0xff, 0xff, 0xff]);
    write(device, F4_OTP + 4, [0x00, 0xff, 0xff, 0xff]);
    assert.deepEqual(device.damagedBytes(), [], 'the byte still reads blank: the damage list is empty');
    const counts = device.exportState().programCounts;
    assert.ok(counts !== undefined);
    assert.deepEqual(reprogrammedBytes(counts), [{ area: 'data', offsetBytes: 4, count: 2 }]);
  });

  test('lock bytes are counted, and the counts survive a state file round trip', () => {
    const device = synced();
    write(device, F4_LOCK, [0x00, 0xff, 0xff, 0xff]);
    write(device, F4_LOCK, [0x00, 0xff, 0xff, 0xff]);
    const resumed = new SimulatedDevice({ family: 'stm32f4', state: device.exportState() });
    const counts = resumed.exportState().programCounts;
    assert.ok(counts !== undefined);
    assert.deepEqual(reprogrammedBytes(counts), [{ area: 'lock', offsetBytes: 0, count: 2 }]);
  });

  test('counts saturate at 255 and a state without counts starts at zero', () => {
    const counts = new ProgramCounts(2, 1);
    for (let i = 0; i < 300; i++) counts.record('data', 1);
    assert.equal(counts.countAt('data', 1), 255);
    assert.equal(counts.countAt('lock', 0), 0);
    assert.deepEqual(counts.toState(), { dataHex: '00ff', lockHex: '00' });
  });
});
