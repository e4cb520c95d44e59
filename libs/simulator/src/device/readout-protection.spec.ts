import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SimulatedDevice } from './simulated-device.js';
import { ACK, NACK, addr, cmd, len, talk } from './testing/host-frames.js';

const F4_UID = 0x1fff_7a10;

function synced(device = new SimulatedDevice({ family: 'stm32f4' })): SimulatedDevice {
  assert.deepEqual(talk(device, [0x7f]), [ACK]);
  return device;
}

describe('readout protection (simulated)', () => {
  test('RDP level 1: Get and Get ID answer, Read Memory and Write Memory are NACKed at the command stage', () => {
    const device = synced(new SimulatedDevice({ family: 'stm32f4', readoutProtection: 'level-1' }));
    assert.deepEqual(talk(device, cmd(0x02)), [ACK, 0x01, 0x04, 0x13, ACK]);
    assert.equal(talk(device, cmd(0x00))[0], ACK);
    assert.deepEqual(talk(device, cmd(0x11)), [NACK]);
    assert.deepEqual(talk(device, cmd(0x31)), [NACK]);
    // The refusal leaves the device waiting for a command: Get Version still answers.
    assert.deepEqual(talk(device, cmd(0x01)), [ACK, 0x31, 0x00, 0x00, ACK]);
    assert.deepEqual([...device.otp().data.subarray(0, 4)], [0xff, 0xff, 0xff, 0xff]);
  });

  test('Readout Protect (0x82): ACK, ACK, then a reset; reads are refused from then on and the level is saved', () => {
    const saved: unknown[] = [];
    const device = synced(new SimulatedDevice({ family: 'stm32f4', onStateChange: (state) => saved.push(state) }));
    assert.equal(talk(device, cmd(0x11), addr(F4_UID), len(12)).length, 15);
    assert.deepEqual(talk(device, cmd(0x82)), [ACK, ACK]);
    assert.equal(device.status, 'awaiting-sync');
    assert.deepEqual(talk(device, cmd(0x02)), []); // reset: only 0x7F is heard
    synced(device);
    assert.deepEqual(talk(device, cmd(0x11)), [NACK]);
    assert.deepEqual(talk(device, cmd(0x31)), [NACK]);
    assert.deepEqual(talk(device, cmd(0x82)), [NACK], 'readout protection already active');
    assert.equal(device.exportState().readoutProtection, 'level-1');
    assert.equal(saved.length, 1);
    const resumed = new SimulatedDevice({ family: 'stm32f4', state: device.exportState() });
    assert.equal(resumed.readoutProtection, 'level-1');
  });

  test('bootloader disabled: 0x7F gets no answer at all, like an empty fixture', () => {
    const device = new SimulatedDevice({ family: 'stm32f4', readoutProtection: 'bootloader-disabled' });
    assert.deepEqual(talk(device, [0x7f], [0x7f], cmd(0x00)), []);
    assert.equal(device.status, 'awaiting-sync');
  });

  test('an unprotected chip saves no readoutProtection field (state files stay as before)', () => {
    assert.equal('readoutProtection' in new SimulatedDevice({ family: 'stm32f4' }).exportState(), false);
  });
});
