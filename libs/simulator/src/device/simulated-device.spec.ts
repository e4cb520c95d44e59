import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ChipFamily } from '#ingrain/otp';
import { type DeviceState } from './device-state.js';
import { SimulatedDevice, type SimulatedDeviceOptions } from './simulated-device.js';
import { ACK, NACK, F4_OTP, F4_LOCK, cmd, addr, len, dataFrame, talk } from './testing/host-frames.js';

function synced(options: Partial<SimulatedDeviceOptions> & { family?: ChipFamily } = {}): SimulatedDevice {
  const device = new SimulatedDevice({ family: 'stm32f4', ...options });
  assert.deepEqual(talk(device, [0x7f]), [ACK]);
  return device;
}

const write = (device: SimulatedDevice, address: number, data: number[]) =>
  talk(device, cmd(0x31), addr(address), dataFrame(data));
const read = (device: SimulatedDevice, address: number, n: number) => talk(device, cmd(0x11), addr(address), len(n));

describe('synchronisation', () => {
  test('answers the first 0x7F with ACK and ignores other bytes before it', () => {
    const device = new SimulatedDevice({ family: 'stm32f4' });
    assert.deepEqual(talk(device, [0x00, 0xff, 0x55]), []);
    assert.equal(device.status, 'awaiting-sync');
    assert.deepEqual(talk(device, [0x7f]), [ACK]);
    assert.equal(device.status, 'ready');
  });

  test('a later 0x7F is an opcode: NACK once its "complement" arrives (stm32flash re-init)', () => {
    const device = synced();
    assert.deepEqual(talk(device, [0x7f]), [], 'waits for the complement, no timeout');
    assert.deepEqual(talk(device, [0x7f]), [NACK]);
    assert.deepEqual(talk(device, cmd(0x01)), [ACK, 0x31, 0x00, 0x00, ACK], 'still in sync afterwards');
  });

  test('the 0xFF 0x00 resync pair is answered with NACK', () => {
    assert.deepEqual(talk(synced(), [0xff, 0x00]), [NACK]);
  });
});

describe('information commands', () => {
  test('Get lists the v3.1 commands', () => {
    assert.deepEqual(talk(synced(), cmd(0x00)), [
      ACK,
      0x0b,
      0x31,
      0x00,
      0x01,
      0x02,
      0x11,
      0x21,
      0x31,
      0x44,
      0x63,
      0x73,
      0x82,
      0x92,
      ACK,
    ]);
  });

  test('Get Version answers v3.1', () => {
    assert.deepEqual(talk(synced(), cmd(0x01)), [ACK, 0x31, 0x00, 0x00, ACK]);
  });

  for (const [family, pid] of [
    ['stm32f2', 0x411],
    ['stm32f4', 0x413],
    ['stm32f7', 0x451],
    ['stm32l4', 0x435],
  ] as const) {
    test(`Get ID answers the ${family} default product ID 0x${pid.toString(16)}`, () => {
      assert.deepEqual(talk(synced({ family }), cmd(0x02)), [ACK, 0x01, pid >> 8, pid & 0xff, ACK]);
    });
  }

  test('a configured product ID of the family is answered; a foreign one is refused', () => {
    assert.deepEqual(talk(synced({ productId: 0x419 }), cmd(0x02)), [ACK, 0x01, 0x04, 0x19, ACK]);
    assert.throws(() => new SimulatedDevice({ family: 'stm32f4', productId: 0x451 }), { code: 'SIM_INVALID_OPTIONS' });
  });

  test('unmodelled and unknown commands and bad complements get NACK', () => {
    const device = synced();
    for (const opcode of [0x43, 0x44, 0x63, 0x73, 0x92, 0xa1, 0x55]) {
      assert.deepEqual(talk(device, cmd(opcode)), [NACK], `opcode 0x${opcode.toString(16)}`);
    }
    assert.deepEqual(talk(device, [0x02, 0xfc]), [NACK]);
    assert.deepEqual(talk(device, cmd(0x02)).length, 5, 'the device is back at the command stage');
  });
});

