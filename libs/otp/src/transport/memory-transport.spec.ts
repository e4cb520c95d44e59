import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TransportClosedError, TransportTimeoutError } from './errors.js';
import { createMemoryLink } from './memory-transport.js';

describe('MemoryTransport', () => {
  test('carries bytes both ways, copied', async () => {
    const [host, device] = createMemoryLink();
    const sent = Uint8Array.from([0x7f]);
    await host.write(sent);
    sent[0] = 0; // the peer received a copy
    assert.deepEqual(await device.read(1, 100), Uint8Array.from([0x7f]));
    await device.write(Uint8Array.from([0x79]));
    assert.deepEqual(await host.read(1, 100), Uint8Array.from([0x79]));
    await host.close();
  });

  test('read times out with a typed error', async () => {
    const [host, device] = createMemoryLink();
    await device.write(Uint8Array.from([1]));
    await assert.rejects(
      host.read(2, 5),
      (e: unknown) => e instanceof TransportTimeoutError && e.received.length === 1,
    );
    await host.close();
  });

  test('discardInput drops what was received', async () => {
    const [host, device] = createMemoryLink();
    await device.write(Uint8Array.from([1, 2]));
    host.discardInput();
    await device.write(Uint8Array.from([3]));
    assert.deepEqual(await host.read(1, 100), Uint8Array.from([3]));
    await host.close();
  });

  test('closing one end fails pending reads and writes on both ends', async () => {
    const [host, device] = createMemoryLink();
    const pending = assert.rejects(device.read(1, Infinity), TransportClosedError);
    await host.close();
    await pending;
    await assert.rejects(host.write(Uint8Array.from([1])), TransportClosedError);
    await assert.rejects(device.write(Uint8Array.from([1])), TransportClosedError);
    await device.close(); // idempotent
  });
});
