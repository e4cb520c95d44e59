import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SimulatedDevice } from '#ingrain/simulator';
import { StateFileStore } from './state-file-store.js';

describe('StateFileStore', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ingrain-sim-state-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  test('round-trips a chip through its file, atomically (no temp file left)', () => {
    const store = new StateFileStore(directory);
    const device = new SimulatedDevice({ family: 'stm32f7' });
    device.receive(Uint8Array.of(0x7f, 0x31, 0xce, 0x1f, 0xf0, 0xf0, 0x00, 0x1f, 3, 1, 2, 3, 4, 3 ^ 1 ^ 2 ^ 3 ^ 4));
    assert.equal(device.otp().data[0], 1, 'precondition: the write landed');
    store.save('stm32f7', 2, device.exportState());
    assert.deepEqual(store.load('stm32f7', 2), device.exportState());
    assert.deepEqual(readdirSync(directory), ['stm32f7-2.json']);
  });

  test('an absent slot loads as undefined', () => {
    assert.equal(new StateFileStore(directory).load('stm32f4', 9), undefined);
  });

  test('a corrupt or foreign file is refused with SIM_STATE_INVALID', () => {
    const store = new StateFileStore(directory);
    writeFileSync(store.pathFor('stm32f2', 0), '{ not json');
    assert.throws(() => store.load('stm32f2', 0), { code: 'SIM_STATE_INVALID' });
    writeFileSync(store.pathFor('stm32f2', 1), JSON.stringify({ formatVersion: 2 }));
    assert.throws(() => store.load('stm32f2', 1), { code: 'SIM_STATE_INVALID' });
  });
});