describe('Read Memory', () => {
  test('reads up to 256 bytes from OTP, lock bytes, UID and flash size', () => {
    const uid = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
    const device = synced({ uid });
    assert.deepEqual(read(device, F4_OTP, 256), [ACK, ACK, ACK, ...new Array<number>(256).fill(0xff)]);
    assert.deepEqual(read(device, 0x1fff_7a10, 12), [ACK, ACK, ACK, ...uid]);
    assert.deepEqual(read(device, 0x1fff_7a22, 2), [ACK, ACK, ACK, 0x00, 0x04]);
    assert.deepEqual(read(device, F4_LOCK + 3, 1), [ACK, ACK, ACK, 0xff], 'no alignment rule');
  });

  test('NACKs a bad address checksum and an unmapped address at the address stage', () => {
    const device = synced();
    const badChecksum = addr(F4_OTP);
    badChecksum[4] = badChecksum[4]! ^ 1;
    assert.deepEqual(talk(device, cmd(0x11), badChecksum), [ACK, NACK]);
    assert.deepEqual(talk(device, cmd(0x11), addr(0x0800_0000)), [ACK, NACK]);
    assert.deepEqual(talk(device, cmd(0x11), addr(0x1fff_7a1c)), [ACK, NACK]);
  });

  test('NACKs a bad length complement and a range that leaves mapped memory', () => {
    const device = synced();
    assert.deepEqual(talk(device, cmd(0x11), addr(F4_OTP), [0x0f, 0xf1]), [ACK, ACK, NACK]);
    assert.deepEqual(read(device, 0x1fff_7a10, 13), [ACK, ACK, NACK]);
    assert.deepEqual(talk(device, cmd(0x01)).length, 5, 'back at the command stage');
  });

  test('frames may arrive one byte at a time', () => {
    const device = synced();
    const bytes = [...cmd(0x11), ...addr(F4_OTP), ...len(4)];
    const out = bytes.flatMap((byte) => talk(device, [byte]));
    assert.deepEqual(out, [ACK, ACK, ACK, 0xff, 0xff, 0xff, 0xff]);
  });
});

