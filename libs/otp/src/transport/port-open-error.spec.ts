import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TransportIoError } from './errors.js';
import { diagnosePortOpenFailure, PortOpenError } from './port-open-error.js';

const dir = mkdtempSync(join(tmpdir(), 'ingrain-port-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('diagnosePortOpenFailure', () => {
  test('a missing port is not-found (ENOENT), a transport error naming the path only', () => {
    const cause = new Error('Error: No such file or directory, cannot open /dev/ttyUSB7');
    const error = diagnosePortOpenFailure(join(dir, 'ttyUSB7'), cause);
    assert.ok(error instanceof PortOpenError && error instanceof TransportIoError);
    assert.equal(error.code, 'TRANSPORT_PORT_NOT_FOUND');
    assert.equal(error.reason, 'not-found');
    assert.equal(error.systemCode, 'ENOENT');
    assert.deepEqual(error.holders, []);
    assert.equal(error.cause, cause);
    assert.match(error.message, /ttyUSB7: no such port \(ENOENT\)/);
  });

  test('a lock held elsewhere is busy (EAGAIN) even though open(2) itself succeeds', () => {
    const path = join(dir, 'locked');
    writeFileSync(path, '');
    const error = diagnosePortOpenFailure(path, new Error('Error Resource temporarily unavailable Cannot lock port'));
    assert.equal(error.code, 'TRANSPORT_PORT_BUSY');
    assert.equal(error.systemCode, 'EAGAIN');
  });

  test('a failure the OS does not explain is open-failed, with no errno invented', () => {
    const path = join(dir, 'not-a-tty');
    writeFileSync(path, '');
    const error = diagnosePortOpenFailure(path, new Error('Error: Inappropriate ioctl for device, cannot set'));
    assert.equal(error.code, 'TRANSPORT_PORT_OPEN_FAILED');
    assert.equal(error.systemCode, undefined);
    assert.equal(error.message, `cannot open serial port ${path}`);
  });
});
