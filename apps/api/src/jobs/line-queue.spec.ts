import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JobQueueError } from './errors.js';
import { lineQueueName, provisionJobPayloadSchema } from './line-queue.js';

void describe('lineQueueName', () => {
  test('prefixes the line: BullMQ refuses ":" in queue names', () => {
    assert.equal(lineQueueName('smt-1'), 'ingrain-line-smt-1');
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

void describe('provisionJobPayloadSchema', () => {
  const payload = { deviceId: '0190f3a2-7c1e-4b4d-9a55-3e2f1c0d9b8a', productId: 'sensor-node', layoutVersion: 1 };

  test('accepts exactly the three members', () => {
    assert.deepEqual(provisionJobPayloadSchema.parse(payload), payload);
  });

  test('refuses anything more (an image or a key must never ride along)', () => {
    assert.equal(provisionJobPayloadSchema.safeParse({ ...payload, imageHex: '00' }).success, false);
    assert.equal(provisionJobPayloadSchema.safeParse({ ...payload, deviceId: 'x' }).success, false);
  });
});
