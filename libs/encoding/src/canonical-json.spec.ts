import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { EncodingError } from './errors.js';
import { canonicalJson, JCS_MAX_DEPTH, strictCanonicalJson, strictCanonicalJsonBytes } from './canonical-json.js';

function rejects(value: unknown, pathFragment: string): void {
  assert.throws(
    () => strictCanonicalJson(value),
    (error: unknown) =>
      error instanceof EncodingError &&
      error.code === 'ENCODING_JCS_UNSUPPORTED_VALUE' &&
      error.message.includes(pathFragment),
  );
}

void describe('canonicalJson (RFC 8785, any JSON value)', () => {
  void test('sorts keys at every level and drops undefined', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } }),
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  void test('gives the strict profile text for every value the profile accepts', () => {
    const value = { b: [{ z: 1, a: 'é\n' }], a: -0, '\u{1F600}': [null, true, false, Number.MAX_SAFE_INTEGER] };
    assert.equal(canonicalJson(value), strictCanonicalJson(value));
  });
});

void describe('strictCanonicalJson (RFC 8785, the signing profile)', () => {
  void test('RFC 8785 §3.2.2.2 string example: escapes exactly the required characters', () => {
    // Input string of the RFC's example: "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"
    const input = '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/';
    assert.equal(strictCanonicalJson({ string: input }), '{"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  void test('RFC 8785 §3.2.2.2 literals example', () => {
    assert.equal(strictCanonicalJson({ literals: [null, true, false] }), '{"literals":[null,true,false]}');
  });

  void test('RFC 8785 §3.2.3 property sorting by UTF-16 code units (the RFC example plus extra keys)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\u000a': 'Newline',
      '1': 'One',
      '\u0080': 'Control\u007f',
      '\ud83d\ude02': 'Smiley',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '</script>': 'Browser Challenge',
    };
    const expected =
      '{"\\n":"Newline","\\r":"Carriage Return","1":"One","</script>":"Browser Challenge",' +
      '"\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",' +
      '"\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
    assert.equal(strictCanonicalJson(input), expected);
  });

  void test('every control character below U+0020 uses its short escape or \\u00xx in lowercase hex', () => {
    const shortEscapes: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
    for (let code = 0; code < 0x20; code++) {
      const expected = shortEscapes[code] ?? `\\u${code.toString(16).padStart(4, '0')}`;
      assert.equal(strictCanonicalJson(String.fromCharCode(code)), `"${expected}"`);
    }
    assert.equal(strictCanonicalJson('\u007f\u2028\u2029/'), '"\u007f\u2028\u2029/"');
  });

  void test('UTF-8 output bytes, no whitespace, nested sorting', () => {
    const bytes = strictCanonicalJsonBytes({ b: [{ z: 1, a: 'é' }], a: -0 });
    assert.deepEqual(Buffer.from(bytes).toString('utf8'), '{"a":0,"b":[{"a":"é","z":1}]}');
    assert.deepEqual([...bytes.subarray(18, 20)], [0xc3, 0xa9]);
  });

  void test('integers up to ±(2^53 − 1) are written in plain decimal', () => {
    assert.equal(
      strictCanonicalJson([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0, 1e15]),
      '[9007199254740991,-9007199254740991,0,1000000000000000]',
    );
  });

  void test('rejects floats, unsafe integers, NaN and infinities, naming the path', () => {
    rejects({ a: { b: 1.5 } }, '$.a.b');
    rejects([2 ** 53], '$[0]');
    rejects({ n: Number.NaN }, '$.n');
    rejects({ n: Number.POSITIVE_INFINITY }, '$.n');
  });

  void test('rejects values JSON cannot represent unambiguously', () => {
    rejects({ u: undefined }, '$.u');
    rejects({ b: 10n }, '$.b');
    rejects({ f: () => 1 }, '$.f');
    rejects({ d: new Date(0) }, '$.d');
    rejects({ bytes: new Uint8Array(2) }, '$.bytes');
    rejects([1, , 3], '$[1]'); // eslint-disable-line no-sparse-arrays
    rejects({ [Symbol('s')]: 1 }, '$');
  });

  void test('rejects lone surrogates in values and keys (RFC 8785 §3.2.2.2: I-JSON strings only)', () => {
    rejects({ s: 'a\ud800' }, '$.s');
    rejects({ s: '\udc00b' }, '$.s');
    rejects({ ['\ud800']: 1 }, '$.');
    assert.equal(strictCanonicalJson('\ud83d\ude02'), '"\ud83d\ude02"');
  });

  void test('rejects nesting deeper than the limit', () => {
    let deep: unknown = 1;
    for (let i = 0; i <= JCS_MAX_DEPTH; i++) deep = [deep];
    rejects(deep, '$');
  });

  void test('never echoes a rejected value in the message', () => {
    assert.throws(
      () => strictCanonicalJson({ secret: 0.123456789 }),
      (error: unknown) => error instanceof EncodingError && !error.message.includes('0.123456789'),
    );
  });

  void test('property: output parses back to the same value and is a fixed point', () => {
    const jsonValue = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.maxSafeInteger(),
        fc.string({ unit: 'grapheme' }),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'grapheme' }), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(jsonValue, (value) => {
        const text = strictCanonicalJson(value);
        const parsed: unknown = JSON.parse(text);
        assert.deepEqual(parsed, JSON.parse(JSON.stringify(value)));
        assert.equal(strictCanonicalJson(parsed), text);
      }),
      { numRuns: 300 },
    );
  });
});
