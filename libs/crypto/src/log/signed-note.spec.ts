import assert from 'node:assert/strict';
import { createHash, verify } from 'node:crypto';
import { describe, test } from 'node:test';
import { formatCheckpointText, parseCheckpointText } from './checkpoint.js';
import { CheckpointVerifier, signCheckpoint, verifyCheckpoint } from './checkpoint-note.js';
import {
  createNoteVerifierKey,
  ecdsaNoteKeyId,
  noteVerifierKeyString,
  parseSignedNote,
  signNote,
  verifySignedNote,
} from './signed-note.js';
import { NodeTestSigner } from './testing/node-signer.js';

const ORIGIN = 'ingrain.example/log/unit';
const ROOT = new Uint8Array(32).fill(7);

// Published interop vectors from github.com/transparency-dev/formats note/note_verifier_test.go:
// the Sigstore Rekor production key (vkey material = 0x02 ‖ DER SPKI, key hash c0d23d6a) and one
// checkpoint Rekor signed with it. Facts only; they prove our key ID, line format and DER handling
// match Rekor's ECDSA signed notes byte for byte.
const REKOR_KEY_NAME = 'rekor.sigstore.dev';
const REKOR_VKEY_MATERIAL =
  'AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=';
const REKOR_NOTE =
  'Rekor\n798034\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n\n' +
  '\u2014 rekor.sigstore.dev wNI9ajBEAiARInWIWyCdyG27CO6LPnPekyw20qO0YJfoaPaowGp/XgIgc+qEHS3+GKVClgqq20uDLet7MCoTURUCRdxwWBHHufk=\n';
const rekorSpki = (): Uint8Array => new Uint8Array(Buffer.from(REKOR_VKEY_MATERIAL, 'base64').subarray(1));

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

async function signedCheckpoint(signer = new NodeTestSigner()): Promise<{ note: string; signer: NodeTestSigner }> {
  const note = await signCheckpoint({ origin: ORIGIN, treeSize: 42, rootHash: ROOT, extensionLines: [] }, signer);
  return { note, signer };
}

