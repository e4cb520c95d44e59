import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ContractError } from './errors.js';
import { parseStationReport, stationReportBodySchema } from './station-report.js';
import { BOUND_UID, f4ReadBack, successReportBody } from './testing/station-reports.js';

// The API's answer to a refused report (400 with these issues as `errors`) is checked in
// apps/api/src/http/library-errors.spec.ts.

function problems(body: unknown): { path: string; message: string }[] {
  try {
    parseStationReport(body);
  } catch (error) {
    assert.ok(error instanceof ContractError, String(error));
    assert.equal(error.code, 'STATION_REPORT_INVALID');
    assert.ok(error.issues.every((problem) => problem.path.startsWith('body')));
    return error.issues.map((problem) => ({ ...problem, path: problem.path.replace(/^body\.?/, '') || '(body)' }));
  }
  assert.fail('the report parsed although it should not');
}

const paths = (body: unknown) => problems(body).map((problem) => problem.path);

void describe('station report', () => {
  void test('parses a success report: hex to bytes, UID lowercase, times as dates', () => {
    const readBack = f4ReadBack();
    const report = parseStationReport(successReportBody(readBack, { chipUid: BOUND_UID.toUpperCase() }));
    assert.equal(report.outcome, 'provisioned');
    assert.equal(report.chipUid, BOUND_UID);
    assert.deepEqual(report.otpData, readBack.otpData);
    assert.equal(report.lockBytes?.length, 16);
    assert.equal(report.finishedAt.toISOString(), '2030-03-04T05:06:07.175Z');
    assert.equal(report.jobId, 'job-42');
  });

  void test('refuses unknown members and the dry-run outcome', () => {
    const readBack = f4ReadBack();
    assert.deepEqual(paths({ ...successReportBody(readBack), secret: 'x' }), ['(body)']);
    assert.deepEqual(paths(successReportBody(readBack, { outcome: 'planned' as never })), ['outcome']);
  });

  void test('a success report must carry the chip facts and the read-back, and no error', () => {
    const readBack = f4ReadBack();
    const body = successReportBody(readBack, { otpData: null, productId: null, chipUid: null });
    assert.deepEqual(paths(body).sort(), ['chipUid', 'otpData', 'productId']);
    const withError = successReportBody(readBack, {
      outcome: 'already-provisioned',
      error: { code: 'X', phase: 'read', stage: null, message: '' },
    });
    assert.deepEqual(paths(withError), ['error']);
  });

  void test('link-error and wrong-device must say why; other outcomes may lack the read-back', () => {
    const body = successReportBody(f4ReadBack(), { outcome: 'link-error', otpData: null, lockBytes: null });
    assert.deepEqual(paths(body), ['error']);
    const error = {
      code: 'BOOTLOADER_TIMEOUT',
      phase: 'write',
      stage: 'data',
      message: 'no ACK after 1000 ms',
    } as const;
    assert.equal(parseStationReport({ ...body, error }).error?.code, 'BOOTLOADER_TIMEOUT');
    const conflict = successReportBody(f4ReadBack(), { outcome: 'conflict', chipUid: null, otpData: null });
    assert.equal(parseStationReport(conflict).outcome, 'conflict');
  });

  void test('protected must say why; it carries no UID and no read-back', () => {
    const body = successReportBody(f4ReadBack(), {
      outcome: 'protected',
      chipUid: null,
      otpData: null,
      lockBytes: null,
    });
    assert.deepEqual(paths(body), ['error']);
    const error = { code: 'CHIP_READOUT_PROTECTED', phase: 'read', stage: 'command', message: 'refused' } as const;
    const parsed = parseStationReport({ ...body, error });
    assert.deepEqual(
      [parsed.outcome, parsed.chipUid, parsed.error?.code],
      ['protected', null, 'CHIP_READOUT_PROTECTED'],
    );
  });

  void test('data and lock sizes must be those of the reported family', () => {
    const readBack = f4ReadBack();
    const body = successReportBody(readBack, { family: 'stm32f7' });
    assert.deepEqual(paths(body), ['otpData']); // F7: 1024 data bytes, 16 lock bytes like F4
    assert.deepEqual(paths(successReportBody(readBack, { lockBytes: '00' })), ['lockBytes']);
    assert.deepEqual(paths(successReportBody(readBack, { family: 'stm32l4', otpData: 'ff'.repeat(1024) })), [
      'lockBytes',
    ]);
  });

  void test('refuses malformed values without echoing them', () => {
    const readBack = f4ReadBack();
    const secretish = 'zz5ec7e75ec7e7';
    const body = successReportBody(readBack, {
      chipUid: secretish,
      otpData: `${secretish}${'00'.repeat(505)}`,
      bytesWritten: -1,
      finishedAt: '2030-03-04T05:06:06.000Z',
      error: null,
      durationsMs: { connect: 1, identify: 1, read: 1, plan: 1, write: 1, verify: 1, lock: -5 },
    });
    const found = problems(body);
    assert.deepEqual(found.map((problem) => problem.path).sort(), [
      'bytesWritten',
      'chipUid',
      'durationsMs.lock',
      'finishedAt',
      'otpData',
    ]);
    assert.ok(found.every((problem) => !problem.message.includes(secretish)));
    const reversed = successReportBody(readBack, { finishedAt: '2030-03-04T05:06:06.000Z' });
    assert.deepEqual(paths(reversed), ['finishedAt']);
  });

  void test('an error message may not carry control characters', () => {
    const error = { code: 'READ_UNSTABLE', phase: 'read', stage: null, message: 'line\nbreak' } as const;
    const body = successReportBody(f4ReadBack(), { outcome: 'link-error', error });
    assert.deepEqual(paths(body), ['error.message']);
  });

  void test('the body schema converts to JSON Schema for the OpenAPI document', async () => {
    const { z } = await import('zod');
    const schema = z.toJSONSchema(stationReportBodySchema, { io: 'input', unrepresentable: 'any' });
    assert.equal(schema.type, 'object');
    assert.ok(Array.isArray(schema.required) && schema.required.includes('outcome'));
  });
});
