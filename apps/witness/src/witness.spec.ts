import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  Ed25519Cosigner,
  InMemoryLogStore,
  TransparencyLog,
  createNoteVerifierKey,
  formatAddCheckpointRequest,
  parseSignedNote,
  verifyCosignature,
} from '#ingrain/crypto';
import { SoftwareSignerForTests } from '#ingrain/crypto/testing';
import { createKeyFile, readKeyFile } from './key-file.js';
import { WitnessStateFile } from './state-file.js';
import { Witness } from './witness.js';

const ORIGIN = 'ingrain.example/log/witness-unit';
const logSigner = new SoftwareSignerForTests();
const logKey = createNoteVerifierKey(ORIGIN, logSigner.publicKeySpkiDer);
const cosigner = new Ed25519Cosigner('witness.example/unit', generateKeyPairSync('ed25519').privateKey);

/** A log over memory; `grow(n)` appends n leaves tagged `tag` and signs a checkpoint. */
function memoryLog(signer = logSigner) {
  const log = new TransparencyLog({ store: new InMemoryLogStore(), origin: ORIGIN, signer });
  let counter = 0;
  return {
    log,
    grow: async (n: number, tag = 'main') => {
      await log.append(Array.from({ length: n }, () => Buffer.from(`${tag}-${counter++}`)));
      return log.checkpoint();
    },
    body: async (oldSize: number) => {
      const latest = await log.checkpoint();
      const proof = await log.consistencyProof(oldSize, latest.treeSize);
      return formatAddCheckpointRequest({ oldSize, proof, note: latest.note });
    },
  };
}

async function witnessAt(statePath: string): Promise<Witness> {
  const state = await WitnessStateFile.open(statePath);
  return new Witness({ cosigner, logKeys: [logKey], state, nowS: () => 1_800_000_000 });
}

const tempState = (): string => join(mkdtempSync(join(tmpdir(), 'witness-unit-')), 'state.json');

describe('Witness (c2sp.org/tlog-witness add-checkpoint)', () => {
  test('cosigns a consistent checkpoint, records it durably first, then follows the log', async () => {
    const statePath = tempState();
    const witness = await witnessAt(statePath);
    const { log, grow, body } = memoryLog();
    await grow(3);
    const first = await witness.addCheckpoint(await body(0));
    assert.equal(first.status, 200);
    const note = (await log.checkpoint()).note;
    const [line] = parseSignedNote(`${note}${first.body}`).signatures.slice(1);
    assert.ok(line);
    assert.equal(verifyCosignature(parseSignedNote(note).text, line, cosigner.key).timestampS, 1_800_000_000);
    const saved = JSON.parse(readFileSync(statePath, 'utf8')) as { logs: Record<string, { treeSize: number }> };
    assert.equal(saved.logs[ORIGIN]?.treeSize, 3);

    await grow(4);
    assert.equal((await witness.addCheckpoint(await body(3))).status, 200);
    assert.equal((await witness.addCheckpoint(await body(7))).status, 200, 'the same checkpoint again is cosigned');
    const monitored = witness.latestCheckpoint(createHash('sha256').update(ORIGIN).digest('hex'));
    assert.equal(monitored.status, 200);
    assert.ok(monitored.body.startsWith(`${ORIGIN}\n7\n`));
  });

  test('409 with the cosigned size when the old size is not it', async () => {
    const witness = await witnessAt(tempState());
    const { grow, body } = memoryLog();
    await grow(2);
    await witness.addCheckpoint(await body(0));
    await grow(2);
    const stale = await witness.addCheckpoint(await body(1));
    assert.deepEqual(stale, { status: 409, contentType: 'text/x.tlog.size', body: '2\n' });
  });

  test('refuses forks, bad proofs, foreign keys and malformed bodies with the spec status codes', async () => {
    const statePath = tempState();
    const witness = await witnessAt(statePath);
    const main = memoryLog();
    await main.grow(5);
    await witness.addCheckpoint(await main.body(0));

    const fork = memoryLog(); // same log key, different leaves: a split view
    await fork.grow(5, 'fork');
    assert.equal((await witness.addCheckpoint(await fork.body(5))).status, 422, 'same size, other root');
    await fork.grow(3, 'fork');
    const forkProof = await fork.log.consistencyProof(5, 8);
    const forkNote = (await fork.log.checkpoint()).note;
    const forkBody = formatAddCheckpointRequest({ oldSize: 5, proof: forkProof, note: forkNote });
    assert.equal((await witness.addCheckpoint(forkBody)).status, 422, 'larger fork: no proof from what it signed');

    const restarted = await witnessAt(statePath);
    assert.equal((await restarted.addCheckpoint(forkBody)).status, 422, 'still refused after a restart');
    await main.grow(3);
    assert.equal((await restarted.addCheckpoint(await main.body(5))).status, 200, 'the true log goes on');

    const foreign = memoryLog(new SoftwareSignerForTests());
    await foreign.grow(1);
    assert.equal((await restarted.addCheckpoint(await foreign.body(0))).status, 403);
    const unknownOrigin = (await main.body(8)).replaceAll(ORIGIN, 'other.example/log');
    assert.equal((await restarted.addCheckpoint(unknownOrigin)).status, 404);
    assert.equal((await restarted.addCheckpoint('old 1\n')).status, 400);
    const tooOld = formatAddCheckpointRequest({ oldSize: 9, proof: [], note: (await main.log.checkpoint()).note });
    assert.equal((await restarted.addCheckpoint(tooOld)).status, 400);
    const nonEmptyFromZero = formatAddCheckpointRequest({
      oldSize: 0,
      proof: [new Uint8Array(32)],
      note: (await foreign.log.checkpoint()).note,
    });
    const fresh = await witnessAt(tempState());
    assert.equal((await fresh.addCheckpoint(nonEmptyFromZero)).status, 403, 'signature is checked before the proof');
    const fromZero = formatAddCheckpointRequest({
      oldSize: 0,
      proof: [new Uint8Array(32)],
      note: (await main.log.checkpoint()).note,
    });
    assert.equal((await fresh.addCheckpoint(fromZero)).status, 422, 'a proof from size 0 must be empty');
  });
});

describe('witness key and state files', () => {
  test('init writes an owner-only key, never overwrites it; a readable-by-others key is refused', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'witness-key-')), 'witness.key');
    const created = createKeyFile(path, 'witness.example/k');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readKeyFile(path).key.publicKeyRaw, created.key.publicKeyRaw);
    assert.throws(() => createKeyFile(path, 'witness.example/k'), { code: 'WITNESS_KEY_FILE_EXISTS' });
    const loose = join(mkdtempSync(join(tmpdir(), 'witness-key-')), 'loose.key');
    writeFileSync(loose, readFileSync(path), { mode: 0o644 });
    assert.throws(() => readKeyFile(loose), { code: 'WITNESS_KEY_FILE_INVALID', message: /chmod 600/ });
  });

  test('a corrupt state file stops the witness instead of starting empty', async () => {
    const path = tempState();
    writeFileSync(path, '{"format":"ingrain.witness-state.v1","logs":{"x":{"treeSize":-1}}}');
    await assert.rejects(WitnessStateFile.open(path), { code: 'WITNESS_STATE_INVALID' });
    writeFileSync(path, 'not json');
    await assert.rejects(WitnessStateFile.open(path), { code: 'WITNESS_STATE_INVALID', message: /not JSON/ });
  });
});
