import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineQueueName } from '#ingrain/contracts';
import { StationError } from '../errors.js';
import { parseJobPayload } from './job-payload.js';

const DEVICE = '00000000-0000-4000-8000-000000000001';

test('a valid payload parses', () => {
  assert.deepEqual(parseJobPayload({ deviceId: DEVICE, productId: 'sensor-node', layoutVersion: 2 }), {
    deviceId: DEVICE,
    productId: 'sensor-node',
    layoutVersion: 2,
  });
});

test('an invalid payload names the members, never their values', () => {
  const secretLooking = 'deadbeef'.repeat(8);
  assert.throws(
    () => parseJobPayload({ deviceId: secretLooking, productId: '', layoutVersion: 1, image: secretLooking }),
    (error: unknown) =>
      error instanceof StationError &&
      error.code === 'STATION_JOB_INVALID' &&
      /deviceId/.test(error.message) &&
      /productId/.test(error.message) &&
      !error.message.includes(secretLooking),
  );
});

test('the line queue is named as the API names it', () => {
  assert.equal(lineQueueName('smt-1'), '{ingrain-line-smt-1}');
});
