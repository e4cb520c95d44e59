import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeClaimSecrets, splitClaimSecrets } from './claim-secrets.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const image = () => Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const RANGES = [
  { offsetBytes: 2, lengthBytes: 3 },
  { offsetBytes: 10, lengthBytes: 2 },
];

describe('claim secrets (docs/sealing.md, "The plaintext")', () => {
  test('split: the public part has the ranges zeroed; the plaintext is canonical JSON of the ranges, in order', () => {
    const data = image();
    const { publicData, plaintext } = splitClaimSecrets(data, RANGES);
    assert.deepEqual([...publicData.subarray(0, 6)], [0xa0, 0xa1, 0, 0, 0, 0xa5]);
    assert.deepEqual([...publicData.subarray(10, 12)], [0, 0]);
    assert.deepEqual(data, image(), 'the input is not changed');
    assert.equal(
      text(plaintext),
      '{"secrets":[{"dataHex":"a2a3a4","offsetBytes":2},{"dataHex":"aaab","offsetBytes":10}],"version":1}',
    );
    assert.equal(text(splitClaimSecrets(data, []).plaintext), '{"secrets":[],"version":1}');
  });

  test('merge puts the bytes back; split then merge is the identity', () => {
    const { publicData, plaintext } = splitClaimSecrets(image(), RANGES);
    mergeClaimSecrets(publicData, plaintext, RANGES);
    assert.deepEqual(publicData, image());
  });

  test('merge refuses a plaintext that is not exactly the claim ranges, naming no byte', () => {
    const { publicData, plaintext } = splitClaimSecrets(image(), RANGES);
    const wrong: [string, readonly { offsetBytes: number; lengthBytes: number }[]][] = [
      [text(plaintext), [RANGES[0]!]],
      [text(plaintext), [RANGES[1]!, RANGES[0]!]],
      [text(plaintext), [{ offsetBytes: 2, lengthBytes: 4 }, RANGES[1]!]],
      ['{"secrets":[{"dataHex":"a2a3a4","offsetBytes":2}],"version":2}', [RANGES[0]!]],
      ['{"secrets":[{"dataHex":"A2A3A4","offsetBytes":2}],"version":1}', [RANGES[0]!]],
      ['{"secrets":[{"dataHex":"a2a3a4","offsetBytes":2,"x":1}],"version":1}', [RANGES[0]!]],
      ['{"secrets":[{"dataHex":"a2a3a4","offsetBytes":2}]', [RANGES[0]!]],
      [text(plaintext), [RANGES[0]!, { offsetBytes: 15, lengthBytes: 2 }]],
    ];
    for (const [candidate, ranges] of wrong) {
      const target = Uint8Array.from(publicData);
      assert.throws(
        () => mergeClaimSecrets(target, new TextEncoder().encode(candidate), ranges),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.equal((error as { code?: string }).code, 'CLAIM_SECRETS_INVALID');
          assert.doesNotMatch(error.message, /a2a3a4|aaab/i);
          return true;
        },
        candidate,
      );
      assert.deepEqual(target, publicData, 'nothing written');
    }
    assert.throws(() => splitClaimSecrets(image(), [{ offsetBytes: 15, lengthBytes: 2 }]), {
      code: 'CLAIM_SECRETS_INVALID',
    });
  });
});
