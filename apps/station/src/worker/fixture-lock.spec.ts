import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FixtureLock } from './fixture-lock.js';

/** A promise settled from outside. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** Lets every queued promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FixtureLock', () => {
  test('a job waits for a running sweep step and starts once it ended', async () => {
    const lock = new FixtureLock();
    const sweepStep = deferred();
    const order: string[] = [];
    const sweeping = lock.forSweep(async () => {
      order.push('sweep-start');
      await sweepStep.promise;
      order.push('sweep-end');
    });
    assert.ok(sweeping, 'the free fixture is swept');
    const job = lock.forJob(() => {
      order.push('job');
      return Promise.resolve('done');
    });
    await settle();
    assert.deepEqual(order, ['sweep-start'], 'the job has not started');
    sweepStep.resolve();
    assert.equal(await job, 'done');
    await sweeping;
    assert.deepEqual(order, ['sweep-start', 'sweep-end', 'job']);
  });

  test('a job also waits for a sweep step that fails, and runs', async () => {
    const lock = new FixtureLock();
    const sweepStep = deferred();
    const sweeping = lock.forSweep(() => sweepStep.promise);
    const job = lock.forJob(() => Promise.resolve(7));
    sweepStep.reject(new Error('link'));
    await assert.rejects(sweeping ?? Promise.resolve(), /link/);
    assert.equal(await job, 7);
  });

  test('no sweep step starts while a job runs or waits, nor while another step runs', async () => {
    const lock = new FixtureLock();
    const step = deferred();
    const first = lock.forSweep(() => step.promise);
    assert.ok(first);
    assert.equal(
      lock.forSweep(() => Promise.resolve()),
      undefined,
      'one step at a time',
    );
    const jobWork = deferred();
    const job = lock.forJob(() => jobWork.promise);
    step.resolve();
    await first;
    await settle();
    let ran = false;
    const during = lock.forSweep(() => {
      ran = true;
      return Promise.resolve();
    });
    assert.equal(during, undefined, 'the job holds the fixture');
    assert.equal(ran, false);
    jobWork.resolve();
    await job;
    assert.ok(
      lock.forSweep(() => Promise.resolve()),
      'free again after the job',
    );
  });

  test('idle time is 0 while a job runs; jobsEnded counts finished and failed jobs', async () => {
    const lock = new FixtureLock();
    const work = deferred();
    const job = lock.forJob(() => work.promise);
    assert.equal(lock.idleMs(), 0);
    assert.equal(lock.jobsEnded, 0);
    work.reject(new Error('link error'));
    await assert.rejects(job, /link error/);
    assert.equal(lock.jobsEnded, 1);
    await lock.forJob(() => Promise.resolve());
    assert.equal(lock.jobsEnded, 2);
    assert.ok(lock.idleMs() >= 0);
  });
});
