import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import { Ed25519Cosigner, type StoredCheckpoint, cosignerVkeyString } from '#ingrain/crypto';
import type { ApiConfig } from '../config/api-config.js';
import type { WitnessingConfig } from '../config/witness-config.js';
import { WitnessRepository } from '../repositories/witness-repository.js';
import { automock, type Automocked, callsOf, resolves, stub } from '../testing/automock.js';
import { WitnessClient } from './witness-client.js';
import { WitnessLogView } from './witness-log-view.js';
import { WitnessingService } from './witnessing.service.js';

const TEXT = `unit.ingrain.example/log\n5\n${Buffer.alloc(32, 1).toString('base64')}\n`;
const latest: StoredCheckpoint = {
  treeSize: 5,
  rootHash: new Uint8Array(32).fill(1),
  note: `${TEXT}\n— unit AAAAAQE=\n`,
};
const cosigner = new Ed25519Cosigner('witness.example/a', generateKeyPairSync('ed25519').privateKey);
const vkey = cosignerVkeyString(cosigner.key);
const witnessing: WitnessingConfig = {
  witnesses: [{ url: 'http://witness-a', key: cosigner.key, vkey }],
  intervalMs: 1000,
  requestTimeoutMs: 1000,
};

describe('WitnessingService', () => {
  let repository: Automocked<WitnessRepository>;
  let log: Automocked<WitnessLogView>;
  let client: Automocked<WitnessClient>;
  let service: WitnessingService;

  beforeEach(() => {
    repository = automock(WitnessRepository);
    log = automock(WitnessLogView);
    client = automock(WitnessClient);
    service = new WitnessingService({ witnessing } as ApiConfig, repository, log, client);
    resolves(log, 'latestCheckpoint', latest);
    resolves(log, 'consistencyProof', []);
  });

  test('a 409 is retried from the size the witness reports; the verified cosignature is stored', async () => {
    resolves(repository, 'witnessSize', 0);
    resolves(repository, 'setWitnessSize', undefined);
    resolves(repository, 'addCosignature', undefined);
    let calls = 0;
    stub(client, 'addCheckpoint', () =>
      Promise.resolve(
        calls++ === 0
          ? { status: 409, contentType: 'text/x.tlog.size', body: '3\n' }
          : { status: 200, contentType: 'text/plain', body: cosigner.cosign(TEXT, 1_800_000_000) },
      ),
    );
    const outcomes = await service.round();
    assert.deepEqual(outcomes.get(vkey), { outcome: 'cosigned', treeSize: 5 });
    assert.deepEqual(
      callsOf(client, 'addCheckpoint').map(([, request]) => request.oldSize),
      [0, 3],
    );
    assert.deepEqual(callsOf(log, 'consistencyProof'), [
      [0, 5],
      [3, 5],
    ]);
    assert.deepEqual(callsOf(repository, 'setWitnessSize'), [[vkey, 3]]);
    const [stored] = callsOf(repository, 'addCosignature');
    assert.deepEqual(stored?.slice(0, 2), [5, latest.note]);
    assert.equal(stored?.[2].signatureLine, cosigner.cosign(TEXT, 1_800_000_000));

    assert.deepEqual((await service.round()).get(vkey), { outcome: 'current', treeSize: 5 }, 'no request when idle');
    assert.equal(callsOf(client, 'addCheckpoint').length, 2);
  });

  test('a cosignature that does not verify with the configured key is not stored', async () => {
    resolves(repository, 'witnessSize', 0);
    const impostor = new Ed25519Cosigner('witness.example/a', generateKeyPairSync('ed25519').privateKey);
    const sameId = Buffer.from(impostor.cosign(TEXT, 1_800_000_000).split(' ')[2] ?? '', 'base64');
    sameId.writeUInt32BE(cosigner.key.keyId, 0);
    resolves(client, 'addCheckpoint', {
      status: 200,
      contentType: 'text/plain',
      body: `— witness.example/a ${sameId.toString('base64')}\n`,
    });
    const outcome = (await service.round()).get(vkey);
    assert.equal(outcome?.outcome, 'invalid-answer');
    assert.equal(callsOf(repository, 'witnessSize').length, 1);
  });

  test('a refusal is reported with its status; nothing is stored', async () => {
    resolves(repository, 'witnessSize', 0);
    resolves(client, 'addCheckpoint', { status: 422, contentType: 'text/plain', body: 'not consistent\n' });
    assert.deepEqual((await service.round()).get(vkey), { outcome: 'refused', status: 422, reason: 'not consistent' });
  });

  test('witnessed(): WITNESSED_CHECKPOINT_NOT_FOUND before any cosignature; then note plus lines', async () => {
    resolves(repository, 'latestWitnessed', undefined);
    await assert.rejects(service.witnessed(), { code: 'WITNESSED_CHECKPOINT_NOT_FOUND' });
    const line = cosigner.cosign(TEXT, 1_800_000_000);
    resolves(repository, 'latestWitnessed', {
      treeSize: 5,
      note: latest.note,
      cosignatures: [{ witnessVkey: vkey, signatureLine: line, cosignedAt: new Date(1_800_000_000_000) }],
    });
    const view = await service.witnessed();
    assert.equal(view.note, `${latest.note}${line}`);
    assert.deepEqual(view.cosignatures, [
      { witnessKey: vkey, keyName: 'witness.example/a', cosignedAt: '2027-01-15T08:00:00.000Z' },
    ]);
  });
});
