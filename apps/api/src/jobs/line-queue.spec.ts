import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JobQueueError } from './errors.js';
import { lineQueueName } from './line-queue.js';

// The queue name and the payload are the shared contract's (libs/contracts provision-job.spec.ts);
// the API reports a bad line in its job queue's own vocabulary.
void describe('lineQueueName', () => {
  test('prefixes the line: BullMQ refuses ":" in queue names', () => {
    assert.equal(lineQueueName('smt-1'), '{ingrain-line-smt-1}');
  });

  test('refuses a line that cannot name a queue', () => {
    for (const line of ['', 'a:b', '-x', 'x'.repeat(65), 'line 1']) {
      assert.throws(
        () => lineQueueName(line),
        (error: unknown) => error instanceof JobQueueError && error.code === 'QUEUE_LINE_INVALID',
        line,
      );
    }
  });
});
