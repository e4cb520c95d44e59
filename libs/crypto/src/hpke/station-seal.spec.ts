import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deriveP256KeyPair } from './dhkem-p256.js';
import { CryptoError } from '../errors.js';
import {
  openAsStation,
  sealForStation,
  sealForStationWithEphemeral,
  stationSealInfo,
  type StationSealBinding,
  type StationSealedEnvelope,
} from './station-seal.js';
import { p256PrivateKeyObject } from './testing/p256-key-object.js';

const sequence = (start: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => start + i);
const station = deriveP256KeyPair(sequence(0x00));
const stationKey = p256PrivateKeyObject(station);
const binding: StationSealBinding = {
  deviceId: '3f2a9c1e-5b7d-4e8f-9a01-23456789abcd',
  chipUid: '0123456789ABCDEF01234567',
  claimId: 'claim-42',
  stationId: 'station-a',
};
const secretText = '{"deviceKey":"00112233445566778899aabbccddeeff"}';
const plaintext = new Uint8Array(Buffer.from(secretText, 'utf8'));

// The worked example of docs/sealing.md: station key from ikm 00..1f, ephemeral from ikm 20..3f.
const EXAMPLE = {
  info:
    '0017696e677261696e2d73746174696f6e2d7365616c2f7631002433663261396331652d356237642d346538662d396130' +
    '312d323334353637383961626364000c0123456789abcdef012345670008636c61696d2d3432000973746174696f6e2d61',
  envelope: {
    version: 1,
    suite: 'hpke-p256-sha256-aes256gcm',
    enc: 'BMHC9RQjM6WvhX2yJTaXWMFJ58Y6gDqdhausWzn0mxeOczMEOYr5im2luisYE-pz-dK9Fl-6TEN07Qyqk0-X5UQ',
    ciphertext: 'Vq4RI9LishLXzdJ52YFFVilUAtuNk34Qa0YyvQiz2upP_d_MNMzxLRejAODYe1JpTbntgS0hUKXbwVFN0iMxFw',
  },
} as const;

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const setLowBit = (char: string): string => BASE64URL[BASE64URL.indexOf(char) | 1] ?? char;

function sealCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CryptoError, String(error));
    assert.ok(!error.message.includes(secretText) && !error.message.includes('deviceKey'));
    return error.code;
  }
  return 'opened';
}

