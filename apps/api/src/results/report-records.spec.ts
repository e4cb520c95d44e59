import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type DeviceState } from '#ingrain/contracts';
import type { JsonValue } from '../database/json.js';
import type { DeviceEventRecord } from '../repositories/device-records.js';
import { bytesWrittenReported, recordedQuarantine } from './report-records.js';

let id = 0;
function event(
  from: DeviceState | null,
  to: DeviceState,
  details: JsonValue | null = null,
  reason = 'r',
): DeviceEventRecord {
  id += 1;
  return {
    id,
    deviceId: 'd',
    at: new Date(1_000 * id),
    fromState: from,
    toState: to,
    reason,
    actor: 'a',
    chipUid: null,
    details,
  };
}

void describe('bytesWrittenReported', () => {
  test('sums bytesWritten over every recorded report, ignoring other details', () => {
    const history = [
      event(null, 'queued', { requestedBy: 'mes' }),
      event('queued', 'claimed'),
      event('claimed', 'claimed', { bytesWritten: 0 }),
      event('claimed', 'claimed', { bytesWritten: 12 }),
      event('claimed', 'claimed', { bytesWritten: 'many' }),
      event('claimed', 'claimed', { bytesWritten: 4 }),
    ];
    assert.equal(bytesWrittenReported(history), 16);
    assert.equal(bytesWrittenReported([]), 0);
  });
});

void describe('recordedQuarantine', () => {
  test('reads back the reason and diff a quarantine recorded', () => {
    const diff = [{ region: 'data', offsetBytes: 3, expected: 1, actual: 0 }];
    const history = [
      event('queued', 'claimed'),
      event('claimed', 'quarantined', { diff, omittedDiffs: 2 }, 'readback-mismatch'),
    ];
    assert.deepEqual(recordedQuarantine(history), { reason: 'readback-mismatch', diff, omittedDiffs: 2 });
    assert.equal(recordedQuarantine([event('queued', 'claimed')]), undefined);
  });
});
