import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EncodingError } from '#ingrain/encoding';
import { DerTag, encodeDer, parseDer } from '../encoding/index.js';
import { decodeCertificateTime, encodeCertificateTime } from './time.js';
import { validityWindow } from './validity.js';
import { CertificateError } from './errors.js';

const roundTrip = (date: Date): { tag: number; text: string; back: Date } => {
  const element = parseDer(encodeDer(encodeCertificateTime(date)));
  return {
    tag: element.tag,
    text: Buffer.from(element.contents).toString('latin1'),
    back: decodeCertificateTime(element, 't'),
  };
};

void describe('certificate times (RFC 5280 §4.1.2.5)', () => {
  void test('UTCTime through 2049, GeneralizedTime from 2050, whole seconds', () => {
    const late = roundTrip(new Date('2049-12-31T23:59:59.999Z'));
    assert.deepEqual([late.tag, late.text], [DerTag.utcTime, '491231235959Z']);
    assert.equal(late.back.toISOString(), '2049-12-31T23:59:59.000Z');
    const next = roundTrip(new Date('2050-01-01T00:00:00Z'));
    assert.deepEqual([next.tag, next.text], [DerTag.generalizedTime, '20500101000000Z']);
    assert.equal(roundTrip(new Date('1950-01-01T00:00:00Z')).text, '500101000000Z');
    assert.equal(roundTrip(new Date('9999-12-31T23:59:59Z')).text, '99991231235959Z');
  });

  void test('rejects other forms and impossible dates', () => {
    const bad = [
      '1702301200Z',
      '170101120000+0100',
      '170101120000.5Z',
      '170230120000Z',
      '170101240000Z',
      '17010112000aZ',
    ];
    for (const text of bad) {
      const element = parseDer(Buffer.concat([Buffer.of(DerTag.utcTime, text.length), Buffer.from(text)]));
      assert.throws(() => decodeCertificateTime(element, 't'), EncodingError, text);
    }
  });

  void test('validity window: truncates notBefore, adds whole days, refuses bad input', () => {
    const { notBefore, notAfter } = validityWindow(new Date('2030-05-06T07:08:09.999Z'), 2);
    assert.equal(notBefore.toISOString(), '2030-05-06T07:08:09.000Z');
    assert.equal(notAfter.toISOString(), '2030-05-08T07:08:09.000Z');
    for (const [date, days] of [
      [new Date(Number.NaN), 1],
      [new Date(), 0],
      [new Date(), 1.5],
      [new Date('9999-12-31T00:00:00Z'), 2],
    ] as const) {
      assert.throws(
        () => validityWindow(date, days),
        (e: unknown) => e instanceof CertificateError && e.code === 'CERT_INPUT_INVALID',
      );
    }
  });
});