describe('Write Memory', () => {
  test('programs OTP data and reads it back; the reply follows the last byte', () => {
    const device = synced();
    const replies = device.receive(Uint8Array.from([...cmd(0x31), ...addr(F4_OTP), ...dataFrame([1, 2, 3, 4])]));
    assert.deepEqual(
      replies.map((r) => [r.afterByteIndex, [...r.bytes], r.programmedBytes]),
      [
        [1, [ACK], 0],
        [6, [ACK], 0],
        [12, [ACK], 4],
      ],
    );
    assert.deepEqual(read(device, F4_OTP, 4), [ACK, ACK, ACK, 1, 2, 3, 4]);
  });

  test('NACKs misaligned addresses: 4 bytes on F4, 8 bytes on F7 and L4', () => {
    assert.deepEqual(talk(synced(), cmd(0x31), addr(F4_OTP + 2)), [ACK, NACK]);
    assert.deepEqual(talk(synced(), cmd(0x31), addr(F4_OTP + 4)), [ACK, ACK]);
    assert.deepEqual(talk(synced({ family: 'stm32f7' }), cmd(0x31), addr(0x1ff0_f004)), [ACK, NACK]);
    assert.deepEqual(talk(synced({ family: 'stm32l4' }), cmd(0x31), addr(0x1fff_7004)), [ACK, NACK]);
    assert.deepEqual(talk(synced({ family: 'stm32l4' }), cmd(0x31), addr(0x1fff_7008)), [ACK, ACK]);
  });

  test('NACKs writes outside OTP data and lock bytes', () => {
    const device = synced();
    for (const address of [0x1fff_7a10, 0x1fff_7a20, 0x0800_0000, 0x2000_0000]) {
      assert.deepEqual(talk(device, cmd(0x31), addr(address)), [ACK, NACK], address.toString(16));
    }
    assert.deepEqual(write(device, F4_LOCK + 12, new Array<number>(8).fill(0)), [ACK, ACK, NACK], 'runs into the UID');
    assert.deepEqual(device.otp().lockBytes, new Uint8Array(16).fill(0xff));
  });

  test('NACKs a length that is not a multiple of 4 and a bad checksum, changing nothing', () => {
    const device = synced();
    assert.deepEqual(write(device, F4_OTP, [1, 2, 3]), [ACK, ACK, NACK]);
    const frame = dataFrame([1, 2, 3, 4]);
    frame[frame.length - 1] = frame.at(-1)! ^ 0x80;
    assert.deepEqual(talk(device, cmd(0x31), addr(F4_OTP), frame), [ACK, ACK, NACK]);
    assert.deepEqual(device.otp().data.subarray(0, 4), new Uint8Array(4).fill(0xff));
  });

  test('a write may run from the last data block into the lock bytes (one OTP area)', () => {
    const device = synced();
    assert.deepEqual(write(device, F4_LOCK - 4, [9, 9, 9, 9, 0x00, 0xff, 0xff, 0xff]), [ACK, ACK, ACK]);
    assert.equal(device.otp().lockBytes[0], 0x00);
  });

  test('writes into a locked block change nothing and are ACKed by default', () => {
    const device = synced();
    assert.deepEqual(write(device, F4_LOCK, [0x00, 0xff, 0xff, 0xff]), [ACK, ACK, ACK]);
    assert.deepEqual(write(device, F4_OTP, [1, 2, 3, 4]), [ACK, ACK, ACK]);
    assert.deepEqual(device.otp().data.subarray(0, 4), new Uint8Array(4).fill(0xff));
  });

  test('with lockedWriteAck false a write into a locked block is NACKed, still changing nothing', () => {
    const device = synced({ lockedWriteAck: false });
    write(device, F4_LOCK, [0x00, 0xff, 0xff, 0xff]);
    assert.deepEqual(write(device, F4_OTP, [1, 2, 3, 4]), [ACK, ACK, NACK]);
    assert.deepEqual(write(device, F4_OTP, [0xff, 0xff, 0xff, 0xff]), [ACK, ACK, ACK], '0xFF programs nothing');
    assert.deepEqual(device.otp().data.subarray(0, 4), new Uint8Array(4).fill(0xff));
  });

  test('re-programming is ACKed like the ROM does, ANDed and recorded as damage', () => {
    const device = synced();
    write(device, F4_OTP, [0xf0, 0xff, 0xff, 0xff]);
    assert.deepEqual(write(device, F4_OTP, [0x0f, 0xff, 0xff, 0xff]), [ACK, ACK, ACK]);
    assert.equal(device.otp().data[0], 0x00);
    assert.deepEqual(device.damagedBytes(), [{ area: 'data', offsetBytes: 0, reason: 'reprogrammed' }]);
  });

  test('the virtual voltage-range byte 0xFFFF0000 takes 0x00–0x04 on F2/F4/F7 only', () => {
    assert.deepEqual(write(synced(), 0xffff_0000, [0x03, 0xff, 0xff, 0xff]), [ACK, ACK, ACK]);
    assert.deepEqual(write(synced({ family: 'stm32f7' }), 0xffff_0000, [0x04, 0xff, 0xff, 0xff]), [ACK, ACK, ACK]);
    assert.deepEqual(write(synced(), 0xffff_0000, [0x05, 0xff, 0xff, 0xff]), [ACK, ACK, NACK]);
    assert.deepEqual(talk(synced({ family: 'stm32l4' }), cmd(0x31), addr(0xffff_0000)), [ACK, NACK]);
    assert.deepEqual(talk(synced(), cmd(0x11), addr(0xffff_0000)), [ACK, NACK], 'not readable');
  });

  test('L4 double-words: a second write into a written double-word is ACKed but changes nothing', () => {
    const device = synced({ family: 'stm32l4' });
    assert.deepEqual(write(device, 0x1fff_7000, [1, 2, 3, 4]), [ACK, ACK, ACK]);
    assert.deepEqual(write(device, 0x1fff_7000, [0xff, 0xff, 0xff, 0xff, 5, 6, 7, 8]), [ACK, ACK, ACK]);
    assert.deepEqual([...device.otp().data.subarray(0, 8)], [1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff]);
    assert.equal(device.damagedBytes().length, 4);
  });
});

