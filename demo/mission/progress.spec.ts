import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type WorkOrderCounts } from '../../testkit/stack/index.js';
import { ProgressPrinter, progressLine } from './progress.js';

const counts = (provisioned: number, queued: number, claimed: number): WorkOrderCounts => ({
  planned: 32,
  issued: 32,
  provisioned,
  queued,
  claimed,
  failed: 0,
  quarantined: 0,
  scrapped: 0,
});

describe('progress', () => {
  test('a line names provisioned/planned, queued, claimed and failed, numbers aligned', () => {
    assert.equal(
      progressLine(counts(6, 24, 2), 2_700),
      '   2.7 s   provisioned  6/32   queued 24   claimed  2   failed  0',
    );
  });

  test('prints the first poll, skips polls within two seconds, always prints new final counts', () => {
    const lines: string[] = [];
    const printer = new ProgressPrinter(performance.now(), (line) => lines.push(line));
    printer.update(counts(0, 30, 2));
    printer.update(counts(1, 29, 2));
    printer.update(counts(2, 28, 2));
    assert.equal(lines.length, 1);
    printer.finish(counts(32, 0, 0));
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', /provisioned 32\/32/);
  });

  test('does not repeat final counts it just printed', () => {
    const lines: string[] = [];
    const printer = new ProgressPrinter(performance.now(), (line) => lines.push(line));
    printer.update(counts(32, 0, 0));
    printer.finish(counts(32, 0, 0));
    assert.equal(lines.length, 1);
  });
});
