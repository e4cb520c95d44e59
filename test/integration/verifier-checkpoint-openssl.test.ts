// The checkpoint bytes documented in docs/transparency-log.md, checked by hand with the OpenSSL CLI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { generateKeyPairSync, sign } from 'node:crypto';
import { InMemoryLogStore, type Signer, TransparencyLog, ecdsaNoteKeyId } from '#ingrain/crypto';

const run = promisify(execFile);
const ORIGIN = 'ingrain.example/log/openssl';
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingrain-checkpoint-openssl-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A node:crypto log key (test only; production keys live in the HSM). */
function testSigner(): Signer & { publicKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    label: 'test-log-key',
    publicKeySpkiDer: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    sign: (message) =>
      Promise.resolve(new Uint8Array(sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }))),
  };
}

async function signedNoteFile(name: string): Promise<{ signer: Signer }> {
  const signer = testSigner();
  const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer });
  await log.append(['a', 'b', 'c', 'd', 'e'].map((s) => new TextEncoder().encode(s)));
  const { note } = await log.checkpoint();
  await writeFile(join(dir, `${name}.txt`), note);
  await writeFile(join(dir, `${name}.pub.pem`), signer.publicKeyPem);
  return { signer };
}

// The exact commands of docs/transparency-log.md "Checking a checkpoint by hand".
const HAND_CHECK = `set -euo pipefail
head -n 3 "$1.txt" > "$1.text"
tail -n 1 "$1.txt" | cut -d' ' -f3 | base64 -d > "$1.sig.bin"
head -c 4 "$1.sig.bin" | xxd -p
openssl pkey -pubin -in "$1.pub.pem" -outform DER | openssl dgst -sha256 -binary | head -c 4 | xxd -p
tail -c +5 "$1.sig.bin" > "$1.sig.der"
openssl dgst -sha256 -verify "$1.pub.pem" -signature "$1.sig.der" "$1.text"`;

void describe('checkpoint notes checked with the OpenSSL CLI', () => {
  void test('key ID = SHA-256(DER SPKI)[:4] and the DER signature verifies over the note text', async () => {
    const { signer } = await signedNoteFile('good');
    const { stdout } = await run('bash', ['-c', HAND_CHECK, 'hand-check', 'good'], { cwd: dir });
    const [noteKeyId, spkiKeyId, verdict] = stdout.trim().split('\n');
    assert.equal(noteKeyId, spkiKeyId);
    assert.equal(noteKeyId, ecdsaNoteKeyId(signer.publicKeySpkiDer).toString(16).padStart(8, '0'));
    assert.equal(verdict, 'Verified OK');
  });

  void test('OpenSSL rejects the signature once the tree size in the text is changed', async () => {
    await signedNoteFile('edited');
    await run('bash', ['-c', `sed -i '2s/^5$/6/' edited.txt`], { cwd: dir });
    await assert.rejects(run('bash', ['-c', HAND_CHECK, 'hand-check', 'edited'], { cwd: dir }), (error: Error) =>
      /Verification failure/.test(String((error as Error & { stdout?: string }).stdout) + error.message),
    );
  });
});
