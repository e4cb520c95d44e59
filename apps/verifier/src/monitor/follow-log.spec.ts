import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildAttestation,
  encodeEntryBundle,
  hashLeaf,
  InMemoryLogStore,
  serializeAttestationEnvelope,
  signAttestation,
  type Signer,
  TransparencyLog,
} from '#ingrain/crypto';
import { sampleDeviceForTests, SoftwareSignerForTests } from '#ingrain/crypto/testing';
import { followLog, LogProblem, type TileFetcher } from './follow-log.js';

const ORIGIN = 'monitor.example/log';
const attestationKey = new SoftwareSignerForTests('attestation');
const logKey = new SoftwareSignerForTests('log');
const trust = {
  attestationPublicKeySpkiDer: attestationKey.publicKeySpkiDer,
  logPublicKeySpkiDer: logKey.publicKeySpkiDer,
  origin: ORIGIN,
};

async function entry(seed: string, signer: Signer): Promise<Uint8Array> {
  const { input } = sampleDeviceForTests(seed);
  const attestation = buildAttestation({ ...input, serial: `SN-${seed}`, deviceId: `dev-${seed}` });
  return Buffer.from(serializeAttestationEnvelope(await signAttestation(attestation, signer)));
}

/** A log of `entries` served as tiles from memory (one partial tile each: fewer than 256 entries). */
async function servedLog(entries: readonly Uint8Array[]): Promise<TileFetcher> {
  const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer: logKey });
  await log.append(entries);
  const { note } = await log.checkpoint();
  const n = entries.length;
  const files = new Map<string, Uint8Array>([
    ['checkpoint', Buffer.from(note)],
    [`tile/entries/000.p/${n}`, encodeEntryBundle(entries)],
    [`tile/0/000.p/${n}`, Buffer.concat(entries.map((e) => hashLeaf(e)))],
  ]);
  return (path) => {
    const bytes = files.get(path);
    return bytes === undefined ? Promise.reject(new Error(`no ${path}`)) : Promise.resolve(bytes);
  };
}

void describe('followLog', () => {
  test('verifies a consistent log and returns the frontier to keep', async () => {
    const entries = [await entry('a', attestationKey), await entry('b', attestationKey)];
    const result = await followLog(await servedLog(entries), trust, undefined);
    assert.deepEqual([result.previousSize, result.newEntries, result.state.frontier.size], [0, 2, 2]);
  });

  test('an entry whose attestation is not signed by the attestation key is a bad entry (tiles and root agree)', async () => {
    const entries = [await entry('a', attestationKey), await entry('b', new SoftwareSignerForTests('not-it'))];
    await assert.rejects(followLog(await servedLog(entries), trust, undefined), (error: unknown) => {
      assert.ok(error instanceof LogProblem);
      assert.equal(error.code, 'ATTESTATION_SIGNATURE_INVALID');
      assert.match(error.message, /bad entry: 1 of 2 new attestations fail; first at leaf 1/);
      return true;
    });
  });
});