describe('faults', () => {
  test('power loss after N bytes keeps the first N, answers nothing, and needs a power cycle and new sync', () => {
    const device = synced({ faults: { powerLossAfterBytes: 6 } });
    assert.deepEqual(write(device, F4_OTP, [1, 2, 3, 4, 5, 6, 7, 8]), [ACK, ACK]);
    assert.equal(device.status, 'off');
    assert.deepEqual(talk(device, [0x7f], cmd(0x01)), [], 'silent while off');
    const epoch = device.epoch;
    device.powerCycle();
    assert.notEqual(device.epoch, epoch);
    assert.equal(device.status, 'awaiting-sync');
    assert.deepEqual(talk(device, cmd(0x01)), [], 'unsynchronised after power-up');
    assert.deepEqual(talk(device, [0x7f]), [ACK]);
    assert.deepEqual(read(device, F4_OTP, 8).slice(3), [1, 2, 3, 4, 5, 6, 0xff, 0xff]);
    assert.deepEqual(write(device, F4_OTP + 8, [9, 9, 9, 9]), [ACK, ACK, ACK], 'the fault fired once');
  });

  test('power loss counts from arming and can hit the start of a later write', () => {
    const device = synced();
    write(device, F4_OTP, [1, 1, 1, 1]);
    device.setFaults({ powerLossAfterBytes: 4 });
    assert.deepEqual(write(device, F4_OTP + 4, [2, 2, 2, 2]), [ACK, ACK, ACK]);
    assert.deepEqual(write(device, F4_OTP + 8, [3, 3, 3, 3]), [ACK, ACK]);
    assert.deepEqual([...device.otp().data.subarray(0, 12)], [1, 1, 1, 1, 2, 2, 2, 2, 255, 255, 255, 255]);
  });

  test('drops the Nth received byte (counted from arming), which shifts the frame', () => {
    const device = synced();
    device.setFaults({ dropReceivedByte: 2 });
    assert.deepEqual(talk(device, cmd(0x01)), [], 'complement lost: still waiting');
    assert.deepEqual(talk(device, [0xfe]), [ACK, 0x31, 0x00, 0x00, ACK]);
  });

  test('corrupts the Nth transmitted byte by inverting it', () => {
    const device = synced();
    device.setFaults({ corruptTransmittedByte: 2 });
    assert.deepEqual(talk(device, cmd(0x01)), [ACK, 0x31 ^ 0xff, 0x00, 0x00, ACK]);
    assert.deepEqual(talk(device, cmd(0x01)), [ACK, 0x31, 0x00, 0x00, ACK]);
  });

  test('NACKs the Nth command once', () => {
    const device = synced({ faults: { nackCommand: 2 } });
    assert.deepEqual(talk(device, cmd(0x01)).length, 5);
    assert.deepEqual(talk(device, cmd(0x02)), [NACK]);
    assert.deepEqual(talk(device, cmd(0x02)).length, 5);
  });

  test('goes silent from the Nth command until a power cycle', () => {
    const device = synced();
    device.setFaults({ silentFromCommand: 2 });
    assert.deepEqual(talk(device, cmd(0x01)).length, 5);
    assert.deepEqual(talk(device, cmd(0x01)), []);
    assert.equal(device.status, 'silent');
    assert.deepEqual(talk(device, [0x7f], cmd(0x01)), []);
    device.powerCycle();
    assert.deepEqual(talk(device, [0x7f], cmd(0x01)), [ACK, ACK, 0x31, 0x00, 0x00, ACK]);
  });

  test('setFaults replaces the plan; invalid plans are refused', () => {
    const device = synced({ faults: { nackCommand: 1 } });
    device.setFaults({});
    assert.deepEqual(device.armedFaults(), {});
    assert.deepEqual(talk(device, cmd(0x01)).length, 5);
    assert.throws(() => device.setFaults({ nackCommand: 0 }), { code: 'SIM_INVALID_OPTIONS' });
  });
});

describe('state', () => {
  test('every write reports the new state, and a device built from it resumes the chip', () => {
    const states: DeviceState[] = [];
    const device = synced({ onStateChange: (state) => states.push(state) });
    write(device, F4_OTP, [0xde, 0xad, 0xbe, 0xef]);
    write(device, F4_OTP, [0x00, 0xff, 0xff, 0xff]);
    write(device, F4_LOCK, [0x00, 0xff, 0xff, 0xff]);
    assert.equal(states.length, 3);
    const saved = states.at(-1)!;
    const resumed = new SimulatedDevice({ family: 'stm32f4', state: saved });
    assert.equal(resumed.uidHex, device.uidHex);
    assert.deepEqual(resumed.otp(), device.otp());
    assert.deepEqual(resumed.damagedBytes(), device.damagedBytes());
    assert.equal(resumed.status, 'awaiting-sync');
  });

  test('a state of another family or with another UID is refused', () => {
    const state = new SimulatedDevice({ family: 'stm32f4' }).exportState();
    assert.throws(() => new SimulatedDevice({ family: 'stm32f2', state }), { code: 'SIM_STATE_MISMATCH' });
    const uid = new Uint8Array(12);
    assert.throws(() => new SimulatedDevice({ family: 'stm32f4', state, uid }), { code: 'SIM_STATE_MISMATCH' });
    assert.throws(() => new SimulatedDevice({ family: 'stm32f4', uid: new Uint8Array(11) }), {
      code: 'SIM_INVALID_OPTIONS',
    });
  });

  test('UIDs are random unless given', () => {
    assert.notEqual(
      new SimulatedDevice({ family: 'stm32f4' }).uidHex,
      new SimulatedDevice({ family: 'stm32f4' }).uidHex,
    );
    const uid = Uint8Array.from({ length: 12 }, (_, i) => i);
    assert.equal(new SimulatedDevice({ family: 'stm32f4', uid }).uidHex, '000102030405060708090a0b');
  });
});
