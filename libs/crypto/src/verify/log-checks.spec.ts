import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { InMemoryLogStore, type StoredCheckpoint, TransparencyLog } from '../log/index.js';
import { SoftwareSignerForTests } from '../testing/index.js';
import { buildConsistencyProofFile } from './bundle-builder.js';
import type { CheckResult } from './check-result.js';
import { type ConsistencyProofFile, parseConsistencyProofFile } from './formats.js';
import { checkConsistency, consistencyProofLength } from './log-checks.js';
import { buildFixture, ORIGIN } from './testing/fixtures.js';
import { prepareTrust, type PreparedTrust } from './trust.js';

const logSigner = new SoftwareSignerForTests('log');
let trust: PreparedTrust;

/** A log of `size` leaves named `prefix-i`, signed by the shared log key, with a checkpoint at each size. */
async function logOf(size: number, prefix = 'leaf'): Promise<{ log: TransparencyLog; at: StoredCheckpoint[] }> {
  const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer: logSigner });
  const at: StoredCheckpoint[] = [];
  for (let i = 0; i < size; i++) {
    await log.append([new TextEncoder().encode(`${prefix}-${i}`)]);
    at.push(await log.checkpoint());
  }
  return { log, at };
}

const check = (file: ConsistencyProofFile, bundleNote: string): CheckResult =>
  checkConsistency(file, trust, trust.checkpoints.verify(bundleNote));

const flip = (hash: Uint8Array): Uint8Array => hash.map((b, i) => (i === 0 ? b ^ 1 : b));

before(async () => {
  const fixture = await buildFixture(1);
  trust = prepareTrust({ ...fixture.trust, logPublicKeySpkiDer: logSigner.publicKeySpkiDer });
});

