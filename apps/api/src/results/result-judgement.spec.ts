import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AppError, isAppError } from '../errors/app-error.js';
import { ERROR_CATALOGUE } from '../errors/error-catalogue.js';
import {
  MAX_DIFF_ENTRIES,
  expectedLockBytes,
  judgeReport,
  type IntendedImage,
  type Judgement,
} from './result-judgement.js';
import { BOUND_UID, intendedF4, reportWith, successReport } from './testing/report-fixtures.js';

const linkError = { code: 'BOOTLOADER_TIMEOUT', phase: 'write', stage: 'data', message: 'no answer' } as const;

function quarantined(judgement: Judgement) {
  assert.equal(judgement.verdict, 'quarantined', JSON.stringify(judgement));
  return judgement;
}

void describe('judgeReport', () => {
  void test('an exact read-back of the bound chip is provisioned (both success outcomes)', () => {
    const intended = intendedF4();
    assert.deepEqual(judgeReport(intended, BOUND_UID, successReport(intended)), { verdict: 'provisioned' });
    const resumed = successReport(intended, { outcome: 'already-provisioned', bytesWritten: 0 });
    assert.deepEqual(judgeReport(intended, BOUND_UID.toUpperCase(), resumed), { verdict: 'provisioned' });
  });

  void test('a link error is retried, whatever else the report says', () => {
    const intended = intendedF4();
    const report = successReport(intended, { outcome: 'link-error', error: linkError, chipUid: 'aa' });
    assert.deepEqual(judgeReport(intended, BOUND_UID, report), {
      verdict: 'retry',
      reason: 'link-error: BOOTLOADER_TIMEOUT',
    });
  });

  void test('station conflicts, failed verifications and wrong devices are quarantined', () => {
    const intended = intendedF4();
    const conflictData = Uint8Array.from(intended.dataWithSecretsZeroed);
    conflictData[3] = 0x00;
    const conflict = { ...successReport(intended, { outcome: 'conflict', bytesWritten: 0 }), otpData: conflictData };
    const judged = quarantined(judgeReport(intended, BOUND_UID, conflict));
    assert.equal(judged.reason, 'station-conflict');
    assert.deepEqual(judged.diff, [
      { region: 'data', offsetBytes: 3, expected: intended.dataWithSecretsZeroed[3], actual: 0 },
    ]);
    const verify = successReport(intended, { outcome: 'verify-failed' });
    assert.equal(quarantined(judgeReport(intended, BOUND_UID, verify)).reason, 'station-verify-failed');
    const wrong = successReport(intended, {
      outcome: 'wrong-device',
      family: 'stm32f7',
      productId: 0x449,
      otpData: null,
      lockBytes: null,
      error: { code: 'WRONG_DEVICE', phase: 'identify', stage: null, message: 'PID 0x449 is not stm32f4' },
    });
    const wrongJudged = quarantined(judgeReport(intended, BOUND_UID, wrong));
    assert.equal(wrongJudged.reason, 'station-wrong-device');
    assert.deepEqual(
      wrongJudged.diff.map((d) => d.region),
      ['family', 'product-id'],
    );
  });

  void test('one differing data byte or lock byte quarantines, with the diff', () => {
    const intended = intendedF4();
    const data = Uint8Array.from(intended.dataWithSecretsZeroed);
    data[100] = 0xfe;
    const judged = quarantined(
      judgeReport(intended, BOUND_UID, reportWith(intended, data, expectedLockBytes(intended))),
    );
    assert.equal(judged.reason, 'readback-mismatch');
    assert.deepEqual(judged.diff, [{ region: 'data', offsetBytes: 100, expected: 0xff, actual: 0xfe }]);
    const locks = expectedLockBytes(intended);
    locks[1] = 0xff; // block 1 left open
    locks[5] = 0x00; // block 5 locked although the layout does not lock it
    const lockJudged = quarantined(
      judgeReport(intended, BOUND_UID, reportWith(intended, intended.dataWithSecretsZeroed, locks)),
    );
    assert.deepEqual(lockJudged.diff, [
      { region: 'lock', offsetBytes: 1, expected: 0x00, actual: 0xff },
      { region: 'lock', offsetBytes: 5, expected: 0xff, actual: 0x00 },
    ]);
  });

  void test('another chip, family or product ID than the bound one quarantines as an identity mismatch', () => {
    const intended = intendedF4();
    const cases = [
      { chipUid: 'ffeeddccbbaa998877665544' },
      { productId: 0x449 },
      { productId: 0x411 }, // an F2: same OTP map, but not the layout's family
    ];
    for (const overrides of cases) {
      const judged = quarantined(judgeReport(intended, BOUND_UID, successReport(intended, overrides)));
      assert.equal(judged.reason, 'identity-mismatch', JSON.stringify(overrides));
      assert.equal(judged.diff.length, 1);
    }
  });

  void test('secret-field bytes in a report are refused, not judged', () => {
    const intended = intendedF4();
    const data = Uint8Array.from(intended.dataWithSecretsZeroed);
    data[40] = 0x5a;
    for (const outcome of ['provisioned', 'verify-failed'] as const) {
      const report = { ...successReport(intended, { outcome }), otpData: data };
      assert.throws(
        () => judgeReport(intended, BOUND_UID, report),
        (error: unknown) =>
          error instanceof AppError &&
          error.code === 'REPORT_SECRET_BYTES_PRESENT' &&
          error.message.includes('pairing_key') &&
          !error.message.includes('5a'),
      );
    }
  });

  void test('a success report for a chip whose locks cannot be read is incomplete, not provisioned', () => {
    const intended = intendedF4();
    const report = { ...successReport(intended), lockBytes: new Uint8Array(0) };
    assert.throws(
      () => judgeReport(intended, BOUND_UID, report),
      (error) => isAppError(error, 'REPORT_INCOMPLETE') && ERROR_CATALOGUE[error.code].status === 422,
    );
  });

  void test('the diff of a blank chip is capped', () => {
    const intended = intendedF4();
    const blank = new Uint8Array(512).fill(0xff);
    blank.fill(0, 32, 48); // the station zeroes the secret range
    const judged = quarantined(
      judgeReport(intended, BOUND_UID, reportWith(intended, blank, new Uint8Array(16).fill(0xff))),
    );
    const differing = 32 + 2; // data bytes 0-31 and lock bytes 0-1
    assert.equal(judged.diff.length, Math.min(differing, MAX_DIFF_ENTRIES));
    const many = new Uint8Array(512).fill(0x00);
    const capped = quarantined(
      judgeReport(intended, BOUND_UID, reportWith(intended, many, expectedLockBytes(intended))),
    );
    assert.equal(capped.diff.length, MAX_DIFF_ENTRIES);
    assert.equal(capped.diff.length + capped.omittedDiffs, 512 - 16 - 32 + countNonZero(intended));
  });

  void test('never says provisioned when any data or lock byte differs (property)', () => {
    const intendedArb = fc
      .record({
        data: fc.uint8Array({ minLength: 512, maxLength: 512 }),
        locked: fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { maxLength: 16 }),
        secretStart: fc.integer({ min: 0, max: 480 }),
        secretLength: fc.integer({ min: 1, max: 32 }),
      })
      .map(({ data, locked, secretStart, secretLength }): IntendedImage => {
        data.fill(0, secretStart, secretStart + secretLength);
        return {
          family: 'stm32f4',
          dataWithSecretsZeroed: data,
          lockedBlocks: [...locked].sort((a, b) => a - b),
          secretRanges: [{ offsetBytes: secretStart, lengthBytes: secretLength }],
        };
      });
    const edits = fc.array(
      fc.record({ lock: fc.boolean(), offset: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(intendedArb, edits, (intended, changes) => {
        const data = Uint8Array.from(intended.dataWithSecretsZeroed);
        const locks = expectedLockBytes(intended);
        for (const change of changes) {
          const target = change.lock ? locks : data;
          target[change.offset % target.length] = change.value;
        }
        const identical =
          Buffer.compare(data, intended.dataWithSecretsZeroed) === 0 &&
          Buffer.compare(locks, expectedLockBytes(intended)) === 0;
        let verdict: string;
        try {
          verdict = judgeReport(intended, BOUND_UID, reportWith(intended, data, locks)).verdict;
        } catch (error) {
          assert.ok(error instanceof AppError && error.code === 'REPORT_SECRET_BYTES_PRESENT');
          verdict = 'refused';
        }
        assert.equal(verdict === 'provisioned', identical);
      }),
      { numRuns: 300 },
    );
  });
});

function countNonZero(intended: IntendedImage): number {
  return intended.dataWithSecretsZeroed.subarray(0, 32).filter((byte) => byte !== 0).length;
}
