import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseProcStat, parseProcStatus } from './api-proc.js';

describe('parseProcStatus', () => {
  const status = [
    'Name:\tnode',
    'VmPeak:\t 1300000 kB',
    'VmHWM:\t  563200 kB',
    'VmRSS:\t  450560 kB',
    'RssAnon:\t  300000 kB',
  ].join('\n');

  test('VmRSS and VmHWM in bytes (kB × 1024), not the lines that merely contain the names', () => {
    assert.deepEqual(parseProcStatus(status), { rssBytes: 450_560 * 1024, peakRssBytes: 563_200 * 1024 });
  });

  test('a text without VmHWM (a kernel thread, another OS) is refused, not read as 0', () => {
    assert.throws(() => parseProcStatus('Name:\tkthreadd\nVmRSS:\t 1 kB\n'), /VmHWM/);
  });
});

describe('parseProcStat', () => {
  // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
  const stat = (comm: string) => `4242 (${comm}) S 17 4242 4242 0 -1 4194560 900 0 0 0 150 30 7 3 20 0 1 0 5000 0 0`;

  test('ppid, utime + stime and cutime + cstime', () => {
    assert.deepEqual(parseProcStat(4242, stat('postgres')), {
      pid: 4242,
      ppid: 17,
      ownTicks: 180,
      reapedChildrenTicks: 10,
    });
  });

  test('a command name with spaces and parentheses is skipped whole', () => {
    assert.deepEqual(parseProcStat(4242, stat('postgres: (x) y')), {
      pid: 4242,
      ppid: 17,
      ownTicks: 180,
      reapedChildrenTicks: 10,
    });
  });

  test('a truncated line is refused', () => {
    assert.throws(() => parseProcStat(1, '1 (init) S 0 1 1 0'), /not a number/);
  });
});
