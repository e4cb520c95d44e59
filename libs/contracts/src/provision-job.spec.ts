import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ContractError } from './errors.js';
import { lineQueueName, parseProvisionJobPayload, provisionJobPayloadSchema } from './provision-job.js';

const DEVICE = '00000000-0000-4000-8000-000000000001';

void describe('lineQueueName', () => {
  void test('prefixes the line and hash-tags the name (one Redis Cluster slot per queue): BullMQ refuses ":"', () => {
    assert.equal(lineQueueName('smt-1'), '{ingrain-line-smt-1}');
  });

  void test('refuses a line that cannot name a queue', () => {
    for (const line of ['', 'a:b', '-x', 'x'.repeat(65), 'line 1']) {
      assert.throws(
        () => lineQueueName(line),
        (error: unknown) => error instanceof ContractError && error.code === 'JOB_LINE_INVALID',
        line,
      );
    }
  });
});

void describe('provisionJobPayloadSchema', () => {
  const payload = { deviceId: '0190f3a2-7c1e-4b4d-9a55-3e2f1c0d9b8a', productId: 'sensor-node', layoutVersion: 1 };

  void test('accepts exactly the three members', () => {
    assert.deepEqual(provisionJobPayloadSchema.parse(payload), payload);
  });

  void test('refuses anything more (an image or a key must never ride along)', () => {
    assert.equal(provisionJobPayloadSchema.safeParse({ ...payload, imageHex: '00' }).success, false);
    assert.equal(provisionJobPayloadSchema.safeParse({ ...payload, deviceId: 'x' }).success, false);
  });
});

void describe('parseProvisionJobPayload', () => {
  void test('a valid payload parses', () => {
    assert.deepEqual(parseProvisionJobPayload({ deviceId: DEVICE, productId: 'sensor-node', layoutVersion: 2 }), {
      deviceId: DEVICE,
      productId: 'sensor-node',
      layoutVersion: 2,
    });
  });

  void test('an invalid payload names the members, never their values', () => {
    const secretLooking = 'deadbeef'.repeat(8);
    assert.throws(
      () =>
        parseProvisionJobPayload({ deviceId: secretLooking, productId: '', layoutVersion: 1, image: secretLooking }),
      (error: unknown) =>
        error instanceof ContractError &&
        error.code === 'JOB_PAYLOAD_INVALID' &&
        error.message === 'the job payload is invalid at: deviceId, productId, (payload)' &&
        error.issues.map((issue) => issue.path).join() === 'deviceId,productId,(payload)' &&
        !JSON.stringify(error.issues).includes(secretLooking),
    );
  });
});
