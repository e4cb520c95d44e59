// The placement and lock rules on the families added for issue 10: F72x/F73x (32-byte blocks with lock
// bytes) and the double-word families (G0, G4, WB, WL; L4 and L4+ are the stm32l4 profile), where a
// double-word holds one field at most and there is nothing to lock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeImage } from '../encode-image.js';
import { assertIssue, layoutDoc } from '../testing/layout-fixtures.js';
import { validateLayout } from '../validate-layout.js';

const serial = { name: 'serial', block: 0, offset: 0, type: 'ascii', length: 12, source: 'input' };

describe('layout rules per family', () => {
  test('F72x: 16 blocks of 32 bytes at 0x1FF07800, lockable', () => {
    const layout = validateLayout(layoutDoc([serial], { family: 'stm32f72x', lock: [0] }));
    assert.equal(layout.fields[0]?.address, 0x1ff0_7800);
    assert.deepEqual(layout.lock, [0]);
    assertIssue(
      layoutDoc([{ ...serial, block: 0, offset: 32 }], { family: 'stm32f72x' }),
      'fields[0].offset',
      'offset 32 is outside block 0',
      'use block 1, offset 0',
    );
  });

  for (const family of ['stm32g0', 'stm32g4', 'stm32wb', 'stm32wl'] as const) {
    test(`${family}: fields at 0x1FFF7000; a lock list is refused; two fields may not share a double-word`, () => {
      const layout = validateLayout(layoutDoc([serial], { family }));
      assert.equal(layout.fields[0]?.address, 0x1fff_7000);
      assert.deepEqual(layout.lock, []);
      assertIssue(layoutDoc([serial], { family, lock: [0] }), 'lock', `${family} has no lock bytes`);
      // serial ends at byte 11, inside the double-word 8-15: a field at offset 12 would share it.
      const model = { name: 'model', block: 0, offset: 12, type: 'u16le', source: 'constant', value: 7 };
      assertIssue(
        layoutDoc([serial, model], { family }),
        'fields[1].offset',
        'shares the 8-byte double-word',
        'offset 16',
      );
      const image = encodeImage(validateLayout(layoutDoc([serial, { ...model, offset: 16 }], { family })), {
        serial: 'SN-000000001',
      });
      assert.equal(image.family, family);
      assert.deepEqual([...image.data.subarray(16, 18)], [7, 0]);
    });
  }
});
