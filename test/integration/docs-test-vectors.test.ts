// docs/test-vectors.md (issue 13, item 7): every vector is recomputed from its inputs with the
// project's code; any difference between the document and the code fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  attestationLeafBytes,
  BundleVerifier,
  defaultAttestationPort,
  ecdsaNoteKeyId,
  hashChildren,
  hashLeaf,
  noteVerifierKeyString,
  parseSignedNote,
  parseTrustRoot,
  trustInputFromRoot,
  verifyCheckpoint,
} from '#ingrain/crypto';
import { canonicalJson } from '#ingrain/encoding';
import { canonicalLayout, layoutDigest, parseLayout } from '#ingrain/otp';
import { join } from 'node:path';
import { REPO_ROOT } from '../../testkit/paths.js';

const DOC = readFileSync(join(REPO_ROOT, 'docs/test-vectors.md'), 'utf8');

/** The `json vector=<name>` blocks of the document. */
function vectors(): Map<string, Record<string, unknown>> {
  const found = new Map<string, Record<string, unknown>>();
  for (const match of DOC.matchAll(/^```json vector=(\S+)\n([\s\S]*?)^```$/gm)) {
    const [, name, body] = match;
    assert.ok(name !== undefined && body !== undefined);
    assert.ok(!found.has(name), `vector ${name} appears twice`);
    found.set(name, JSON.parse(body) as Record<string, unknown>);
  }
  return found;
}

const all = vectors();
function vector<T>(name: string): T {
  const value = all.get(name);
  assert.ok(value, `docs/test-vectors.md has no vector ${name}`);
  return value as T;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** RFC 9162 MTH over leaf hashes. */
function root(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 1) return hashes[0] ?? assert.fail('empty');
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return hashChildren(root(hashes.slice(0, k)), root(hashes.slice(k)));
}

void describe('docs/test-vectors.md', () => {
  void test('has exactly the documented vectors', () => {
    assert.deepEqual([...all.keys()].sort(), ['bundle', 'checkpoint', 'layout-digest', 'leaf', 'merkle-tree']);
  });

  void test('layout-digest: canonical JSON and digest', () => {
    const v = vector<{ layout: unknown; canonicalJson: string; digestSha256: string }>('layout-digest');
    const layout = parseLayout(JSON.stringify(v.layout));
    assert.equal(canonicalJson(canonicalLayout(layout)), v.canonicalJson);
    assert.equal(layoutDigest(layout), v.digestSha256);
  });

  void test('merkle-tree: leaf hashes and roots', () => {
    const v = vector<{ leavesHex: string[]; leafHashesHex: string[]; rootsHex: Record<string, string> }>('merkle-tree');
    const hashes = v.leavesHex.map((leaf) => hashLeaf(Buffer.from(leaf, 'hex')));
    assert.deepEqual(hashes.map(hex), v.leafHashesHex);
    for (const [size, expected] of Object.entries(v.rootsHex)) {
      assert.equal(hex(root(hashes.slice(0, Number(size)))), expected, `root of size ${size}`);
    }
  });

  void test('leaf: the logged bytes of an envelope and their leaf hash', () => {
    const v = vector<{ envelope: unknown; leafText: string; leafHashHex: string }>('leaf');
    const leaf = attestationLeafBytes(v.envelope);
    assert.equal(Buffer.from(leaf).toString('utf8'), v.leafText);
    assert.equal(hex(hashLeaf(leaf)), v.leafHashHex);
  });

  void test('checkpoint: signed text, key ID, verifier key, signature', () => {
    const v = vector<{
      note: string;
      text: string;
      origin: string;
      treeSize: number;
      logPublicKeySpkiBase64: string;
      keyIdHex: string;
      verifierKey: string;
    }>('checkpoint');
    const spki = new Uint8Array(Buffer.from(v.logPublicKeySpkiBase64, 'base64'));
    assert.equal(parseSignedNote(v.note).text, v.text);
    assert.equal(ecdsaNoteKeyId(spki).toString(16).padStart(8, '0'), v.keyIdHex);
    assert.equal(noteVerifierKeyString(v.origin, spki), v.verifierKey);
    const checkpoint = verifyCheckpoint(v.note, spki, v.origin);
    assert.equal(checkpoint.treeSize, v.treeSize);
    assert.throws(() => verifyCheckpoint(v.note.replace(`\n${v.treeSize}\n`, `\n${v.treeSize + 1}\n`), spki, v.origin));
  });

  void test('bundle: every check passes with the trust root at the given instant', () => {
    const v = vector<{ at: string; trustRoot: unknown; bundle: unknown }>('bundle');
    const trust = trustInputFromRoot(parseTrustRoot(v.trustRoot), new Date(v.at));
    const result = new BundleVerifier(trust, defaultAttestationPort).verify(v.bundle);
    assert.equal(result.ok, true, JSON.stringify(result.checks, null, 2));
    assert.deepEqual(
      result.checks.map((c) => c.check),
      [
        'bundle',
        'attestation-signature',
        'certificate-chain',
        'certificate-binding',
        'chip-binding',
        'checkpoint',
        'log-inclusion',
      ],
    );
    // The vector's certificate predates chip-bound certificates: chip-binding passes with its warning.
    const chipBinding = result.checks.find((c) => c.check === 'chip-binding');
    assert.match(chipBinding?.detail ?? '', /^WARNING certificate not chip-bound/);
    const checkpoint = vector<{ note: string }>('checkpoint');
    assert.equal((v.bundle as { log: { checkpoint: string } }).log.checkpoint, checkpoint.note);
    const leaf = vector<{ envelope: unknown }>('leaf');
    assert.deepEqual((v.bundle as { attestation: unknown }).attestation, leaf.envelope);
  });
});
