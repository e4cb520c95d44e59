import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertTransition, ContractError, parseStationReport } from '#ingrain/contracts';
import { f4ReadBack, successReportBody } from '#ingrain/contracts/testing';
import { problemFromError } from './problem-details.js';

const ID = 'corr-1';

function problemOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ContractError, String(error));
    return problemFromError(error, ID);
  }
  assert.fail('no error was thrown');
}

// The answers the API gave when these rules threw DomainError in the API (before libs/contracts).
describe('a ContractError answers as the DomainError it replaced', () => {
  test('STATION_REPORT_INVALID: 400 naming each field of the body', () => {
    const body = successReportBody(f4ReadBack(), { otpData: '00', bytesWritten: -1 });
    const { problem, internal } = problemOf(() => parseStationReport(body));
    assert.equal(internal, false);
    assert.equal(problem.status, 400);
    assert.equal(problem.code, 'STATION_REPORT_INVALID');
    assert.equal(problem.title, 'Bad Request');
    assert.equal(problem.detail, 'the station report is invalid: 2 problem(s)');
    assert.deepEqual(problem.errors.map((issue) => issue.path).sort(), ['body.bytesWritten', 'body.otpData']);
    assert.ok(problem.errors.every((issue) => issue.path.startsWith('body')));
  });

  test('DEVICE_STATE_CONFLICT: 409 with the state and the action', () => {
    for (const state of ['provisioned', 'quarantined', 'scrapped'] as const) {
      const { problem } = problemOf(() => assertTransition(state, 'scrap'));
      assert.deepEqual(problem, {
        state,
        action: 'scrap',
        type: 'urn:ingrain:problem:DEVICE_STATE_CONFLICT',
        title: 'Conflict',
        status: 409,
        detail: `cannot scrap a device that is ${state} (only when queued or claimed)`,
        code: 'DEVICE_STATE_CONFLICT',
        errors: [],
        correlationId: ID,
      });
    }
  });

  test('DEVICE_RELEASE_REFUSED: 409', () => {
    const { problem } = problemOf(() => assertTransition('claimed', 'release', { bytesWrittenReported: 1 }));
    assert.equal(problem.status, 409);
    assert.equal(problem.code, 'DEVICE_RELEASE_REFUSED');
    assert.deepEqual(problem.errors, []);
  });

  test('a contract error with no API meaning is an internal error that reveals nothing', () => {
    const { problem, internal } = problemFromError(new ContractError('JOB_PAYLOAD_INVALID', 'bad payload'), ID);
    assert.equal(internal, true);
    assert.equal(problem.status, 500);
    assert.equal(problem.code, 'INTERNAL_ERROR');
  });
});
