import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { requestLowLatency } from './low-latency.js';

// A fake /dev and /sys: each adapter is a device node stand-in plus its sysfs directory.
const root = mkdtempSync(join(tmpdir(), 'ingrain-low-latency-'));
after(() => rmSync(root, { recursive: true, force: true }));

function adapter(tty: string, driver: string | undefined, timer?: string): string {
  const device = join(root, 'sys', 'class', 'tty', tty, 'device');
  mkdirSync(device, { recursive: true });
  if (driver !== undefined) {
    mkdirSync(join(root, 'sys', 'drivers', driver), { recursive: true });
    symlinkSync(join(root, 'sys', 'drivers', driver), join(device, 'driver'));
  }
  if (timer !== undefined) writeFileSync(join(device, 'latency_timer'), `${timer}\n`);
  mkdirSync(join(root, 'dev'), { recursive: true });
  const node = join(root, 'dev', tty);
  writeFileSync(node, '');
  return node;
}

const sysfs = join(root, 'sys');

describe('requestLowLatency', () => {
  test('an FTDI adapter at 16 ms is lowered to 1 ms through sysfs', () => {
    const port = adapter('ttyUSB0', 'ftdi_sio', '16');
    const outcome = requestLowLatency(port, sysfs);
    assert.equal(outcome.state, 'lowered');
    assert.equal(outcome.driver, 'ftdi_sio');
    assert.equal(outcome.latencyTimerMs, 1);
    assert.equal(readFileSync(join(sysfs, 'class', 'tty', 'ttyUSB0', 'device', 'latency_timer'), 'utf8').trim(), '1');
    assert.match(outcome.note, /ttyUSB0: latency timer 16 → 1 ms/);
  });

  test('a timer already at 1 ms is left alone', () => {
    const outcome = requestLowLatency(adapter('ttyUSB1', 'ftdi_sio', '1'), sysfs);
    assert.equal(outcome.state, 'already-low');
  });

  test('a timer that cannot be written is reported with what to do', (t) => {
    // As root a file's mode does not stop the write; a read-only sysfs attribute of this kernel does.
    const readOnly = '/sys/kernel/mm/transparent_hugepage/hpage_pmd_size';
    const port = adapter('ttyUSB2', 'ftdi_sio');
    const timer = join(sysfs, 'class', 'tty', 'ttyUSB2', 'device', 'latency_timer');
    if (process.getuid?.() === 0) {
      if (!existsSync(readOnly)) return t.skip('no read-only numeric sysfs attribute to stand in');
      symlinkSync(readOnly, timer);
    } else {
      writeFileSync(timer, '16\n', { mode: 0o444 });
    }
    const outcome = requestLowLatency(port, sysfs);
    assert.equal(outcome.state, 'unavailable');
    assert.match(outcome.note, /cannot be lowered/);
    assert.match(outcome.note, /ATTR\{latency_timer\}="1"/);
  });

  test('a USB adapter without a latency setting is unavailable, with a note', () => {
    const outcome = requestLowLatency(adapter('ttyUSB3', 'cp210x'), sysfs);
    assert.equal(outcome.state, 'unavailable');
    assert.match(outcome.note, /cp210x.*no latency setting/);
  });

  test('an on-board UART and a pty are not applicable', () => {
    assert.equal(requestLowLatency(adapter('ttyS0', 'serial8250'), sysfs).state, 'not-applicable');
    assert.equal(requestLowLatency('/dev/ptmx', sysfs).state, 'not-applicable');
    assert.equal(requestLowLatency(join(root, 'dev', 'missing'), sysfs).state, 'not-applicable');
  });
});
