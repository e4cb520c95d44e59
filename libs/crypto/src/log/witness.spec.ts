import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT } from '../../../../testkit/paths.js';
import { Ed25519Cosigner, cosignatureMessage, decodeCosignature, verifyCosignature } from './cosignature.js';
import { noteVerifierKeyString, parseSignedNote, verifySignedNote } from './signed-note.js';
import { NodeTestSigner } from './testing/node-signer.js';
import { cosignerVkeyString, logVkeyString, parseCosignerVkey, parseLogVkey, parseVkey } from './vkey.js';
import { createWitnessPolicy, requireWitnessPolicy, tallyCosignatures } from './witness-policy.js';
import { formatAddCheckpointRequest, parseAddCheckpointRequest, parseTlogSize } from './witness-protocol.js';

const PKCS8_ED25519_PREFIX = '302e020100300506032b657004220420';
const seededKey = (seedHex: string): KeyObject =>
  createPrivateKey({ key: Buffer.from(PKCS8_ED25519_PREFIX + seedHex, 'hex'), format: 'der', type: 'pkcs8' });
const freshCosigner = (name: string): Ed25519Cosigner =>
  new Ed25519Cosigner(name, generateKeyPairSync('ed25519').privateKey);

const TEXT = `ingrain.example/log/factory-1\n3\n${Buffer.alloc(32, 7).toString('base64')}\n`;
const LOG_LINE = '\u2014 ingrain.example/log/factory-1 AAAAAUFBQUE=\n'; // the log's line: ignored by the tally
const noteWith = (...lines: string[]): string => `${TEXT}\n${LOG_LINE}${lines.join('')}`;

