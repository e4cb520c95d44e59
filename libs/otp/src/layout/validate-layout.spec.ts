import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { STM32F4 } from '../profiles/index.js';
import { assertIssue, issuesOf, layoutDoc } from './testing/layout-fixtures.js';
import { validateLayout } from './validate-layout.js';

const serial = { name: 'serial', block: 0, offset: 0, type: 'ascii', length: 16, source: 'input' };
const devicePublicKey = {
  name: 'pub',
  block: 0,
  offset: 0,
  type: 'bytes',
  length: 65,
  source: 'generated',
  generator: 'device-public-key',
};
const l4 = (fields: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
  layoutDoc(fields, { family: 'stm32l4', ...extra });

describe('validateLayout: a valid layout', () => {
  const layout = validateLayout(
    layoutDoc(
      [
        {
          name: 'key',
          block: 3,
          offset: 0,
          type: 'bytes',
          length: 16,
          source: 'generated',
          generator: 'derived-secret',
        },
        {
          name: 'rev',
          block: 0,
          offset: 16,
          type: 'u16le',
          source: 'constant',
          value: 0x0102,
          description: 'board rev',
        },
        serial,
        { name: 'gain', block: 1, offset: 4, type: 'f32le', source: 'constant', value: 0.1 },
        { name: 'pin', block: 1, offset: 8, type: 'ascii', length: 8, source: 'input', secret: true },
      ],
      { lock: [3, 0, 1], description: 'test' },
    ),
  );

  test('is normalized: fields in OTP order with both offsets and the address, lock list sorted', () => {
    assert.deepEqual(
      layout.fields.map((f) => [f.name, f.block, f.offsetBytes, f.otpOffsetBytes, f.address, f.sizeBytes]),
      [
        ['serial', 0, 0, 0, 0x1fff7800, 16],
        ['rev', 0, 16, 16, 0x1fff7810, 2],
        ['gain', 1, 4, 36, 0x1fff7824, 4],
        ['pin', 1, 8, 40, 0x1fff7828, 8],
        ['key', 3, 0, 96, 0x1fff7860, 16],
      ],
    );
    assert.deepEqual(layout.lock, [0, 1, 3]);
    assert.equal(layout.profile, STM32F4);
    assert.equal(layout.description, 'test');
    assert.equal(layout.fields[1]?.description, 'board rev');
  });

  test('resolves secrets: derived-secret is always secret, inputs when asked', () => {
    assert.deepEqual(
      layout.fields.filter((f) => f.secret).map((f) => f.name),
      ['pin', 'key'],
    );
  });

  test('stores constants in normalized form (what the device will read back)', () => {
    const gain = layout.fields.find((f) => f.name === 'gain');
    assert.ok(gain?.source === 'constant');
    assert.equal(gain.value, Math.fround(0.1));
  });

  test('is deeply frozen', () => {
    assert.ok(Object.isFrozen(layout) && Object.isFrozen(layout.fields) && Object.isFrozen(layout.lock));
    assert.ok(layout.fields.every((f) => Object.isFrozen(f)));
    assert.throws(() => (layout.lock as number[]).push(5), TypeError);
  });

  test('accepts L4 fields that each own their double-words, aligned or not', () => {
    const ok = validateLayout(
      l4([
        { name: 'a', block: 0, offset: 3, type: 'u16le', source: 'input' },
        { name: 'b', block: 0, offset: 8, type: 'u64le', source: 'input' },
        { name: 'c', block: 0, offset: 16, type: 'ascii', length: 9, source: 'input' },
        { name: 'd', block: 0, offset: 32, type: 'u8', source: 'input' },
      ]),
    );
    assert.equal(ok.fields.length, 4);
    assert.deepEqual(ok.lock, []);
  });
});

describe('validateLayout: document issues', () => {
  test('a document that is not a mapping', () => {
    for (const raw of [null, 'text', [1], 42]) {
      assert.deepEqual(issuesOf(raw), [{ path: '', message: 'a layout must be a mapping/object' }]);
    }
  });

  test('unknown top-level key', () => assertIssue(layoutDoc([serial], { locks: [0] }), 'locks', 'unknown key "locks"'));
  test('missing or bad name', () => {
    assertIssue({ ...layoutDoc([serial]), name: undefined }, 'name', 'name is required');
    assertIssue(layoutDoc([serial], { name: 'has space' }), 'name', 'name must be');
  });
  test('bad version', () => {
    assertIssue(layoutDoc([serial], { version: 0 }), 'version', 'at least 1');
    assertIssue(layoutDoc([serial], { version: 1.5 }), 'version', 'positive integer');
    assertIssue(layoutDoc([serial], { version: '1' }), 'version', 'positive integer');
  });
  test('unknown family', () => assertIssue(layoutDoc([serial], { family: 'stm32h7' }), 'family', 'stm32f4'));
  test('fields missing, empty or not a list', () => {
    assertIssue({ ...layoutDoc([]), fields: undefined }, 'fields', 'list');
    assertIssue(layoutDoc([]), 'fields', 'at least one field');
    assertIssue({ ...layoutDoc([]), fields: { serial } }, 'fields', 'must be a list');
  });
  test('collects every issue at once', () => {
    const issues = issuesOf(
      layoutDoc(
        [
          { ...serial, type: 'ascii8' },
          { name: 'x', block: 0, offset: 20, type: 'u16le', source: 'constant', value: -1 },
        ],
        { version: 0, lock: [1] },
      ),
    );
    assert.deepEqual(
      issues.map((i) => i.path),
      ['version', 'fields[0].type', 'fields[1].value', 'lock[0]'],
    );
  });
});

describe('validateLayout: field issues name the field', () => {
  test('a field that is not a mapping', () => assertIssue(layoutDoc(['serial']), 'fields[0]', 'field #0'));
  test('unknown key (typo)', () =>
    assertIssue(layoutDoc([{ ...serial, lenght: 16 }]), 'fields[0]', 'field "serial"', 'unknown key "lenght"'));
  test('missing or bad name', () => {
    const { name: _name, ...unnamed } = serial;
    assertIssue(layoutDoc([unnamed]), 'fields[0].name', 'field #0', 'name is required');
    assertIssue(
      layoutDoc([{ ...serial, name: 'serial number' }]),
      'fields[0].name',
      'field "serial number"',
      'name must be',
    );
  });
  test('missing block or offset, negative values', () => {
    const { block: _block, ...noBlock } = serial;
    assertIssue(layoutDoc([noBlock]), 'fields[0].block', 'field "serial"', 'block is required');
    assertIssue(layoutDoc([{ ...serial, offset: -1 }]), 'fields[0].offset', 'field "serial"', '0 or more');
  });
  test('duplicate names', () =>
    assertIssue(layoutDoc([serial, { ...serial, block: 1 }]), 'fields[1].name', 'field "serial"', 'more than once'));
  test('unknown type', () =>
    assertIssue(
      layoutDoc([{ ...serial, type: 'string' }]),
      'fields[0].type',
      'field "serial"',
      'unknown type "string"',
    ));
  test('unknown source', () =>
    assertIssue(layoutDoc([{ ...serial, source: 'mes' }]), 'fields[0].source', 'field "serial"', 'source must be'));
  test('length missing for a variable-size type', () => {
    for (const type of ['bytes', 'ascii', 'utf8']) {
      const { length: _length, ...noLength } = { ...serial, type };
      assertIssue(layoutDoc([noLength]), 'fields[0].length', 'field "serial"', `length is required for type ${type}`);
    }
  });
  test('length given for a fixed-size type, or zero', () => {
    assertIssue(
      layoutDoc([{ ...serial, type: 'u16le', length: 2 }]),
      'fields[0].length',
      'field "serial"',
      'not allowed',
      '2 bytes',
    );
    assertIssue(layoutDoc([{ ...serial, length: 0 }]), 'fields[0].length', 'field "serial"', 'at least 1');
  });
  test('value on a non-constant field', () =>
    assertIssue(
      layoutDoc([{ ...serial, value: 'SN1' }]),
      'fields[0].value',
      'field "serial"',
      'only allowed when source is constant',
    ));
  test('constant without value', () =>
    assertIssue(layoutDoc([{ ...serial, source: 'constant' }]), 'fields[0].value', 'field "serial"', 'needs a value'));
  test('generator on a non-generated field', () =>
    assertIssue(
      layoutDoc([{ ...serial, generator: 'derived-secret' }]),
      'fields[0].generator',
      'field "serial"',
      'only allowed',
    ));
  test('generated field without generator, or with an unknown one', () => {
    const generated = { name: 'k', block: 0, offset: 0, type: 'bytes', length: 16, source: 'generated' };
    assertIssue(layoutDoc([generated]), 'fields[0].generator', 'field "k"', 'needs a generator');
    assertIssue(
      layoutDoc([{ ...generated, generator: 'random' }]),
      'fields[0].generator',
      'field "k"',
      'unknown generator "random"',
    );
  });
  test('generator with the wrong type or length', () => {
    const hash = { name: 'h', block: 0, offset: 0, source: 'generated', generator: 'device-public-key-sha256' };
    assertIssue(layoutDoc([{ ...hash, type: 'ascii', length: 32 }]), 'fields[0].type', 'field "h"', 'needs type bytes');
    assertIssue(
      layoutDoc([{ ...hash, type: 'bytes', length: 20 }]),
      'fields[0].length',
      'field "h"',
      'length must be 32',
    );
    const key = {
      name: 'k',
      block: 0,
      offset: 0,
      source: 'generated',
      generator: 'device-private-key',
      type: 'bytes',
      length: 16,
    };
    assertIssue(layoutDoc([key]), 'fields[0].length', 'field "k"', 'length must be 32');
    const derived = { ...key, generator: 'derived-secret', length: 8 };
    assertIssue(layoutDoc([derived]), 'fields[0].length', 'field "k"', 'at least 16 bytes');
  });
  test('secret: false on an always-secret generator', () => {
    const key = {
      name: 'k',
      block: 0,
      offset: 0,
      type: 'bytes',
      length: 32,
      source: 'generated',
      generator: 'device-private-key',
    };
    assertIssue(layoutDoc([{ ...key, secret: false }]), 'fields[0].secret', 'field "k"', 'always secret');
  });
  test('secret constant', () =>
    assertIssue(
      layoutDoc([{ name: 'c', block: 0, offset: 0, type: 'u8', source: 'constant', value: 1, secret: true }]),
      'fields[0].secret',
      'field "c"',
      'cannot be secret',
    ));
  test('bad constant values: range, length, type, NaN, all 0xFF', () => {
    const constant = (type: string, value: unknown, extra: Record<string, unknown> = {}) =>
      layoutDoc([{ name: 'c', block: 0, offset: 0, type, source: 'constant', value, ...extra }]);
    assertIssue(constant('u8', 256), 'fields[0].value', 'field "c"', 'out of range (0 to 255)');
    assertIssue(constant('i16le', -40000), 'fields[0].value', 'field "c"', 'out of range');
    assertIssue(constant('u32le', 1.5), 'fields[0].value', 'field "c"', 'must be an integer');
    assertIssue(constant('ascii', 'too long', { length: 4 }), 'fields[0].value', 'field "c"', 'at most 4 characters');
    assertIssue(constant('u16le', '12'), 'fields[0].value', 'field "c"', 'must be an integer');
    assertIssue(constant('f32le', Number.NaN), 'fields[0].value', 'field "c"', 'finite');
    assertIssue(constant('u8', 255), 'fields[0].value', 'field "c"', 'all 0xFF');
    assertIssue(constant('bytes', 'ffff', { length: 2 }), 'fields[0].value', 'field "c"', 'all 0xFF');
  });
});

describe('validateLayout: placement issues', () => {
  test('a block outside the OTP', () =>
    assertIssue(
      layoutDoc([{ ...serial, block: 16 }]),
      'fields[0].block',
      'field "serial"',
      'block 16 does not exist',
      '0-15',
    ));
  test('a field may cross a block boundary when neither block is locked', () => {
    const layout = validateLayout(layoutDoc([{ ...serial, offset: 20 }]));
    assert.deepEqual(
      layout.fields.map((f) => [f.block, f.offsetBytes, f.otpOffsetBytes, f.sizeBytes]),
      [[0, 20, 20, 16]],
    );
  });
  test('a field spanning blocks that are only partly locked names the field and the blocks', () => {
    assertIssue(
      layoutDoc([{ ...serial, offset: 20 }], { lock: [0] }),
      'fields[0]',
      'field "serial" spans blocks 0-1',
      'only block 0 is in the lock list',
      '(block 1 is not)',
      'lock all of blocks 0-1 or none',
    );
    const pub = { ...devicePublicKey, block: 2 };
    assertIssue(
      layoutDoc([pub], { lock: [3, 4] }),
      'fields[0]',
      'field "pub" spans blocks 2-4',
      'only blocks 3-4 are in the lock list',
      '(block 2 is not)',
    );
    assertIssue(layoutDoc([pub], { lock: [2, 4] }), 'fields[0]', 'only blocks 2, 4 are', '(block 3 is not)');
  });
  test('an offset outside its block', () =>
    assertIssue(
      layoutDoc([{ ...serial, type: 'u8', length: undefined, offset: 70 }]),
      'fields[0].offset',
      'field "serial"',
      'offset 70 is outside block 0',
      'use block 2, offset 6',
    ));
  test('a field running past the end of the OTP', () =>
    assertIssue(
      layoutDoc([{ ...serial, block: 15, offset: 20 }]),
      'fields[0].offset',
      'field "serial"',
      'past the end of OTP',
    ));
  test('a field larger than a block spans blocks: device-public-key over blocks 2-4 (F4) or 0-1 (F7)', () => {
    const f4 = validateLayout(layoutDoc([{ ...devicePublicKey, block: 2 }], { lock: [2, 3, 4] }));
    assert.deepEqual(f4.lock, [2, 3, 4], 'blocks 3 and 4 hold part of a field: locking them is not "holds no field"');
    assert.equal(f4.fields[0]?.otpOffsetBytes, 64);
    const f7 = validateLayout(layoutDoc([devicePublicKey], { family: 'stm32f7', lock: [0, 1] }));
    assert.equal(f7.fields[0]?.sizeBytes, 65);
  });
  test('locking a block a field only runs into, without its first block, is reported once', () => {
    const issues = issuesOf(layoutDoc([{ ...devicePublicKey, block: 2 }], { lock: [4] }));
    assert.deepEqual(
      issues.map((i) => i.path),
      ['fields[0]'],
    );
  });
  test('L4 (no lock bytes) lets a field span blocks', () => {
    const layout = validateLayout(l4([{ ...devicePublicKey, block: 0, offset: 32 }]));
    assert.equal(layout.fields[0]?.otpOffsetBytes, 32);
  });
  test('overlapping fields', () =>
    assertIssue(
      layoutDoc([serial, { name: 'rev', block: 0, offset: 14, type: 'u32le', source: 'input' }]),
      'fields[1].offset',
      'field "rev" overlaps field "serial"',
      'bytes 14-15 of block 0',
    ));
  test('overlapping fields, one of them spanning blocks', () => {
    const long = { ...serial, length: 40 }; // bytes 0-7 of block 1 too
    assertIssue(
      layoutDoc([long, { name: 'rev', block: 1, offset: 6, type: 'u32le', source: 'input' }]),
      'fields[1].offset',
      'field "rev" overlaps field "serial" at bytes 6-7 of block 1',
    );
    assertIssue(
      layoutDoc([long, { name: 'id', block: 0, offset: 30, type: 'u64le', source: 'input' }]),
      'fields[1].offset',
      'field "id" overlaps field "serial" at bytes 30 of block 0 to 5 of block 1',
    );
  });
  test('L4 fields sharing a double-word', () =>
    assertIssue(
      l4([
        { name: 'a', block: 0, offset: 0, type: 'u16le', source: 'input' },
        { name: 'b', block: 0, offset: 4, type: 'u16le', source: 'input' },
      ]),
      'fields[1].offset',
      'field "b" shares',
      'field "a"',
      'bytes 0-7 of block 0',
      'offset 8',
    ));
});

describe('validateLayout: lock issues', () => {
  test('a lock list on a family without lock bytes', () =>
    assertIssue(
      l4([{ name: 'a', block: 0, offset: 0, type: 'u8', source: 'input' }], { lock: [0] }),
      'lock',
      'stm32l4 has no lock bytes',
    ));
  test('a block that does not exist', () =>
    assertIssue(layoutDoc([serial], { lock: [0, 16] }), 'lock[1]', 'block 16 does not exist'));
  test('a block listed twice', () => assertIssue(layoutDoc([serial], { lock: [0, 0] }), 'lock[1]', 'more than once'));
  test('a block that holds no field', () =>
    assertIssue(layoutDoc([serial], { lock: [0, 2] }), 'lock[1]', 'block 2 holds no field'));
  test('entries that are not block numbers', () => {
    assertIssue(layoutDoc([serial], { lock: ['0'] }), 'lock.0', 'block numbers');
    assertIssue(layoutDoc([serial], { lock: 0 }), 'lock', 'must be a list');
  });
  test('a lock on a block whose field is invalid is not reported again', () => {
    const issues = issuesOf(layoutDoc([{ ...serial, type: 'nope', block: 2 }], { lock: [2] }));
    assert.deepEqual(
      issues.map((i) => i.path),
      ['fields[0].type'],
    );
  });
});
