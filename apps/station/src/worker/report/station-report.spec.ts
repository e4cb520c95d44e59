import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CycleResult } from '#ingrain/otp';
import { parseStationReport } from '#ingrain/contracts';
import { buildProtectedChipReport, buildStationReport, maskSecretRanges } from './station-report.js';

const WIRE = { bytesSent: 1, bytesReceived: 2, roundTrips: 3 };
const DURATIONS = { connect: 1, identify: 1, read: 1, plan: 1, write: 1, verify: 1, lock: 1 };

function result(overrides: Partial<CycleResult> = {}): CycleResult {
  return {
    outcome: 'provisioned',
    family: 'stm32f4',
    productId: 0x413,
    bootloaderVersion: 0x31,
    uid: 'aabbccddeeff001122334455',
    otpData: Uint8Array.from({ length: 8 }, (_, i) => 0x10 + i),
    lockBytes: Uint8Array.of(0x00, 0xff),
    bytesWritten: 8,
    blocksLocked: 1,
    plan: undefined,
    conflicts: [],
    mismatches: [],
    error: undefined,
    durationsMs: DURATIONS,
    totalMs: 7,
    wire: WIRE,
    confirmReads: { count: 2, wire: WIRE, durationMs: 1 },
    ...overrides,
  };
}

const CONTEXT = {
  secretRanges: [{ offsetBytes: 2, lengthBytes: 3 }],
  startedAt: new Date('2030-01-01T00:00:00.000Z'),
  finishedAt: new Date('2030-01-01T00:00:01.000Z'),
  jobId: 'job-1',
};

describe('buildStationReport', () => {
  test('zeroes the secret ranges, keeps every other byte, and leaves the result alone', () => {
    const cycle = result();
    const report = buildStationReport(cycle, CONTEXT);
    assert.equal(report.otpData, '1011000000151617');
    assert.equal(report.lockBytes, '00ff');
    assert.equal(cycle.otpData?.[2], 0x12, 'the cycle result is not modified');
    assert.equal(report.chipUid, 'aabbccddeeff001122334455');
    assert.equal(report.startedAt, '2030-01-01T00:00:00.000Z');
    assert.equal(report.jobId, 'job-1');
    assert.equal('bootloaderVersion' in report, false, 'only members the API accepts');
  });

  test('omits the job id for a device finished for another job', () => {
    assert.equal('jobId' in buildStationReport(result(), { ...CONTEXT, jobId: undefined }), false);
  });

  test('an error message loses control characters and is cut to 500 characters', () => {
    const error = {
      code: 'BOOTLOADER_TIMEOUT',
      message: `a\nb\u0007${'x'.repeat(600)}`,
      phase: 'write',
      stage: 'data',
    } as const;
    const report = buildStationReport(result({ outcome: 'link-error', error }), CONTEXT);
    assert.equal(report.error?.message.length, 500);
    assert.equal(report.error.message.slice(0, 4), 'a b ');
  });

  test('missing reads become null', () => {
    const report = buildStationReport(
      result({ outcome: 'link-error', uid: undefined, otpData: undefined, lockBytes: undefined, family: undefined }),
      CONTEXT,
    );
    assert.deepEqual([report.chipUid, report.otpData, report.lockBytes, report.family], [null, null, null, null]);
  });

  test('a dry run is never reported', () => {
    assert.throws(() => buildStationReport(result({ outcome: 'planned' }), CONTEXT), RangeError);
  });
});

test('maskSecretRanges clips ranges to the data', () => {
  assert.deepEqual([...maskSecretRanges(Uint8Array.of(1, 2, 3), [{ offsetBytes: 2, lengthBytes: 5 }])], [1, 2, 0]);
});

describe('buildProtectedChipReport', () => {
  test('a probe-found protected chip: outcome protected, no UID, no read-back, the reason; the API parses it', () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    const body = buildProtectedChipReport(0x413, { startedAt: at, finishedAt: at, jobId: 'job-1' });
    const parsed = parseStationReport(body);
    assert.equal(parsed.outcome, 'protected');
    assert.equal(parsed.chipUid, null);
    assert.equal(parsed.family, 'stm32f4');
    assert.equal(parsed.productId, 0x413);
    assert.equal(parsed.otpData, null);
    assert.deepEqual(
      [parsed.error?.code, parsed.error?.phase, parsed.error?.stage],
      ['CHIP_READOUT_PROTECTED', 'read', 'command'],
    );
    assert.equal(parsed.jobId, 'job-1');
  });
});
