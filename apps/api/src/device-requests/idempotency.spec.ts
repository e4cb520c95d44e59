import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '#ingrain/encoding';
import { isAppError } from '../errors/app-error.js';
import { ERROR_CATALOGUE } from '../errors/error-catalogue.js';
import {
  assertSameRequest,
  parseIdempotencyKey,
  REQUEST_HASH_KEY_CONTEXT,
  RequestHasher,
  requestHashV1,
  requestHashV2,
} from './idempotency.js';

const KEY = new Uint8Array(32).fill(0x11);
/** v2 under KEY: the hash every test below stores. */
const requestHash = (operation: string, body: unknown) => requestHashV2(KEY, operation, body);
const digest = (operation: string, body: unknown) => ({
  keyed: requestHash(operation, body),
  legacy: requestHashV1(operation, body),
});

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** A copy of a JSON value with every object's members in reverse insertion order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, item]) => [key, reordered(item)]),
    );
  }
  return value;
}

void describe('canonical JSON', () => {
  void test('sorts members by UTF-16 code units and writes numbers as ECMAScript does (RFC 8785)', () => {
    const value = { b: [1, 0.1, -0, 1e21, 1.0125], a: 'é\n"', A: null, '\u{1F600}': true, '\uE000': false };
    assert.equal(
      canonicalJson(value),
      '{"A":null,"a":"é\\n\\"","b":[1,0.1,0,1e+21,1.0125],"\u{1F600}":true,"\uE000":false}',
    );
  });

  void test('drops undefined members; refuses what JSON cannot carry', () => {
    assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
    for (const bad of [Number.NaN, Infinity, 1n, new Date(0), new Uint8Array(1), () => 1, [undefined]]) {
      assert.throws(() => canonicalJson(bad), TypeError);
    }
  });
});

void describe('request hash', () => {
  const body = { workOrderId: 'wo-1', serial: 'SN-000001', inputs: { gain: 1.0125, calibrated: true } };

  void test('ignores member order, not values, and binds the operation', () => {
    const base = hex(requestHash('POST /v1/devices', body));
    assert.equal(base.length, 64);
    assert.equal(hex(requestHash('POST /v1/devices', reordered(body))), base);
    const changed = { ...body, inputs: { gain: 1.0126, calibrated: true } };
    assert.notEqual(hex(requestHash('POST /v1/devices', changed)), base);
    assert.notEqual(hex(requestHash('POST /v1/work-orders', body)), base);
  });

  void test('is invariant under member order for any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.equal(hex(requestHash('op', reordered(value))), hex(requestHash('op', value)));
      }),
    );
  });

  void test('same key and same body: accepted; same key, other body: IDEMPOTENCY_KEY_REUSED (422)', () => {
    const stored = requestHash('POST /v1/devices', body);
    assertSameRequest(stored, digest('POST /v1/devices', reordered(body)), 'dev-1');
    assert.throws(
      () => assertSameRequest(stored, digest('POST /v1/devices', { ...body, serial: 'x' }), 'dev-1'),
      (error) => {
        assert.ok(isAppError(error, 'IDEMPOTENCY_KEY_REUSED'));
        assert.equal(ERROR_CATALOGUE[error.code].status, 422);
        assert.deepEqual(error.extensions, { existingId: 'dev-1' });
        return true;
      },
    );
  });

  void test('is keyed: without the key, guessing a short PIN in the body against the hash fails (issue 9, defect 10)', () => {
    const withPin = (pin: string) => ({ productId: 'lock', inputs: { pin } });
    const stored = requestHash('POST /v1/devices', withPin('4711'));
    const guesses = Array.from({ length: 10_000 }, (_, n) => String(n).padStart(4, '0'));
    const unkeyed = guesses.filter((pin) =>
      Buffer.from(requestHashV1('POST /v1/devices', withPin(pin))).equals(stored),
    );
    assert.deepEqual(unkeyed, []);
    const otherKey = requestHashV2(new Uint8Array(32).fill(0x22), 'POST /v1/devices', withPin('4711'));
    assert.notEqual(hex(otherKey), hex(stored));
  });

  void test('a row stored with a v1 (unkeyed) hash still recognises its replay, and only it', () => {
    const legacyStored = requestHashV1('POST /v1/devices', body);
    assertSameRequest(legacyStored, digest('POST /v1/devices', reordered(body)), 'dev-1');
    assert.throws(() => assertSameRequest(legacyStored, digest('POST /v1/devices', { ...body, serial: 'x' }), 'dev-1'));
  });

  void test('RequestHasher derives its key once, in the HSM, under the request-hash context', async () => {
    const calls: unknown[][] = [];
    const hasher = new RequestHasher({
      deriveDeviceSecret: (...args) => {
        calls.push(args);
        return Promise.resolve(Uint8Array.from(KEY));
      },
    });
    const first = await hasher.digest('POST /v1/devices', body);
    await hasher.digest('POST /v1/devices', body);
    assert.deepEqual(calls, [['ingrain-derivation-master', REQUEST_HASH_KEY_CONTEXT, 32]]);
    assert.equal(hex(first.keyed), hex(requestHash('POST /v1/devices', body)));
    assert.equal(hex(first.legacy), hex(requestHashV1('POST /v1/devices', body)));
  });

  void test('RequestHasher: a failed derivation is retried on the next request', async () => {
    let attempts = 0;
    const hasher = new RequestHasher({
      deriveDeviceSecret: () => (++attempts === 1 ? Promise.reject(new Error('HSM busy')) : Promise.resolve(KEY)),
    });
    await assert.rejects(hasher.digest('op', {}), /HSM busy/);
    assert.equal((await hasher.digest('op', {})).keyed.length, 32);
  });

  void test('Idempotency-Key values are 1-255 printable ASCII characters without spaces', () => {
    assert.equal(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324'), '8e03978e-40d5-43e8-bc93-6894a57f9324');
    for (const bad of [undefined, '', 'has space', 'x'.repeat(256), 'tab\t', 'é']) {
      assert.throws(
        () => parseIdempotencyKey(bad),
        (error) => isAppError(error, 'IDEMPOTENCY_KEY_INVALID') && ERROR_CATALOGUE[error.code].status === 400,
      );
    }
  });
});
