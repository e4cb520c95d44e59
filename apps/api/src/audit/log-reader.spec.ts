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
});
