import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SimulatedDevice } from './simulated-device.js';
import { ACK, NACK, addr, cmd, talk } from './testing/host-frames.js';

const BANNER = 'app 1.0\r\n';
const reset = (device: SimulatedDevice, boot0High: boolean) => {
  device.setBootPins({ boot0High, resetAsserted: true });
  device.setBootPins({ boot0High, resetAsserted: false });
};

describe('BOOT0 and NRST (bootPins)', () => {
  test('a chip inserted with BOOT0 low runs its application: it prints its banner and ignores 0x7F', () => {
    const device = new SimulatedDevice({ family: 'stm32f4', bootPins: { banner: BANNER } });
    assert.equal(device.status, 'application');
    assert.equal(Buffer.from(device.takeOutput()).toString('latin1'), BANNER);
    assert.deepEqual(talk(device, [0x7f]), []);
  });

  test('only a reset with BOOT0 high starts the bootloader; BOOT0 alone changes nothing', () => {
    const device = new SimulatedDevice({ family: 'stm32f4', bootPins: {} });
    device.setBootPins({ boot0High: true, resetAsserted: false });
    assert.equal(device.status, 'application', 'BOOT0 is sampled at reset only (AN2606)');
    device.setBootPins({ boot0High: true, resetAsserted: true });
    assert.equal(device.status, 'in-reset');
    assert.deepEqual(talk(device, [0x7f]), [], 'held in reset: deaf');
    device.setBootPins({ boot0High: true, resetAsserted: false });
    assert.equal(device.status, 'awaiting-sync');
    assert.deepEqual(talk(device, [0x7f]), [ACK]);
    assert.equal(device.takeOutput().length, 0, 'a silent application, and the bootloader prints nothing');
  });

  test('a reset with BOOT0 low restarts the application (banner again), from any state', () => {
    const device = new SimulatedDevice({ family: 'stm32f4', bootPins: { boot0High: true, banner: BANNER } });
    assert.deepEqual(talk(device, [0x7f]), [ACK]);
    reset(device, false);
    assert.equal(device.status, 'application');
    assert.equal(Buffer.from(device.takeOutput()).toString('latin1'), BANNER);
    reset(device, true);
    assert.deepEqual(talk(device, [0x7f]), [ACK], 'after a reset into the bootloader: a fresh autobaud');
  });

  test('without bootPins the pins are ignored: the chip stays in its bootloader (existing behaviour)', () => {
    const device = new SimulatedDevice({ family: 'stm32f4' });
    reset(device, false);
    assert.deepEqual(talk(device, [0x7f]), [ACK]);
  });
});

describe('Go (0x21, AN3155 §3.5)', () => {
  test('jumps to the application at a flash address: ACK, ACK, then the banner; the ROM is gone', () => {
    const device = new SimulatedDevice({ family: 'stm32f4', bootPins: { boot0High: true, banner: BANNER } });
    assert.deepEqual(talk(device, [0x7f]), [ACK]);
    assert.deepEqual(talk(device, cmd(0x21), addr(0x0800_0000)), [ACK, ACK]);
    assert.equal(device.status, 'application');
    assert.equal(Buffer.from(device.takeOutput()).toString('latin1'), BANNER);
    assert.deepEqual(talk(device, cmd(0x01)), [], 'the application does not speak AN3155');
  });

  test('refuses an address outside flash and SRAM (NACK), and stays in the bootloader', () => {
    const device = new SimulatedDevice({ family: 'stm32f4' });
    assert.deepEqual(talk(device, [0x7f]), [ACK]);
    assert.deepEqual(talk(device, cmd(0x21), addr(0x1fff_7800)), [ACK, NACK]);
    assert.deepEqual(talk(device, cmd(0x01)), [ACK, 0x31, 0x00, 0x00, ACK]);
  });

  test('without bootPins, Go still starts the application until a power cycle', () => {
    const device = new SimulatedDevice({ family: 'stm32f4' });
    assert.deepEqual(talk(device, [0x7f]), [ACK]);
    assert.deepEqual(talk(device, cmd(0x21), addr(0x0800_0000)), [ACK, ACK]);
    assert.deepEqual(talk(device, [0x7f]), []);
    device.powerCycle();
    assert.deepEqual(talk(device, [0x7f]), [ACK]);
  });
});
