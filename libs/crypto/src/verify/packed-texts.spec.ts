import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { packTexts, unpackedTexts, unpackText } from './packed-texts.js';

void describe('packed texts', () => {
  void test('round trip exactly: ASCII, any Unicode, BOM, empty strings and lone surrogates', () => {
    const texts = [
      '',
      '{"a":1}',
      '\uFEFF{"bom":true}',
      '— em dash',
      '😀 pair',
      'lone \uD800 high',
      '\uDC00',
      '',
      'end',
    ];
    const packed = packTexts(texts);
    assert.equal(packed.count, texts.length);
    assert.deepEqual([...unpackedTexts(packed)], texts);
    assert.deepEqual([...packed.irregular.keys()], [5, 6], 'only the lone surrogates travel as strings');
    assert.equal(unpackText(packed, 3), '— em dash');
  });

  void test('property: any array of strings comes back unchanged, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 30 }), (texts) => {
        assert.deepEqual([...unpackedTexts(packTexts(texts))], texts);
      }),
    );
  });

  void test('the bytes survive a transfer to another thread', async () => {
    const texts = ['first', 'sécond', 'third \uD83D'];
    const packed = packTexts(texts);
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<unknown>((resolve) => port2.once('message', resolve));
    port1.postMessage(packed, [packed.bytes]);
    const copy = (await received) as typeof packed;
    port1.close();
    port2.close();
    assert.equal(packed.bytes.byteLength, 0, 'transferred, not copied');
    assert.deepEqual([...unpackedTexts(copy)], texts);
  });
});