void describe('C2SP checkpoints in ECDSA signed notes (Rekor form)', () => {
  void test('the Rekor key ID is the first 4 bytes of SHA-256(SPKI) and its vkey round-trips', () => {
    assert.equal(ecdsaNoteKeyId(rekorSpki()).toString(16), 'c0d23d6a');
    assert.equal(
      noteVerifierKeyString(REKOR_KEY_NAME, rekorSpki()),
      `${REKOR_KEY_NAME}+c0d23d6a+${REKOR_VKEY_MATERIAL}`,
    );
  });

  void test('a real Rekor checkpoint verifies with the Rekor key; a flipped byte does not', () => {
    const key = createNoteVerifierKey(REKOR_KEY_NAME, rekorSpki());
    const text = verifySignedNote(REKOR_NOTE, key);
    const checkpoint = parseCheckpointText(text);
    assert.equal(checkpoint.origin, 'Rekor');
    assert.equal(checkpoint.treeSize, 798034);
    assert.equal(
      codeOf(() => verifySignedNote(REKOR_NOTE.replace('798034', '798035'), key)),
      'LOG_CHECKPOINT_SIGNATURE_INVALID',
    );
  });

  void test('the note is text, blank line, one line "— origin base64(keyId ‖ DER sig)"', async () => {
    const { note, signer } = await signedCheckpoint();
    const text = `${ORIGIN}\n42\n${Buffer.from(ROOT).toString('base64')}\n`;
    assert.ok(note.startsWith(`${text}\n\u2014 ${ORIGIN} `));
    assert.ok(note.endsWith('\n'));
    const raw = Buffer.from(
      note
        .slice(text.length + 1)
        .split(' ')[2]
        ?.trim() ?? '',
      'base64',
    );
    assert.equal(raw.readUInt32BE(0), ecdsaNoteKeyId(signer.publicKeySpkiDer));
    assert.equal(raw[4], 0x30, 'DER SEQUENCE follows the key ID');
    // The signature is plain ECDSA-SHA256 (DER) over the UTF-8 text, newline included.
    assert.ok(verify('sha256', Buffer.from(text), signer.publicKey, raw.subarray(4)));
    assert.equal(createHash('sha256').update(signer.publicKeySpkiDer).digest().readUInt32BE(0), raw.readUInt32BE(0));
  });

  void test('verifyCheckpoint returns the tree head of a good note', async () => {
    const { note, signer } = await signedCheckpoint();
    const checkpoint = verifyCheckpoint(note, signer.publicKeySpkiDer, ORIGIN);
    assert.equal(checkpoint.treeSize, 42);
    assert.deepEqual([...checkpoint.rootHash], [...ROOT]);
  });

  void test('wrong key → UNSIGNED, wrong origin → ORIGIN_MISMATCH, edited text → SIGNATURE_INVALID', async () => {
    const { note, signer } = await signedCheckpoint();
    assert.equal(
      codeOf(() => verifyCheckpoint(note, new NodeTestSigner().publicKeySpkiDer, ORIGIN)),
      'LOG_CHECKPOINT_UNSIGNED',
    );
    assert.equal(
      codeOf(() => verifyCheckpoint(note, signer.publicKeySpkiDer, 'other.example/log')),
      'LOG_CHECKPOINT_ORIGIN_MISMATCH',
    );
    const edited = note.replace('\n42\n', '\n43\n');
    assert.equal(
      codeOf(() => verifyCheckpoint(edited, signer.publicKeySpkiDer, ORIGIN)),
      'LOG_CHECKPOINT_SIGNATURE_INVALID',
    );
  });

  void test('signatures by unknown keys are ignored; a bad one by the known key rejects the note', async () => {
    const { note, signer } = await signedCheckpoint();
    const witness = await signNote(parseSignedNote(note).text, 'witness.example/w1', new NodeTestSigner());
    const withWitness = `${note}${witness.slice(witness.lastIndexOf('\u2014'))}`;
    assert.equal(parseSignedNote(withWitness).signatures.length, 2);
    assert.equal(verifyCheckpoint(withWitness, signer.publicKeySpkiDer, ORIGIN).treeSize, 42);

    const keyId = Buffer.alloc(4);
    keyId.writeUInt32BE(ecdsaNoteKeyId(signer.publicKeySpkiDer));
    const forged = `\u2014 ${ORIGIN} ${Buffer.concat([keyId, Buffer.from('3006020101020101', 'hex')]).toString('base64')}\n`;
    assert.equal(
      codeOf(() => verifyCheckpoint(note + forged, signer.publicKeySpkiDer, ORIGIN)),
      'LOG_CHECKPOINT_SIGNATURE_INVALID',
    );
  });

  void test('flipping any byte of the signature is rejected', async () => {
    const { note, signer } = await signedCheckpoint();
    const line = note.slice(note.lastIndexOf('\u2014'));
    const raw = Buffer.from(line.split(' ')[2]?.trim() ?? '', 'base64');
    for (let i = 4; i < raw.length; i++) {
      const bad = Buffer.from(raw);
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      const tampered = note.replace(raw.toString('base64'), bad.toString('base64'));
      const code = codeOf(() => verifyCheckpoint(tampered, signer.publicKeySpkiDer, ORIGIN));
      assert.ok(code === 'LOG_CHECKPOINT_SIGNATURE_INVALID', `byte ${i}: ${code}`);
    }
  });

  void test('malformed notes and checkpoints are rejected with LOG_CHECKPOINT_MALFORMED', async () => {
    const { note, signer } = await signedCheckpoint();
    const spki = signer.publicKeySpkiDer;
    const cases = [
      note.replace('\n\n', '\n'), // no blank line
      note.slice(0, -1), // no final newline
      note.replace('\u2014', '-'), // ASCII dash
      note.replace('\n42\n', '\n042\n'), // leading zero
      note.replace('\n42\n', '\n\n'), // empty line inside the text… becomes the split point
      note.replace(`${Buffer.from(ROOT).toString('base64')}`, 'AAAA'), // short root
      note.replace('\n42\n', '\n4\r2\n'), // control character
    ];
    for (const bad of cases) {
      assert.equal(
        codeOf(() => verifyCheckpoint(bad, spki, ORIGIN)),
        'LOG_CHECKPOINT_MALFORMED',
        JSON.stringify(bad),
      );
    }
  });

  void test('a non-P-256 log key is refused', () => {
    assert.equal(
      codeOf(() => createNoteVerifierKey(ORIGIN, new Uint8Array([1, 2, 3]))),
      'LOG_KEY_INVALID',
    );
    assert.equal(
      codeOf(() => new CheckpointVerifier('has space', new NodeTestSigner().publicKeySpkiDer)),
      'LOG_KEY_INVALID',
    );
  });

  void test('checkpoint text formatting follows c2sp.org/tlog-checkpoint', () => {
    const text = formatCheckpointText({ origin: ORIGIN, treeSize: 0, rootHash: ROOT, extensionLines: ['ext one'] });
    assert.equal(text, `${ORIGIN}\n0\n${Buffer.from(ROOT).toString('base64')}\next one\n`);
    assert.deepEqual(parseCheckpointText(text).extensionLines, ['ext one']);
    assert.equal(
      codeOf(() => formatCheckpointText({ origin: 'a+b', treeSize: 1, rootHash: ROOT, extensionLines: [] })),
      'LOG_CHECKPOINT_MALFORMED',
    );
  });

  void test('the verifier caches accepted notes without letting callers mutate them', async () => {
    const { note, signer } = await signedCheckpoint();
    const verifier = new CheckpointVerifier(ORIGIN, signer.publicKeySpkiDer);
    const first = verifier.verify(note);
    first.rootHash.fill(0);
    assert.deepEqual([...verifier.verify(note).rootHash], [...ROOT]);
  });
});
