import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { StoredCheckpoint } from '#ingrain/crypto';
import { AttestationRepository } from '../repositories/attestation-repository.js';
import { automock, type Automocked, callsOf, resolves } from '../testing/automock.js';
import { attestationRecord } from '../testing/fixtures.js';
import { TrustService } from '../trust/trust.service.js';
import { AuditService } from './audit.service.js';
import { LogReader } from './log-reader.js';

const checkpoint = (treeSize: number): StoredCheckpoint => ({
  treeSize,
  rootHash: new Uint8Array(32),
  note: `unit.ingrain.example/log\n${treeSize}\nAAAA\n\n— unit sig\n`,
});

describe('AuditService', () => {
  let attestations: Automocked<AttestationRepository>;
  let log: Automocked<LogReader>;
  let service: AuditService;

  beforeEach(() => {
    attestations = automock(AttestationRepository);
    log = automock(LogReader);
    const trust = automock(TrustService, { logOrigin: 'unit.ingrain.example/log' });
    service = new AuditService(attestations, log, trust);
  });

  test('search reads one row more than the page to tell whether there is a next page', async () => {
    resolves(attestations, 'search', [attestationRecord({ leafIndex: 0 }), attestationRecord({ leafIndex: 1 })]);
    const page = await service.search({ limit: 1, offset: 4 });
    assert.deepEqual(callsOf(attestations, 'search'), [[{}, { limit: 2, offset: 4 }]]);
    assert.deepEqual([page.attestations.length, page.nextOffset], [1, 5]);
    resolves(attestations, 'search', [attestationRecord()]);
    assert.equal((await service.search({ limit: 1, offset: 0 })).nextOffset, null);
  });

  test('get, bundle: ATTESTATION_NOT_FOUND for an unlogged index', async () => {
    resolves(attestations, 'get', undefined);
    await assert.rejects(service.get(9), { code: 'ATTESTATION_NOT_FOUND' });
    resolves(log, 'bundle', undefined);
    await assert.rejects(service.bundle(9), { code: 'ATTESTATION_NOT_FOUND' });
  });

  test('consistency: CHECKPOINT_NOT_FOUND beyond the latest or at an unsigned size; else the proof', async () => {
    resolves(log, 'latestCheckpoint', checkpoint(4));
    await assert.rejects(service.consistency({ from: 5 }), {
      code: 'CHECKPOINT_NOT_FOUND',
    });
    resolves(log, 'checkpointAt', undefined);
    await assert.rejects(service.consistency({ from: 2 }), { code: 'CHECKPOINT_NOT_FOUND' });
    resolves(log, 'checkpointAt', checkpoint(2));
    resolves(log, 'consistencyProof', [new Uint8Array([1])]);
    const view = await service.consistency({ from: 2 });
    assert.deepEqual(callsOf(log, 'consistencyProof'), [[2, 4]]);
    assert.deepEqual([view.fromTreeSize, view.toTreeSize, view.consistencyFile.proof], [2, 4, ['AQ==']]);
  });
});
