import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSimulatorOptions } from './simulator-options.js';

describe('parseSimulatorOptions', () => {
  test('fills the defaults', () => {
    const parsed = parseSimulatorOptions({ family: 'stm32l4' });
    assert.equal(parsed.count, 1);
    assert.equal(parsed.programTimePerByteUs, 16);
    assert.equal(parsed.lockedWriteAck, true);
    assert.equal(parsed.baudTiming, undefined);
  });

  for (const [options, name] of [
    [{ family: 'stm32h7' }, 'family'],
    [{ family: 'stm32f4', count: 0 }, 'count'],
    [{ family: 'stm32f4', baudTiming: 300 }, 'baudTiming'],
    [{ family: 'stm32f4', uids: ['00'] }, 'uids'],
    [{ family: 'stm32f4', count: 1, uids: ['000102030405060708090a0b', '000102030405060708090a0c'] }, 'uids'],
    [{ family: 'stm32f4', faults: { nackCommand: -1 } }, 'faults'],
    [{ family: 'stm32f4', colour: 'blue' }, 'colour'],
  ] as const) {
    test(`refuses a bad ${name} with SIM_INVALID_OPTIONS naming it`, () => {
      assert.throws(
        () => parseSimulatorOptions(options as unknown as Parameters<typeof parseSimulatorOptions>[0]),
        (error: Error & { code?: string }) => error.code === 'SIM_INVALID_OPTIONS' && error.message.includes(name),
      );
    });
  }
});