// docs/witness.md "Test vector": a block of `key: value` lines, checked here against the code.
function docVector(): Record<string, string> {
  const doc = readFileSync(join(REPO_ROOT, 'docs/witness.md'), 'utf8');
  const block = /<!-- cosignature-vector -->\n+```text\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(block, 'docs/witness.md has the cosignature test vector block');
  return Object.fromEntries(
    block
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
  );
}

describe('verifier keys (c2sp.org/signed-note)', () => {
  test('the spec example Ed25519 vkey parses and verifies the spec example note', () => {
    const parsed = parseVkey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    assert.equal(parsed.type, 0x01);
    const note = parseSignedNote(
      'This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n',
    );
    const [line] = note.signatures;
    assert.ok(line && parsed.type === 0x01);
    assert.equal(line.keyId, parsed.key.keyId);
    assert.ok(verify(null, Buffer.from(note.text), parsed.key.publicKey, line.signature));
  });

  test("Rekor's published ECDSA vkey parses as a log key; a wrong key ID is refused", () => {
    const vkey =
      'rekor.sigstore.dev+c0d23d6a+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=';
    assert.equal(parseLogVkey(vkey).keyId, 0xc0d23d6a);
    assert.throws(() => parseLogVkey(vkey.replace('c0d23d6a', 'c0d23d6b')), { code: 'WITNESS_VKEY_INVALID' });
    assert.throws(() => parseCosignerVkey(vkey), { code: 'WITNESS_VKEY_INVALID', message: /0x04/ });
  });

  test('the log vkey of our own key verifies the notes the log signs', async () => {
    const signer = new NodeTestSigner();
    const vkey = logVkeyString('ingrain.example/log/factory-1', signer.publicKeySpkiDer);
    assert.equal(vkey, noteVerifierKeyString('ingrain.example/log/factory-1', signer.publicKeySpkiDer));
    const { signNote } = await import('./signed-note.js');
    const note = await signNote(TEXT, 'ingrain.example/log/factory-1', signer);
    assert.equal(verifySignedNote(note, parseLogVkey(vkey)), TEXT);
  });

  test('a cosigner vkey round-trips; malformed ones are refused with the reason', () => {
    const cosigner = freshCosigner('witness.example/w9');
    const vkey = cosignerVkeyString(cosigner.key);
    assert.deepEqual(parseCosignerVkey(vkey).publicKeyRaw, cosigner.key.publicKeyRaw);
    for (const [bad, reason] of [
      ['witness.example/w9', /<key name>\+/],
      [vkey.replace(/\+[0-9a-f]{8}\+/, '+0000000g+'), /hex/],
      [vkey.slice(0, -4), /base64|32 bytes/],
      [`other.example/w9+${vkey.split('+').slice(1).join('+')}`, /does not match/],
    ] as const) {
      assert.throws(() => parseCosignerVkey(bad), { code: 'WITNESS_VKEY_INVALID', message: reason });
    }
  });
});

describe('cosignature/v1 (c2sp.org/tlog-cosignature)', () => {
  test('the test vector of docs/witness.md, also checked with OpenSSL when it was written', () => {
    const v = docVector();
    const cosigner = new Ed25519Cosigner(v['cosigner name'] ?? '', seededKey(v['private key seed (hex)'] ?? ''));
    assert.equal(cosignerVkeyString(cosigner.key), v['vkey']);
    const text = JSON.parse(v['checkpoint text (JSON string)'] ?? '""') as string;
    const time = Number(v['time']);
    assert.equal(Buffer.from(cosignatureMessage(text, time)).toString('hex'), v['signed message (hex)']);
    assert.equal(cosigner.cosign(text, time), `${v['signature line']}\n`);
  });

  test("the spec's example cosignature line decodes to its documented time", () => {
    const note = parseSignedNote(
      'x\n\n\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n',
    );
    const [line] = note.signatures;
    assert.ok(line);
    assert.equal(decodeCosignature(line).timestampS, 1679315147);
  });

  test('a valid cosignature verifies; tampered, wrong key, other checkpoint and wrong time format do not', () => {
    const cosigner = freshCosigner('witness.example/w1');
    const [line] = parseSignedNote(noteWith(cosigner.cosign(TEXT, 1700000000))).signatures.slice(1);
    assert.ok(line);
    assert.equal(verifyCosignature(TEXT, line, cosigner.key).timestampS, 1700000000);

    const tampered = { ...line, signature: line.signature.slice() };
    tampered.signature[20] = (tampered.signature[20] ?? 0) ^ 1;
    assert.throws(() => verifyCosignature(TEXT, tampered, cosigner.key), { code: 'WITNESS_COSIGNATURE_INVALID' });

    const otherKey = new Ed25519Cosigner('witness.example/w1', generateKeyPairSync('ed25519').privateKey).key;
    assert.throws(() => verifyCosignature(TEXT, line, otherKey), { code: 'WITNESS_COSIGNATURE_INVALID' });
    assert.throws(() => verifyCosignature(TEXT, line, { ...otherKey, keyId: line.keyId }), /does not verify/);

    const otherText = TEXT.replace('\n3\n', '\n4\n');
    assert.throws(() => verifyCosignature(otherText, line, cosigner.key), { code: 'WITNESS_COSIGNATURE_INVALID' });

    // Signed over a time line with a leading zero: not the canonical message, so it cannot verify.
    const privateKey = generateKeyPairSync('ed25519').privateKey;
    const zeroPadded = new Ed25519Cosigner('witness.example/w2', privateKey);
    const badSig = sign(null, Buffer.from(`cosignature/v1\ntime 01700000000\n${TEXT}`), privateKey);
    const badLine = { ...line, keyName: 'witness.example/w2', keyId: zeroPadded.key.keyId };
    const bytes = Buffer.alloc(72);
    bytes.writeBigUInt64BE(1700000000n, 0);
    bytes.set(badSig, 8);
    assert.throws(() => verifyCosignature(TEXT, { ...badLine, signature: bytes }, zeroPadded.key), /does not verify/);
    assert.throws(() => verifyCosignature(TEXT, { ...badLine, signature: bytes.subarray(0, 71) }, zeroPadded.key), {
      code: 'WITNESS_COSIGNATURE_MALFORMED',
    });
    assert.throws(() => cosignatureMessage(TEXT, 1.5), { code: 'WITNESS_COSIGNATURE_MALFORMED' });
  });
});

describe('witness policy (k of n)', () => {
  const a = freshCosigner('witness.example/a');
  const b = freshCosigner('witness.example/b');
  const c = freshCosigner('witness.example/c');
  const vkeys = [a, b, c].map((w) => cosignerVkeyString(w.key));

  test('2 of 2 holds; 3 of 3 names what is missing and what is invalid', () => {
    const note = noteWith(a.cosign(TEXT, 1700000000), b.cosign(TEXT, 1700000001));
    const tally = requireWitnessPolicy(note, createWitnessPolicy(vkeys.slice(0, 2), 2));
    assert.deepEqual(
      tally.valid.map((v) => v.keyName),
      ['witness.example/a', 'witness.example/b'],
    );
    assert.throws(() => requireWitnessPolicy(note, createWitnessPolicy(vkeys, 3)), {
      code: 'WITNESS_POLICY_UNMET',
      message:
        '2 of 3 witness cosignatures valid, 3 required (valid: witness.example/a, witness.example/b; missing: witness.example/c)',
    });
    const forged = b.cosign(TEXT.replace('\n3\n', '\n4\n'), 1700000001); // b's line, moved from another checkpoint
    const mixed = noteWith(a.cosign(TEXT, 1700000000), forged);
    assert.throws(() => requireWitnessPolicy(mixed, createWitnessPolicy(vkeys, 2)), {
      code: 'WITNESS_POLICY_UNMET',
      message:
        /^1 of 3 .* 2 required \(valid: witness.example\/a; invalid: witness.example\/b \(cosignature by witness.example\/b does not verify\); missing: witness.example\/c\)$/,
    });
  });

  test('a duplicate signer is counted once, in the note and in the policy', () => {
    const line = a.cosign(TEXT, 1700000000);
    const policy = createWitnessPolicy([vkeys[0] ?? '', vkeys[0] ?? '', vkeys[1] ?? ''], 2);
    assert.equal(policy.witnesses.length, 2);
    const tally = tallyCosignatures(noteWith(line, line), policy);
    assert.equal(tally.valid.length, 1);
    assert.throws(() => requireWitnessPolicy(noteWith(line, line), policy), { code: 'WITNESS_POLICY_UNMET' });
    assert.throws(() => createWitnessPolicy([vkeys[0] ?? '', vkeys[0] ?? ''], 2), { code: 'WITNESS_POLICY_INVALID' });
    assert.throws(() => createWitnessPolicy(vkeys, 0), { code: 'WITNESS_POLICY_INVALID' });
  });

  test('a cosignature dated after now + the allowed skew does not count', () => {
    const note = noteWith(a.cosign(TEXT, 1700000100));
    const policy = createWitnessPolicy(vkeys.slice(0, 1), 1);
    assert.equal(tallyCosignatures(note, policy, { nowS: 1700000000, maxFutureS: 60 }).valid.length, 0);
    assert.equal(tallyCosignatures(note, policy, { nowS: 1700000000, maxFutureS: 100 }).valid.length, 1);
  });
});

describe('add-checkpoint request body (c2sp.org/tlog-witness)', () => {
  test('formats and parses; refuses what the spec forbids', () => {
    const proof = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const body = formatAddCheckpointRequest({ oldSize: 2, proof, note: noteWith() });
    assert.deepEqual(parseAddCheckpointRequest(body), { oldSize: 2, proof, note: noteWith() });
    assert.equal(parseAddCheckpointRequest(`old 0\n\n${noteWith()}`).proof.length, 0);
    for (const bad of [`old 01\n\n${TEXT}`, `new 1\n\n${TEXT}`, `old 1\nAAAA\n\n${TEXT}`, `old 1\n${TEXT}`]) {
      assert.throws(() => parseAddCheckpointRequest(bad), { code: 'WITNESS_REQUEST_MALFORMED' });
    }
    const tooLong = `old 1\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(64)}\n${TEXT}`;
    assert.throws(() => parseAddCheckpointRequest(tooLong), { message: /63/ });
    assert.equal(parseTlogSize('12\n'), 12);
    assert.throws(() => parseTlogSize('12'), { code: 'WITNESS_REQUEST_MALFORMED' });
  });
});
