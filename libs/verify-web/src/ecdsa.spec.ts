import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { fromBase64, toBase64 } from './bytes.js';
import { derSignatureToRaw, importP256Spki, rawSignatureToDer, verifyDerSignature } from './ecdsa.js';

describe('ECDSA DER <-> raw', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const message = new TextEncoder().encode('ingrain');

  it('converts node:crypto DER signatures to its P1363 form and back, byte for byte', () => {
    for (let i = 0; i < 50; i++) {
      const data = new TextEncoder().encode(`message ${i}`);
      const der = new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }));
      const raw = derSignatureToRaw(der);
      assert.equal(raw.length, 64);
      assert.deepEqual(rawSignatureToDer(raw), der);
    }
  });

  it('verifies a DER signature with WebCrypto and refuses a changed one or non-strict DER', async () => {
    const key = await importP256Spki(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
    const der = new Uint8Array(sign('sha256', message, { key: privateKey, dsaEncoding: 'der' }));
    assert.equal(await verifyDerSignature(key, der, message), true);
    const changed = der.slice();
    changed[changed.length - 1]! ^= 1;
    assert.equal(await verifyDerSignature(key, changed, message), false);
    assert.equal(await verifyDerSignature(key, Uint8Array.of(...der, 0), message), false, 'trailing byte');
  });
});

describe('strict base64', () => {
  it('accepts canonical text only', () => {
    assert.deepEqual(fromBase64('AAE='), Uint8Array.of(0, 1));
    assert.equal(fromBase64('AAF='), undefined, 'non-zero pad bits');
    assert.equal(fromBase64('AAE'), undefined, 'missing padding');
    assert.equal(fromBase64('AA E='), undefined, 'whitespace');
    assert.deepEqual(fromBase64('-_8=', { urlSafe: true }), Uint8Array.of(0xfb, 0xff));
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.equal(toBase64(bytes), Buffer.from(bytes).toString('base64'));
  });
});
