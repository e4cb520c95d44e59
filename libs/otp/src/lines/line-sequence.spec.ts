import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatSteps, gpioOffsetsOf, LineSequenceError, parseLineSequences } from './line-sequence.js';

describe('parseLineSequences (stm32flash -i syntax)', () => {
  test('entry and exit around ":", "-" for off, "," 100 ms, "&" none', () => {
    const { entry, exit } = parseLineSequences('-rts&dtr,,,rts,-dtr:-dtr&rts,-rts');
    assert.deepEqual(entry, [
      { kind: 'set', line: { kind: 'rts' }, on: false },
      { kind: 'set', line: { kind: 'dtr' }, on: true },
      { kind: 'wait', durationMs: 300 },
      { kind: 'set', line: { kind: 'rts' }, on: true },
      { kind: 'wait', durationMs: 100 },
      { kind: 'set', line: { kind: 'dtr' }, on: false },
    ]);
    assert.equal(formatSteps(exit ?? []), '-dtr&rts,-rts');
  });

  test('GPIO numbers and brk; signals may follow each other without a separator', () => {
    const sequences = parseLineSequences('17&-27,brk,-17rts');
    assert.deepEqual(gpioOffsetsOf(sequences), [17, 27]);
    assert.deepEqual(sequences.entry.at(2), { kind: 'wait', durationMs: 100 });
    assert.deepEqual(sequences.entry.at(3), { kind: 'set', line: { kind: 'brk' }, on: true });
    assert.deepEqual(sequences.entry.at(-1), { kind: 'set', line: { kind: 'rts' }, on: true });
    assert.equal(sequences.exit, undefined, 'no ":": no exit sequence');
  });

  test('an empty entry (":exit") and an empty exit ("entry:") are allowed', () => {
    assert.deepEqual(parseLineSequences(':rts').entry, []);
    assert.deepEqual(parseLineSequences('rts:').exit, []);
  });

  const invalid: [string, number, RegExp][] = [
    ['rts,dts', 4, /"d" is not a signal/],
    ['-,rts', 0, /"-" must be followed by a signal/],
    ['rts:dtr:brk', 7, /a second ":"/],
    ['rts -dtr', 3, /" " is not a signal/],
    ['--rts', 0, /"-" must be followed/],
    ['99999', 0, /GPIO line 99999 is out of range/],
  ];
  for (const [text, position, reason] of invalid) {
    test(`"${text}" is refused at character ${position + 1}`, () => {
      const error = (() => {
        try {
          parseLineSequences(text);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(error instanceof LineSequenceError, text);
      assert.equal(error.code, 'LINE_SEQUENCE_INVALID');
      assert.equal(error.position, position);
      assert.match(error.message, reason);
      assert.match(error.message, new RegExp(`character ${position + 1}:`));
    });
  }
});
