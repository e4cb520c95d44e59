import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { Ed25519Cosigner, cosignerVkeyString } from '../log/index.js';
import { checkCheckpointWitnesses, prepareWitnessPolicy } from './witness-check.js';

const text = (size: number): string => `ingrain.example/log/x\n${size}\n${Buffer.alloc(32, size).toString('base64')}\n`;
const LOG_LINE = '\u2014 ingrain.example/log/x AAAAAUFBQUE=\n';
const a = new Ed25519Cosigner('w.example/a', generateKeyPairSync('ed25519').privateKey);
const b = new Ed25519Cosigner('w.example/b', generateKeyPairSync('ed25519').privateKey);
const policy = prepareWitnessPolicy({ vkeys: [a, b].map((w) => cosignerVkeyString(w.key)), threshold: 2 });

describe('checkCheckpointWitnesses', () => {
  test('cosignatures of a copy of the same checkpoint count; of another checkpoint they do not', () => {
    const bare = `${text(4)}\n${LOG_LINE}`;
    const witnessed = `${bare}${a.cosign(text(4), 1_700_000_000)}${b.cosign(text(4), 1_700_000_001)}`;
    assert.equal(checkCheckpointWitnesses(bare, policy).ok, false);
    assert.deepEqual(checkCheckpointWitnesses(bare, policy, [witnessed]), {
      ok: true,
      treeSize: 4,
      detail: '2 of 2 witness cosignatures valid, 2 required (valid: w.example/a, w.example/b)',
    });
    const other = `${text(5)}\n${LOG_LINE}${a.cosign(text(5), 1)}${b.cosign(text(5), 1)}`;
    const result = checkCheckpointWitnesses(bare, policy, [other]);
    assert.equal(result.code, 'WITNESS_POLICY_UNMET');
    assert.match(
      result.detail,
      /^0 of 2 .*missing: w.example\/a, w.example\/b\); the witnessed checkpoint given is not this checkpoint \(tree size 4 vs 5\)$/,
    );
    assert.equal(checkCheckpointWitnesses('not a note', policy).code, 'LOG_CHECKPOINT_MALFORMED');
  });
});
