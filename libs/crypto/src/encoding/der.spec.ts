import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { EncodingError } from '#ingrain/encoding';
import {
  decodeDerBitString,
  decodeDerBoolean,
  decodeDerNamedBits,
  decodeDerObjectIdentifier,
  decodeDerSmallInteger,
  decodeDerString,
  decodeDerUnsignedInteger,
  derChildren,
  parseDer,
} from './der-reader.js';
import {
  DerTag,
  derBoolean,
  derElement,
  type DerPart,
  encodeDer,
  derNamedBitString,
  derObjectIdentifier,
  derSequence,
  derSetOf,
  derSmallInteger,
  derString,
  derUnsignedInteger,
} from './der-writer.js';

const hex = (part: DerPart): string => Buffer.from(encodeDer(part)).toString('hex');
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

function isDerError(error: unknown): boolean {
  return error instanceof EncodingError && error.code === 'ENCODING_DER_INVALID';
}

void describe('DER writer: known encodings (X.690 examples and X.509 constants)', () => {
  void test('object identifiers', () => {
    assert.equal(hex(derObjectIdentifier('1.2.840.10045.4.3.2')), '06082a8648ce3d040302'); // ecdsa-with-SHA256
    assert.equal(hex(derObjectIdentifier('2.5.29.19')), '0603551d13'); // basicConstraints
    assert.equal(hex(derObjectIdentifier('1.2.840.10045.3.1.7')), '06082a8648ce3d030107'); // prime256v1
  });

  void test('integers: sign byte, zero, minimal form', () => {
    assert.equal(hex(derUnsignedInteger(fromHex('80'))), '02020080');
    assert.equal(hex(derUnsignedInteger(fromHex('00007f'))), '02017f');
    assert.equal(hex(derUnsignedInteger(new Uint8Array(0))), '020100');
    assert.equal(hex(derSmallInteger(0)), '020100');
    assert.equal(hex(derSmallInteger(256)), '02020100');
  });

  void test('named bit strings drop trailing zero bits (X.690 §11.2.2)', () => {
    assert.equal(hex(derNamedBitString([0, 4])), '03020388'); // digitalSignature + keyAgreement
    assert.equal(hex(derNamedBitString([5, 6])), '03020106'); // keyCertSign + cRLSign
    assert.equal(hex(derNamedBitString([8])), '0303070080'); // decipherOnly
  });

  void test('long-form lengths are minimal', () => {
    assert.equal(hex(derElement(DerTag.octetString, new Uint8Array(127))).slice(0, 4), '047f');
    assert.equal(hex(derElement(DerTag.octetString, new Uint8Array(128))).slice(0, 6), '048180');
    assert.equal(hex(derElement(DerTag.octetString, new Uint8Array(256))).slice(0, 8), '04820100');
  });

  void test('SET OF is sorted, booleans are 0xFF/0x00', () => {
    assert.equal(hex(derSetOf(fromHex('020102'), fromHex('020101'))), '3106020101020102');
    assert.equal(hex(derBoolean(true)), '0101ff');
  });
});

void describe('DER reader', () => {
  void test('round-trips what the writer produces', () => {
    const der = encodeDer(
      derSequence(
        derObjectIdentifier('2.5.4.3'),
        derSmallInteger(65535),
        derBoolean(false),
        derNamedBitString([0, 4]),
        derString(DerTag.printableString, 'SN-0001'),
        derString(DerTag.utf8String, 'Grüße'),
      ),
    );
    const [oid, int, bool, bits, printable, utf8] = derChildren(parseDer(der));
    assert.equal(decodeDerObjectIdentifier(oid, 'oid'), '2.5.4.3');
    assert.equal(decodeDerSmallInteger(int, 'int'), 65535);
    assert.equal(decodeDerBoolean(bool, 'bool'), false);
    assert.deepEqual([...decodeDerNamedBits(bits, 'bits')], [0, 4]);
    assert.equal(decodeDerString(printable, 'printable'), 'SN-0001');
    assert.equal(decodeDerString(utf8, 'utf8'), 'Grüße');
  });

  void test('rejects non-DER forms', () => {
    const bad = [
      '3080', // indefinite length
      '04810101', // long form for a short length
      '0482000101', // leading zero in long-form length
      '0403aabb', // runs past the end
      '0401aa00', // trailing byte
      '1f0100', // high tag number
      '',
    ];
    for (const text of bad) assert.throws(() => parseDer(fromHex(text)), isDerError, text);
  });

  void test('rejects non-minimal and negative integers, bad booleans, bad bit strings, bad OIDs', () => {
    assert.throws(() => decodeDerUnsignedInteger(parseDer(fromHex('0202007f')), 'i'), isDerError);
    assert.throws(() => decodeDerUnsignedInteger(parseDer(fromHex('020180')), 'i'), isDerError);
    assert.throws(() => decodeDerUnsignedInteger(parseDer(fromHex('0200')), 'i'), isDerError);
    assert.throws(() => decodeDerBoolean(parseDer(fromHex('010101')), 'b'), isDerError);
    assert.throws(() => decodeDerBitString(parseDer(fromHex('03020389')), 'bits'), isDerError); // unused bit set
    assert.throws(() => decodeDerBitString(parseDer(fromHex('030108')), 'bits'), isDerError);
    assert.throws(() => decodeDerObjectIdentifier(parseDer(fromHex('0603558001')), 'oid'), isDerError); // 0x80 lead
    assert.throws(() => decodeDerObjectIdentifier(parseDer(fromHex('060255ff')), 'oid'), isDerError); // truncated
    assert.throws(() => decodeDerString(parseDer(fromHex('130140')), 's'), isDerError); // '@' not printable
    assert.throws(() => derChildren(parseDer(fromHex('0400'))), isDerError); // primitive
  });

  void test('property: integers and OIDs round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (magnitude) => {
        const decoded = decodeDerUnsignedInteger(parseDer(derUnsignedInteger(magnitude)), 'i');
        const expected =
          Buffer.from(magnitude)
            .toString('hex')
            .replace(/^(00)+/, '') || '00';
        assert.equal(hex(decoded), expected);
      }),
    );
    const oid = fc
      .tuple(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 39 }),
        fc.array(fc.maxSafeInteger().map(Math.abs)),
      )
      .map(([a, b, rest]) => [a, b, ...rest].join('.'));
    fc.assert(
      fc.property(oid, (dotted) =>
        assert.equal(decodeDerObjectIdentifier(parseDer(derObjectIdentifier(dotted)), 'o'), dotted),
      ),
    );
  });

  void test('property: arbitrary bytes either parse or throw ENCODING_DER_INVALID, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const element = parseDer(bytes);
          if ((element.tag & 0x20) !== 0) derChildren(element);
        } catch (error) {
          assert.ok(isDerError(error), String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
