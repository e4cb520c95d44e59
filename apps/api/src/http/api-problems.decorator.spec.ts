import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiProblem } from './api-problems.decorator.js';

describe('ApiProblem', () => {
  test('takes its status from the codes the description names', () => {
    assert.doesNotThrow(() => ApiProblem('WORK_ORDER_NOT_FOUND or PRODUCT_NOT_FOUND'));
    assert.doesNotThrow(() => ApiProblem('AUTH_RATE_LIMITED: too many failures (see Retry-After)'));
  });

  test('refuses a description without a code, with an unknown code, or with codes of two statuses', () => {
    for (const description of ['not found', 'NO_SUCH_CODE', 'DEVICE_NOT_FOUND or DEVICE_STATE_CONFLICT']) {
      assert.throws(() => ApiProblem(description), /must name catalogue codes that share one HTTP status/);
    }
  });
});
