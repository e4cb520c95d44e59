import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TransparencyLogError, type AppendedLeaf } from '#ingrain/crypto';
import { appendWithRetry, MAX_APPEND_ATTEMPTS } from './append-retry.js';

const LEAF = new Uint8Array([1, 2, 3]);
const APPENDED: AppendedLeaf = { leafIndex: 7, leafHash: new Uint8Array(32), alreadyPresent: false };

/** A log whose first `failures` appends throw `error`, then appends at index 7. */
function flakyLog(failures: number, error: Error) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    append: (leaves: readonly Uint8Array[]): Promise<AppendedLeaf[]> => {
      calls++;
      assert.deepEqual(leaves, [LEAF]);
      return calls <= failures ? Promise.reject(error) : Promise.resolve([APPENDED]);
    },
  };
}

const conflict = () => new TransparencyLogError('LOG_APPEND_CONFLICT', 'another writer appended');

void describe('appendWithRetry', () => {
  void test('retries a conflict, counting each retry, until an append succeeds', async () => {
    const log = flakyLog(MAX_APPEND_ATTEMPTS - 1, conflict());
    let retries = 0;
    assert.equal(await appendWithRetry(log, LEAF, () => retries++), APPENDED);
    assert.equal(log.calls, MAX_APPEND_ATTEMPTS);
    assert.equal(retries, MAX_APPEND_ATTEMPTS - 1);
  });

  void test('gives up after the last attempt with the conflict', async () => {
    const log = flakyLog(MAX_APPEND_ATTEMPTS, conflict());
    await assert.rejects(appendWithRetry(log, LEAF), { code: 'LOG_APPEND_CONFLICT' });
    assert.equal(log.calls, MAX_APPEND_ATTEMPTS);
  });

  void test('never retries any other error', async () => {
    const log = flakyLog(1, new TransparencyLogError('LOG_NODE_MISSING', 'damaged store'));
    await assert.rejects(appendWithRetry(log, LEAF), { code: 'LOG_NODE_MISSING' });
    assert.equal(log.calls, 1);
  });
});
