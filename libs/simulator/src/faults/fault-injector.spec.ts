import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FaultInjector } from './fault-injector.js';

describe('FaultInjector', () => {
  test('an empty plan never fires', () => {
    const faults = new FaultInjector();
    for (let i = 0; i < 100; i++) {
      assert.equal(faults.dropReceivedByte(), false);
      assert.equal(faults.transmitByte(0x79), 0x79);
      assert.equal(faults.onCommand(), 'execute');
    }
    assert.equal(faults.programBudgetBytes(), Number.POSITIVE_INFINITY);
  });

  test('byte faults fire exactly at the Nth byte, once', () => {
    const faults = new FaultInjector({ dropReceivedByte: 3, corruptTransmittedByte: 2 });
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => faults.dropReceivedByte()),
      [false, false, true, false, false],
    );
    assert.deepEqual(
      [0x79, 0x79, 0x79].map((byte) => faults.transmitByte(byte)),
      [0x79, 0x86, 0x79],
    );
    assert.deepEqual(faults.armed(), {});
  });

  test('arm() replaces the plan and restarts the counters', () => {
    const faults = new FaultInjector({ nackCommand: 2 });
    faults.onCommand();
    faults.arm({ nackCommand: 2 });
    assert.equal(faults.onCommand(), 'execute');
    assert.equal(faults.onCommand(), 'nack');
    assert.equal(faults.onCommand(), 'execute');
  });

  test('silence starts at the Nth command and lasts until endSilence()', () => {
    const faults = new FaultInjector({ silentFromCommand: 2, nackCommand: 3 });
    assert.equal(faults.onCommand(), 'execute');
    assert.equal(faults.onCommand(), 'silent');
    assert.equal(faults.onCommand(), 'silent');
    assert.equal(faults.isSilenced, true);
    faults.endSilence();
    assert.equal(faults.onCommand(), 'execute', 'the 3rd command was swallowed by the silence');
  });

  test('the power-loss budget shrinks with programmed bytes and fires only on a cut write', () => {
    const faults = new FaultInjector({ powerLossAfterBytes: 10 });
    assert.equal(faults.programBudgetBytes(), 10);
    assert.equal(faults.recordProgrammed(8, 8), false);
    assert.equal(faults.programBudgetBytes(), 2);
    assert.equal(faults.recordProgrammed(2, 8), true);
    assert.equal(faults.programBudgetBytes(), Number.POSITIVE_INFINITY, 'fired once');
  });

  test('a write ending exactly at the budget completes; the next one is cut at its first byte', () => {
    const faults = new FaultInjector({ powerLossAfterBytes: 4 });
    assert.equal(faults.recordProgrammed(4, 4), false);
    assert.equal(faults.programBudgetBytes(), 0);
    assert.equal(faults.recordProgrammed(0, 4), true);
  });
});

describe('weak data bits', () => {
  test('report their mask per offset while armed, and nothing once the plan is replaced', () => {
    const faults = new FaultInjector({
      weakDataBits: [
        { offsetBytes: 3, mask: 0x01 },
        { offsetBytes: 3, mask: 0x80 },
      ],
    });
    assert.equal(faults.weakBitsAt(3), 0x81);
    assert.equal(faults.weakBitsAt(4), 0);
    faults.arm({});
    assert.equal(faults.weakBitsAt(3), 0);
  });
});
