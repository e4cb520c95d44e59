import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ByteQueue } from './byte-queue.js';
import { TransportBusyError, TransportClosedError, TransportLineError, TransportTimeoutError } from './errors.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('ByteQueue', () => {
  test('serves a read from several chunks in arrival order', async () => {
    const queue = new ByteQueue();
    queue.push(bytes(1, 2));
    queue.push(bytes(3));
    queue.push(bytes(4, 5, 6));
    assert.deepEqual(await queue.read(4, 100), bytes(1, 2, 3, 4));
    assert.equal(queue.length, 2);
    assert.deepEqual(await queue.read(2, 100), bytes(5, 6));
    assert.equal(queue.length, 0);
  });

  test('resolves a pending read as soon as enough bytes arrive', async () => {
    const queue = new ByteQueue();
    const reading = queue.read(3, Infinity);
    queue.push(bytes(7));
    queue.push(bytes(8, 9, 10));
    assert.deepEqual(await reading, bytes(7, 8, 9));
    assert.deepEqual(await queue.read(1, 0), bytes(10));
  });

  test('a zero-length read resolves at once', async () => {
    assert.deepEqual(await new ByteQueue().read(0, 0), bytes());
  });

  test('a timeout rejects with the bytes that did arrive and consumes them', async () => {
    const queue = new ByteQueue();
    queue.push(bytes(0x79, 0x01));
    const error = await queue.read(5, 5).then(
      () => assert.fail('read should time out'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TransportTimeoutError);
    assert.equal(error.code, 'TRANSPORT_TIMEOUT');
    assert.equal(error.expectedBytes, 5);
    assert.deepEqual(error.received, bytes(0x79, 0x01));
    assert.equal(queue.length, 0);
  });

  test('rejects a second concurrent read', async () => {
    const queue = new ByteQueue();
    const first = queue.read(1, Infinity);
    await assert.rejects(queue.read(1, 10), TransportBusyError);
    queue.push(bytes(1));
    assert.deepEqual(await first, bytes(1));
  });

  test('discard drops buffered bytes', async () => {
    const queue = new ByteQueue();
    queue.push(bytes(1, 2, 3));
    queue.discard();
    assert.equal(queue.length, 0);
    queue.push(bytes(4));
    assert.deepEqual(await queue.read(1, 10), bytes(4));
  });

  test('fail rejects the pending read and later reads, but buffered bytes can still be read', async () => {
    const queue = new ByteQueue();
    const pending = assert.rejects(queue.read(2, Infinity), TransportClosedError);
    queue.fail();
    await pending;
    queue.push(bytes(1)); // ignored after failure
    await assert.rejects(queue.read(1, 10), TransportClosedError);
  });

  test('many small chunks are compacted and still read correctly', async () => {
    const queue = new ByteQueue();
    for (let i = 0; i < 1000; i += 1) queue.push(bytes(i & 0xff));
    for (let i = 0; i < 1000; i += 10) {
      const got = await queue.read(10, 10);
      assert.deepEqual(
        got,
        Uint8Array.from({ length: 10 }, (_, k) => (i + k) & 0xff),
      );
    }
  });

  test('rejects invalid arguments', async () => {
    const queue = new ByteQueue();
    await assert.rejects(queue.read(-1, 10), { code: 'TRANSPORT_INVALID_ARGUMENT' });
    await assert.rejects(queue.read(1.5, 10), { code: 'TRANSPORT_INVALID_ARGUMENT' });
    await assert.rejects(queue.read(1, Number.NaN), { code: 'TRANSPORT_INVALID_ARGUMENT' });
  });
});

describe('ByteQueue.interrupt (a flagged byte)', () => {
  test('rejects the pending read once; later reads work', async () => {
    const queue = new ByteQueue();
    const pending = queue.read(2, Infinity);
    queue.push(bytes(1));
    queue.interrupt(new TransportLineError('parity-or-framing'));
    await assert.rejects(pending, { code: 'TRANSPORT_LINE_ERROR' });
    queue.push(bytes(2));
    assert.deepEqual(await queue.read(1, 10), bytes(2));
  });

  test('without a pending read, the next read rejects and the buffered bytes are gone', async () => {
    const queue = new ByteQueue();
    queue.push(bytes(1, 2));
    queue.interrupt(new TransportLineError('break'));
    queue.push(bytes(3));
    await assert.rejects(queue.read(1, 10), TransportLineError);
    assert.deepEqual(await queue.read(1, 10), bytes(3));
  });
});
