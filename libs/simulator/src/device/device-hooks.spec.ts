import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type StageEvent, type StageFault } from '../faults/stage-fault.js';
import { SimulatedDevice, type SimulatedDeviceOptions } from './simulated-device.js';
import { ACK, NACK, BUSY, F4_OTP, F4_LOCK, cmd, addr, len, dataFrame, talk } from './testing/host-frames.js';

function synced(options: Partial<SimulatedDeviceOptions> = {}): SimulatedDevice {
  const device = new SimulatedDevice({ family: 'stm32f4', ...options });
  assert.deepEqual(talk(device, [0x7f]), [ACK]);
  return device;
}

/** A device whose hook answers `fault` once, where `match` holds. */
function faulty(match: (event: StageEvent) => boolean, fault: StageFault, seen: StageEvent[] = []): SimulatedDevice {
  let fired = false;
  return synced({
    hooks: {
      onStage: (event) => {
        seen.push(event);
        if (fired || !match(event)) return undefined;
        fired = true;
        return fault;
      },
    },
  });
}

describe('stage hook', () => {
  test('without a fault every answer is unchanged, and each stage is reported once', () => {
    const seen: StageEvent[] = [];
    const device = faulty(() => false, 'nack', seen);
    assert.deepEqual(talk(device, cmd(0x02)), [ACK, 0x01, 0x04, 0x13, ACK]);
    assert.deepEqual(talk(device, cmd(0x31), addr(F4_OTP), dataFrame([1, 2, 3, 4])), [ACK, ACK, ACK]);
    assert.deepEqual(
      seen.map((e) => `${e.opcode.toString(16)}:${e.stage}:${e.writeIndex}`),
      ['2:command:0', '2:reply:0', '31:command:0', '31:address:0', '31:data:1'],
    );
  });

  test('a NACK at the data stage programs nothing and the device waits for a command', () => {
    const device = faulty((e) => e.stage === 'data', 'nack');
    assert.deepEqual(talk(device, cmd(0x31), addr(F4_OTP), dataFrame([1, 2, 3, 4])), [ACK, ACK, NACK]);
    assert.deepEqual([...device.otp().data.subarray(0, 4)], [0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual(talk(device, cmd(0x01)), [ACK, 0x31, 0x00, 0x00, ACK]);
  });

  test('a double NACK at the address stage, then the command loop', () => {
    const device = faulty((e) => e.stage === 'address', 'double-nack');
    assert.deepEqual(talk(device, cmd(0x11), addr(F4_OTP)), [ACK, NACK, NACK]);
    assert.deepEqual(talk(device, cmd(0x01)), [ACK, 0x31, 0x00, 0x00, ACK]);
  });

  test('BUSY bytes, garbage and truncation alter only what is sent', () => {
    const busy = faulty((e) => e.stage === 'data', { busy: 2 });
    assert.deepEqual(talk(busy, cmd(0x31), addr(F4_OTP), dataFrame([1, 2, 3, 4])), [ACK, ACK, BUSY, BUSY, ACK]);
    assert.deepEqual([...busy.otp().data.subarray(0, 4)], [1, 2, 3, 4]);
    const garbage = faulty((e) => e.stage === 'reply', { garbage: 0x42 });
    assert.deepEqual(talk(garbage, cmd(0x02)), [ACK, 0x42, 0x04, 0x13, ACK]);
    const truncated = faulty((e) => e.stage === 'length', { truncate: 2 });
    assert.deepEqual(talk(truncated, cmd(0x11), addr(F4_OTP), len(4)), [ACK, ACK, ACK, 0xff]);
  });

  test('a hang mutes the device after the stage took effect; resume() goes on without a reset', () => {
    const device = faulty((e) => e.stage === 'data', 'hang');
    assert.deepEqual(talk(device, cmd(0x31), addr(F4_OTP), dataFrame([1, 2, 3, 4])), [ACK, ACK]);
    assert.equal(device.status, 'silent');
    assert.deepEqual([...device.otp().data.subarray(0, 4)], [1, 2, 3, 4]);
    assert.deepEqual(talk(device, cmd(0x01)), [], 'bytes are lost while it hangs');
    device.resume();
    assert.equal(device.status, 'ready');
    assert.deepEqual(talk(device, cmd(0x01)), [ACK, 0x31, 0x00, 0x00, ACK]);
  });
});

describe('observers and test set-up', () => {
  test('accepted commands and written blocks are reported', () => {
    const commands: number[] = [];
    const writes: [number, number[]][] = [];
    const device = synced({
      hooks: { onCommand: (op) => commands.push(op), onWrite: (a, bytes) => writes.push([a, [...bytes]]) },
    });
    talk(device, cmd(0x02), [0x05, 0xfa], cmd(0x31), addr(F4_OTP), dataFrame([9, 8, 7, 6]));
    assert.deepEqual(commands, [0x02, 0x31], 'an unknown opcode is not reported');
    assert.deepEqual(writes, [[F4_OTP, [9, 8, 7, 6]]]);
  });

  test('preload sets OTP bytes without recording damage', () => {
    const device = synced();
    device.preload('data', 4, [0x12, 0x34]);
    device.preload('lock', 0, [0x00]);
    assert.deepEqual([...device.otp().data.subarray(0, 8)], [0xff, 0xff, 0xff, 0xff, 0x12, 0x34, 0xff, 0xff]);
    assert.equal(device.otp().lockBytes[0], 0x00);
    assert.deepEqual(device.damagedBytes(), []);
  });

  test('an advertised command list and an unlisted product ID', () => {
    const device = synced({ advertisedCommands: [0x00, 0x01, 0x02, 0x11], unlistedProductId: 0x999 });
    assert.deepEqual(talk(device, cmd(0x00)), [ACK, 0x04, 0x31, 0x00, 0x01, 0x02, 0x11, ACK]);
    assert.deepEqual(talk(device, cmd(0x02)), [ACK, 0x01, 0x09, 0x99, ACK]);
  });

  test('weak lock cells: the lock write is ACKed, the lock byte stays 0xFF', () => {
    const device = synced({ faults: { weakLockBits: [{ offsetBytes: 1, mask: 0xff }] } });
    assert.deepEqual(talk(device, cmd(0x31), addr(F4_LOCK), dataFrame([0x00, 0x00, 0xff, 0xff])), [ACK, ACK, ACK]);
    assert.deepEqual([...device.otp().lockBytes.subarray(0, 3)], [0x00, 0xff, 0xff]);
    assert.deepEqual(device.damagedBytes(), []);
  });
});
