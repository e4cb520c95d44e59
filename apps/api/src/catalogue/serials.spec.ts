import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isAppError } from '../errors/app-error.js';
import { ERROR_CATALOGUE } from '../errors/error-catalogue.js';
import { SERIAL_PATTERN, assertValidSerial, formatSerial } from './serials.js';

void describe('serials', () => {
  void test('prefix plus the sequence zero-padded to six digits, more when needed', () => {
    assert.equal(formatSerial('SN-', 42), 'SN-000042');
    assert.equal(formatSerial('', 7), '000007');
    assert.equal(formatSerial('GW7.2406_', 1_234_567), 'GW7.2406_1234567');
  });

  void test('every allocated serial is valid, and distinct sequences give distinct serials (property)', () => {
    const prefix = fc.stringMatching(/^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,47})?$/);
    const sequence = fc.nat({ max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(prefix, sequence, sequence, (p, a, b) => {
        const serial = formatSerial(p, a);
        assert.match(serial, SERIAL_PATTERN);
        assert.equal(formatSerial(p, b) === serial, a === b);
      }),
    );
  });

  void test('refuses bad prefixes, sequences and serials that would not fit', () => {
    for (const prefix of ['-SN', 'SN 1', 'SN:', 'x'.repeat(49)]) {
      assert.throws(
        () => formatSerial(prefix, 1),
        (error) => isAppError(error, 'SERIAL_PREFIX_INVALID') && ERROR_CATALOGUE[error.code].status === 422,
      );
    }
    for (const sequence of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1])
      assert.throws(() => formatSerial('SN', sequence), RangeError);
    assert.equal(formatSerial('x'.repeat(48), Number.MAX_SAFE_INTEGER).length, 64); // the longest possible
  });

  void test('MES serials follow the certificate identifier rule; the message does not echo them', () => {
    for (const serial of ['SN-000123', '0', 'a.b_c-d', 'x'.repeat(64)]) assert.equal(assertValidSerial(serial), serial);
    for (const serial of ['', '-SN', '.hidden', 'SN 1', 'SN/1', 'x'.repeat(65), 'sérial']) {
      assert.throws(
        () => assertValidSerial(serial),
        (error: unknown) =>
          (error as { code?: string }).code === 'SERIAL_INVALID' &&
          (serial === '' || !(error as Error).message.includes(serial)),
      );
    }
  });
});