describe('station seal envelope', () => {
  test('the worked example of docs/sealing.md: info bytes and envelope', () => {
    assert.equal(Buffer.from(stationSealInfo(binding)).toString('hex'), EXAMPLE.info);
    const envelope = sealForStationWithEphemeral(
      { stationPublicKey: station.publicKey, plaintext, binding },
      deriveP256KeyPair(sequence(0x20)),
    );
    assert.deepEqual(envelope, EXAMPLE.envelope);
    const opened = openAsStation({ stationPrivateKey: stationKey, envelope: EXAMPLE.envelope, binding });
    assert.equal(Buffer.from(opened).toString('utf8'), secretText);
  });

  test('round-trips through JSON with either suite; the chip UID binds bytes, not letter case', () => {
    for (const suite of ['hpke-p256-sha256-aes256gcm', 'hpke-p256-sha256-aes128gcm'] as const) {
      const envelope: unknown = JSON.parse(
        JSON.stringify(sealForStation({ stationPublicKey: station.publicKey, plaintext, binding, suite })),
      );
      const lower = { ...binding, chipUid: binding.chipUid.toLowerCase() };
      assert.equal(
        Buffer.from(openAsStation({ stationPrivateKey: stationKey, envelope, binding: lower })).toString('utf8'),
        secretText,
      );
    }
  });

  test('fails SEAL_OPEN_FAILED when any binding member differs', () => {
    const envelope = sealForStation({ stationPublicKey: station.publicKey, plaintext, binding });
    const changes: Partial<StationSealBinding>[] = [
      { deviceId: '3f2a9c1e-5b7d-4e8f-9a01-23456789abce' },
      { chipUid: '0123456789ABCDEF01234568' },
      { chipUid: '0123456789ABCDEF0123456700' },
      { claimId: 'claim-43' },
      { stationId: 'station-b' },
      // Moving bytes between members changes the length prefixes, so it is a different binding too.
      { deviceId: `${binding.deviceId}c`, claimId: 'laim-42' },
    ];
    for (const change of changes) {
      assert.equal(
        sealCode(() => openAsStation({ stationPrivateKey: stationKey, envelope, binding: { ...binding, ...change } })),
        'SEAL_OPEN_FAILED',
        JSON.stringify(change),
      );
    }
  });

  test("fails SEAL_OPEN_FAILED with another station's key or any altered field", () => {
    const envelope = sealForStation({ stationPublicKey: station.publicKey, plaintext, binding });
    const other = p256PrivateKeyObject(deriveP256KeyPair(sequence(0x40)));
    assert.equal(
      sealCode(() => openAsStation({ stationPrivateKey: other, envelope, binding })),
      'SEAL_OPEN_FAILED',
    );
    const alter = (text: string, at: number): string =>
      `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    const tampered: StationSealedEnvelope[] = [
      { ...envelope, ciphertext: alter(envelope.ciphertext, 0) },
      { ...envelope, ciphertext: alter(envelope.ciphertext, envelope.ciphertext.length - 2) },
      { ...envelope, enc: alter(envelope.enc, 40) },
      { ...envelope, enc: sealForStation({ stationPublicKey: station.publicKey, plaintext, binding }).enc },
      { ...envelope, suite: 'hpke-p256-sha256-aes128gcm' },
    ];
    for (const candidate of tampered) {
      assert.equal(
        sealCode(() => openAsStation({ stationPrivateKey: stationKey, envelope: candidate, binding })),
        'SEAL_OPEN_FAILED',
      );
    }
  });

  test('fails SEAL_ENVELOPE_INVALID for malformed envelopes', () => {
    const envelope = sealForStation({ stationPublicKey: station.publicKey, plaintext, binding });
    const malformed: unknown[] = [
      null,
      'text',
      { ...envelope, version: 2 },
      { ...envelope, suite: 'hpke-x25519' },
      { ...envelope, enc: `${envelope.enc}=` },
      { ...envelope, enc: envelope.enc.slice(1) },
      { ...envelope, ciphertext: envelope.ciphertext.replace(/.$/, '+') },
      { ...envelope, ciphertext: 'AAAA' },
      { ...envelope, extra: 1 },
      // Non-canonical base64url: 65 bytes leave 2 pad bits in the last character; set one.
      { ...envelope, enc: `${envelope.enc.slice(0, -1)}${setLowBit(envelope.enc.slice(-1))}` },
    ];
    for (const candidate of malformed) {
      assert.equal(
        sealCode(() => openAsStation({ stationPrivateKey: stationKey, envelope: candidate, binding })),
        'SEAL_ENVELOPE_INVALID',
        JSON.stringify(candidate),
      );
    }
  });

  test('fails SEAL_BINDING_INVALID for malformed bindings, sealing and opening alike', () => {
    const bad: Partial<StationSealBinding>[] = [
      { deviceId: '' },
      { deviceId: 'has space' },
      { claimId: 'x'.repeat(256) },
      { stationId: 'stätion' },
      { chipUid: '' },
      { chipUid: '0g' },
      { chipUid: '123' },
      { chipUid: '00'.repeat(33) },
    ];
    const envelope = sealForStation({ stationPublicKey: station.publicKey, plaintext, binding });
    for (const change of bad) {
      const wrong = { ...binding, ...change };
      assert.equal(
        sealCode(() => sealForStation({ stationPublicKey: station.publicKey, plaintext, binding: wrong })),
        'SEAL_BINDING_INVALID',
      );
      assert.equal(
        sealCode(() => openAsStation({ stationPrivateKey: stationKey, envelope, binding: wrong })),
        'SEAL_BINDING_INVALID',
      );
    }
    assert.equal(
      sealCode(() =>
        sealForStation({
          stationPublicKey: station.publicKey,
          plaintext,
          binding: { ...binding, extra: 'x' } as StationSealBinding,
        }),
      ),
      'SEAL_BINDING_INVALID',
    );
  });

  test('refuses plaintext over 64 KiB, and envelopes whose ciphertext would be longer', () => {
    const large = new Uint8Array(65_537);
    assert.equal(
      sealCode(() => sealForStation({ stationPublicKey: station.publicKey, plaintext: large, binding })),
      'SEAL_PLAINTEXT_TOO_LARGE',
    );
    const largest = sealForStation({ stationPublicKey: station.publicKey, plaintext: large.subarray(1), binding });
    assert.equal(openAsStation({ stationPrivateKey: stationKey, envelope: largest, binding }).length, 65_536);
    const tooLong = { ...largest, ciphertext: `${largest.ciphertext}AAAA` };
    assert.equal(
      sealCode(() => openAsStation({ stationPrivateKey: stationKey, envelope: tooLong, binding })),
      'SEAL_ENVELOPE_INVALID',
    );
  });

  test('refuses a station public key that is not an uncompressed P-256 point', () => {
    assert.equal(
      sealCode(() => sealForStation({ stationPublicKey: station.publicKey.subarray(0, 33), plaintext, binding })),
      'HPKE_INVALID_PUBLIC_KEY',
    );
  });
});