void describe('log-consistency messages say exactly what failed', () => {
  void test('proof lengths follow RFC 9162 SUBPROOF', () => {
    assert.deepEqual(
      [
        [1, 2],
        [2, 4],
        [3, 7],
        [4, 8],
        [5, 8],
        [6, 7],
      ].map(([m, n]) => consistencyProofLength(m ?? 0, n ?? 0)),
      [1, 1, 4, 1, 4, 3],
    );
  });

  void test('a genuine proof passes; the GET /v1/log/consistency answer is accepted as is', async () => {
    const { log, at } = await logOf(7);
    const [old, latest] = [at[2], at[6]];
    assert.ok(old && latest);
    const document = await buildConsistencyProofFile(log, old, latest);
    assert.equal(check(parseConsistencyProofFile(document), latest.note).status, 'passed');
    const answer = { fromTreeSize: 3, toTreeSize: 7, newCheckpoint: latest.note, consistencyFile: document };
    const parsed = parseConsistencyProofFile(answer);
    assert.equal(parsed.newCheckpoint, latest.note);
    assert.equal(check(parsed, latest.note).detail, 'tree size 7 extends tree size 3');
  });

  void test('a kept checkpoint newer than the bundle is a mismatch, not a fork', async () => {
    const { log, at } = await logOf(5);
    const [older, newer] = [at[1], at[4]];
    assert.ok(older && newer);
    const file = parseConsistencyProofFile(await buildConsistencyProofFile(log, older, newer));
    const result = check({ ...file, oldCheckpoint: newer.note }, older.note);
    assert.equal(result.code, 'VERIFY_CONSISTENCY_MISMATCH');
    assert.match(result.detail, /the kept checkpoint \(tree size 5\) is newer than the bundle's \(tree size 2\)/);
    assert.doesNotMatch(result.detail, /fork/);
  });

  void test('a proof made for other sizes is a mismatch naming both lengths', async () => {
    const { log, at } = await logOf(8);
    const [old, mid, latest] = [at[1], at[2], at[7]];
    assert.ok(old && mid && latest);
    const toMid = parseConsistencyProofFile(await buildConsistencyProofFile(log, old, mid));
    const result = check(toMid, latest.note);
    assert.equal(result.code, 'VERIFY_CONSISTENCY_MISMATCH');
    assert.match(
      result.detail,
      /the proof has 1 hash\(es\); a proof from tree size 2 to 8 has 2: it was made for other tree sizes/,
    );
    const equal = check({ ...toMid, oldCheckpoint: latest.note }, latest.note);
    assert.equal(equal.code, 'VERIFY_CONSISTENCY_MISMATCH');
    assert.match(equal.detail, /a proof from tree size 8 to 8 is empty/);
  });

  void test('a proof that misses the kept root, or only the new root, says which', async () => {
    const { log, at } = await logOf(8);
    const [old, latest] = [at[2], at[7]];
    assert.ok(old && latest);
    const file = parseConsistencyProofFile(await buildConsistencyProofFile(log, old, latest));
    const first = { ...file, proof: file.proof.map((h, i) => (i === 0 ? flip(h) : h)) };
    const missesOld = check(first, latest.note);
    assert.equal(missesOld.code, 'LOG_CONSISTENCY_PROOF_INVALID');
    assert.match(missesOld.detail, /does not reproduce the kept checkpoint's root \(tree size 3\)/);
    const last = { ...file, proof: file.proof.map((h, i) => (i === file.proof.length - 1 ? flip(h) : h)) };
    const missesNew = check(last, latest.note);
    assert.equal(missesNew.code, 'LOG_CONSISTENCY_PROOF_INVALID');
    assert.match(
      missesNew.detail,
      /reproduces the kept root \(tree size 3\) but not the bundle's root \(tree size 8\)/,
    );
  });

  void test('two signed checkpoints of one size with different roots: the log forked', async () => {
    const honest = await logOf(3, 'honest');
    const forked = await logOf(3, 'forked');
    const [a, b] = [honest.at[2], forked.at[2]];
    assert.ok(a && b);
    const kept = check(
      parseConsistencyProofFile({ format: 'ingrain.consistency-proof.v1', oldCheckpoint: a.note, proof: [] }),
      b.note,
    );
    assert.equal(kept.code, 'LOG_CONSISTENCY_PROOF_INVALID');
    assert.match(kept.detail, /both have tree size 3, signed by the log key, with different roots: the log forked/);
    const answer = parseConsistencyProofFile({
      newCheckpoint: b.note,
      consistencyFile: await buildConsistencyProofFile(honest.log, honest.at[0] ?? a, a),
    });
    const viaAnswer = check(answer, a.note);
    assert.equal(viaAnswer.code, 'LOG_CONSISTENCY_PROOF_INVALID');
    assert.match(viaAnswer.detail, /two checkpoints of tree size 3 .* different roots .*: the log forked/);
  });

  void test("an answer leading to another checkpoint than the bundle's is a mismatch", async () => {
    const { log, at } = await logOf(6);
    const [old, mid, latest] = [at[1], at[3], at[5]];
    assert.ok(old && mid && latest);
    const answer = parseConsistencyProofFile({
      newCheckpoint: mid.note,
      consistencyFile: await buildConsistencyProofFile(log, old, mid),
    });
    const result = check(answer, latest.note);
    assert.equal(result.code, 'VERIFY_CONSISTENCY_MISMATCH');
    assert.match(
      result.detail,
      /leads to the checkpoint of tree size 4, not to the bundle's checkpoint \(tree size 6\)/,
    );
  });

  void test('a kept checkpoint from another key keeps its code and says which note', async () => {
    const other = new TransparencyLog({
      store: new InMemoryLogStore(),
      origin: ORIGIN,
      signer: new SoftwareSignerForTests('other-log'),
    });
    await other.append([new TextEncoder().encode('x')]);
    const foreign = await other.checkpoint();
    const { at } = await logOf(2);
    const latest = at[1];
    assert.ok(latest);
    const result = check(
      { format: 'ingrain.consistency-proof.v1', oldCheckpoint: foreign.note, proof: [] },
      latest.note,
    );
    assert.equal(result.code, 'LOG_CHECKPOINT_UNSIGNED');
    assert.match(result.detail, /^the kept checkpoint: no signature by key/);
  });

  void test('a malformed answer is VERIFY_CONSISTENCY_MALFORMED', () => {
    assert.throws(() => parseConsistencyProofFile({ consistencyFile: {} }), { code: 'VERIFY_CONSISTENCY_MALFORMED' });
    assert.throws(() => parseConsistencyProofFile({ newCheckpoint: 'x', consistencyFile: { format: 'x' } }), {
      code: 'VERIFY_CONSISTENCY_MALFORMED',
    });
  });
});
