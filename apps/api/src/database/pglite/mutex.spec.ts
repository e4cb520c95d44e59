import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DatabaseError } from '../errors.js';
import { Mutex } from './mutex.js';

void describe('Mutex', () => {
  void test('grants the lock in request order, one holder at a time', async () => {
    const mutex = new Mutex();
    const order: string[] = [];
    const worker = async (name: string, steps: number): Promise<void> => {
      const release = await mutex.lock();
      order.push(`${name}:start`);
      for (let i = 0; i < steps; i++) await Promise.resolve();
      order.push(`${name}:end`);
      release();
    };
    await Promise.all([worker('a', 5), worker('b', 1), worker('c', 3)]);
    assert.deepEqual(order, ['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
    assert.equal(mutex.locked, false);
  });

  void test('a release called twice hands the lock over only once', async () => {
    const mutex = new Mutex();
    const first = await mutex.lock();
    const second = mutex.lock();
    const third = mutex.lock();
    let thirdGranted = false;
    void third.then(() => (thirdGranted = true));
    first();
    first();
    const releaseSecond = await second;
    await Promise.resolve();
    assert.equal(thirdGranted, false);
    releaseSecond();
    (await third)();
    assert.equal(mutex.locked, false);
  });

  void test('a waiter that times out gets CONNECTION_TIMEOUT and never the lock', async () => {
    const mutex = new Mutex();
    const held = await mutex.lock();
    const timedOut = mutex.lock(10);
    const patient = mutex.lock();
    await assert.rejects(
      timedOut,
      (error: unknown) => error instanceof DatabaseError && error.code === 'CONNECTION_TIMEOUT',
    );
    held();
    const release = await patient;
    assert.equal(mutex.locked, true);
    release();
    assert.equal(mutex.locked, false);
  });
});
