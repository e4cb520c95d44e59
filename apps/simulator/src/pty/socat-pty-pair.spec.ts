import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSocatReady, socatExitError } from './socat-pty-pair.js';

const PTY_A = '2026/11/21 06:12:06 socat[7535] N PTY is /dev/pts/0\n';
const PTY_B = '2026/11/21 06:12:06 socat[7535] N PTY is /dev/pts/1\n';
const READY = '2026/11/21 06:12:06 socat[7535] N starting data transfer loop with FDs [5,5] and [7,7]\n';

describe('socat start-up output', () => {
  test('is ready only once both ptys are announced and the relay loop has started', () => {
    assert.equal(parseSocatReady(PTY_A), undefined);
    assert.equal(parseSocatReady(PTY_A + PTY_B), undefined);
    assert.deepEqual(parseSocatReady(PTY_A + PTY_B + READY), ['/dev/pts/0', '/dev/pts/1']);
  });

  test('an early exit names the cause; status 127 means socat is missing', () => {
    assert.equal(socatExitError(127, 'setpriv: failed to execute socat').code, 'SIM_SOCAT_MISSING');
    const failed = socatExitError(1, `${PTY_A}E openpty(): No space left on device\n`);
    assert.equal(failed.code, 'SIM_PTY_FAILED');
    assert.match(failed.message, /openpty/);
  });
});
