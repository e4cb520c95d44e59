import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { StoredCheckpoint } from '#ingrain/crypto';
import { SoftwareSignerForTests } from '#ingrain/crypto/testing';
import { LogService } from '../log/log.service.js';
import { AttestationRepository } from '../repositories/attestation-repository.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { PgLogStore } from '../repositories/pg-log-store.js';
import { automock, callsOf, resolves, type Automocked } from '../testing/automock.js';
import { attestationRecord, claimedDevice, DEVICE_ID } from '../testing/fixtures.js';
import { TrustService } from '../trust/trust.service.js';
import { LogReader } from './log-reader.js';

const first: StoredCheckpoint = { treeSize: 0, rootHash: new Uint8Array(32), note: 'first' };

describe('LogReader', () => {
  let store: Automocked<PgLogStore>;
  let attestations: Automocked<AttestationRepository>;
  let devices: Automocked<DeviceRepository>;
  let writer: Automocked<LogService>;
  let reader: LogReader;

  beforeEach(() => {
    store = automock(PgLogStore);
    attestations = automock(AttestationRepository);
    devices = automock(DeviceRepository);
    writer = automock(LogService);
    const trust = automock(TrustService, {
      logOrigin: 'unit.ingrain.example/log',
      logSigner: new SoftwareSignerForTests('ingrain-log'),
    });
    reader = new LogReader(store, attestations, devices, trust, writer);
  });

  test('the latest checkpoint is the writer’s, covering every committed entry (integrated on demand)', async () => {
    resolves(writer, 'currentCheckpoint', first);
    assert.equal(await reader.latestCheckpoint(), first);
    assert.equal(callsOf(writer, 'currentCheckpoint').length, 1);
    assert.equal(callsOf(store, 'readLatestCheckpoint').length, 0);
  });

  test('bundle: undefined for an unlogged index; TRUST_BUNDLE_INCOMPLETE for a device without a certificate', async () => {
    resolves(attestations, 'get', undefined);
    assert.equal(await reader.bundle(4), undefined);
    resolves(attestations, 'get', attestationRecord({ leafIndex: 4 }));
    resolves(devices, 'get', claimedDevice({ state: 'provisioned', certificateDer: null }));
    await assert.rejects(reader.bundle(4), { code: 'TRUST_BUNDLE_INCOMPLETE' });
    assert.deepEqual(callsOf(devices, 'get'), [[DEVICE_ID]]);
  });

  test('tiles: only within the published checkpoint’s tree, a partial width up to what it holds, never a full tile early', async () => {
    resolves(store, 'readLatestCheckpoint', { ...first, treeSize: 5 });
    resolves(store, 'readNodes', [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]);
    assert.equal((await reader.tile({ level: 0, index: 0, width: 2 }))?.length, 64);
    assert.deepEqual(callsOf(store, 'readNodes'), [
      [
        [
          { level: 0, index: 0 },
          { level: 0, index: 1 },
        ],
      ],
    ]);
    assert.equal(await reader.tile({ level: 0, index: 0, width: 6 }), undefined);
    assert.equal(await reader.tile({ level: 0, index: 0, width: 256 }), undefined);
    assert.equal(await reader.tile({ level: 'entries', index: 1, width: 1 }), undefined);
    assert.equal(await reader.tile({ level: 1, index: 0, width: 1 }), undefined);
    assert.equal(callsOf(store, 'readNodes').length, 1, 'nothing read for a tile the tree does not hold');
  });
});
