import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WireClock, byteTimeMs } from './wire-clock.js';

describe('wire clock', () => {
  test('a byte takes 11 bits at the baud rate (95.49 µs at 115200)', () => {
    assert.equal(byteTimeMs(115_200).toFixed(5), '0.09549');
    assert.equal(byteTimeMs(11_000), 1);
  });

  test('received bytes finish one byte time apart from the first arrival', () => {
    const clock = new WireClock(1);
    assert.deepEqual(clock.receive(10, 3), [11, 12, 13]);
  });

  test('back-to-back host writes queue behind the bytes still on the wire', () => {
    const clock = new WireClock(1);
    clock.receive(10, 5);
    assert.deepEqual(clock.receive(12, 2), [16, 17]);
    assert.deepEqual(clock.receive(30, 1), [31], 'an idle wire starts at the arrival');
  });

  test('replies never overlap and start no earlier than they are ready', () => {
    const clock = new WireClock(1);
    assert.deepEqual(clock.transmit(5, 2), [6, 7]);
    assert.deepEqual(clock.transmit(6, 2), [8, 9]);
    assert.deepEqual(clock.transmit(20, 1), [21]);
  });

  test('the two directions are independent (full duplex)', () => {
    const clock = new WireClock(1);
    clock.receive(0, 100);
    assert.deepEqual(clock.transmit(1, 1), [2]);
  });
});
