import assert from 'node:assert/strict';
import { beforeEach, describe, mock, test } from 'node:test';
import { f4ReadBack, successReportBody } from '#ingrain/contracts/testing';
import { SoftwareSignerForTests } from '#ingrain/crypto/testing';
import { LayoutCache } from '../catalogue/layout-cache.js';
import { StationScope } from '../claims/station-scope.js';
import { LogService } from '../log/log.service.js';
import { Metrics } from '../metrics/metrics.js';
import { AttestationRepository } from '../repositories/attestation-repository.js';
import type { ReportedDevice } from '../repositories/device-records.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import type { WebhookOutbox } from '../repositories/webhook-outbox.js';
import { automock, type Automocked, callsOf, resolves, stub } from '../testing/automock.js';
import {
  attestationRecord,
  claimedDevice,
  DEVICE_ID,
  deviceEvent,
  deviceRecord,
  resolvedLayout,
  STATION_ID,
  stationPrincipal,
} from '../testing/fixtures.js';
import { mockTransactions, type MockRepositories } from '../testing/transactions.js';
import { TrustService } from '../trust/trust.service.js';
import { bytesToHex } from '#ingrain/encoding';
import { ResultsService } from './results.service.js';

const signer = new SoftwareSignerForTests('ingrain-attestation');
const readBack = f4ReadBack();
/** The device the F4 read-back fixture matches exactly: its image, blocks 0-1 locked, a certificate. */
const device = (overrides: Parameters<typeof claimedDevice>[0] & { line?: string } = {}): ReportedDevice => ({
  line: 'line-1',
  claimedAt: new Date('2026-01-01T00:00:00Z'),
  ...claimedDevice({
    imageData: readBack.otpData,
    lockBlocks: [0, 1],
    certificateSha256: new Uint8Array(32),
    ...overrides,
  }),
});
/** A device waiting for a chip. */
const queued = (): ReportedDevice => ({ ...deviceRecord(), line: 'line-1', claimedAt: null });
const exact = () => successReportBody(readBack);
const linkError = () =>
  successReportBody(readBack, {
    outcome: 'link-error',
    otpData: null,
    lockBytes: null,
    error: { code: 'BOOTLOADER_TIMEOUT', phase: 'connect', stage: null, message: 'no answer' },
  });
const protectedChip = () =>
  successReportBody(readBack, {
    outcome: 'protected',
    chipUid: null,
    otpData: null,
    lockBytes: null,
    error: { code: 'CHIP_READOUT_PROTECTED', phase: 'read', stage: 'command', message: 'refused twice' },
  });
const mismatch = () => {
  const otpData = readBack.otpData.slice();
  otpData[0] = 0x00;
  return successReportBody({ ...readBack, otpData });
};

describe('ResultsService', () => {
  let tx: MockRepositories;
  let devices: Automocked<DeviceRepository>;
  let attestations: Automocked<AttestationRepository>;
  let log: Automocked<LogService>;
  let outcomes: ReturnType<typeof mock.fn>;
  let scope: Automocked<StationScope>;
  let service: ResultsService;

  beforeEach(() => {
    const transactions = mockTransactions();
    tx = transactions.tx;
    devices = automock(DeviceRepository);
    attestations = automock(AttestationRepository);
    log = automock(LogService);
    const layouts = automock(LayoutCache);
    resolves(layouts, 'get', resolvedLayout());
    outcomes = mock.fn();
    const metrics = automock(Metrics, {
      provisioningOutcomes: { inc: outcomes } as unknown as Metrics['provisioningOutcomes'],
    });
    const trust = automock(TrustService, { attestationSigner: signer });
    scope = automock(StationScope);
    resolves(scope, 'stationOf', { id: STATION_ID, line: 'line-1' });
    service = new ResultsService(transactions.transactions, devices, attestations, trust, log, layouts, metrics, scope);
  });

  test('an unknown device: DEVICE_NOT_FOUND', async () => {
    resolves(devices, 'reportable', undefined);
    await assert.rejects(service.report(DEVICE_ID, exact(), stationPrincipal()), { code: 'DEVICE_NOT_FOUND' });
  });

  test('a queued device expects no report: DEVICE_STATE_CONFLICT', async () => {
    resolves(devices, 'reportable', queued());
    await assert.rejects(service.report(DEVICE_ID, exact(), stationPrincipal()), { code: 'DEVICE_STATE_CONFLICT' });
  });

  test('a protected chip met before any claim: an event on the queued device, which stays queued', async () => {
    resolves(devices, 'reportable', queued());
    resolves(devices, 'recordEvent', true);
    const result = await service.report(DEVICE_ID, protectedChip(), stationPrincipal());
    assert.deepEqual([result.verdict, result.state, result.reason], ['retry', 'queued', 'chip-protected']);
    const [[id, state, event, guard]] = callsOf(devices, 'recordEvent') as [
      Parameters<DeviceRepository['recordEvent']>,
    ];
    assert.deepEqual([id, state, event.actor, event.reason], [DEVICE_ID, 'queued', STATION_ID, 'chip-protected']);
    assert.equal((event.details as Record<string, unknown> | undefined)?.['errorCode'], 'CHIP_READOUT_PROTECTED');
    assert.equal(guard, undefined);
    assert.equal(callsOf(devices, 'transition').length, 0);
    assert.equal(outcomes.mock.callCount(), 1);
  });

  test('a protected-chip report for a device that left the queue meanwhile: DEVICE_STATE_CONFLICT', async () => {
    resolves(devices, 'reportable', queued());
    resolves(devices, 'recordEvent', false);
    await assert.rejects(service.report(DEVICE_ID, protectedChip(), stationPrincipal()), {
      code: 'DEVICE_STATE_CONFLICT',
    });
  });

  test('a claimed device whose chip turns out protected is quarantined (station-protected)', async () => {
    resolves(devices, 'reportable', device());
    resolves(tx.devices, 'transition', true);
    resolves(tx.webhookOutbox, 'append', { sequence: 1, deliveries: 0 });
    const result = await service.report(
      DEVICE_ID,
      { ...protectedChip(), chipUid: bytesToHex(device().chipUid ?? new Uint8Array()) },
      stationPrincipal(),
    );
    assert.deepEqual([result.verdict, result.reason], ['quarantined', 'station-protected']);
  });

  test('a link error is recorded without a transition: retry, still claimed', async () => {
    resolves(devices, 'reportable', device());
    resolves(devices, 'recordEvent', true);
    const result = await service.report(DEVICE_ID, linkError(), stationPrincipal());
    assert.deepEqual([result.verdict, result.state], ['retry', 'claimed']);
    const [[id, state, event]] = callsOf(devices, 'recordEvent') as [Parameters<DeviceRepository['recordEvent']>];
    assert.deepEqual([id, state, event.actor, event.reason], [DEVICE_ID, 'claimed', STATION_ID, 'link-error']);
    assert.equal(callsOf(devices, 'transition').length, 0);
    assert.equal(outcomes.mock.callCount(), 1);
  });

  test('a read-back that differs quarantines the device with the diff', async () => {
    resolves(devices, 'reportable', device());
    resolves(tx.devices, 'transition', true);
    resolves(tx.webhookOutbox, 'append', { sequence: 1, deliveries: 0 });
    const result = await service.report(DEVICE_ID, mismatch(), stationPrincipal());
    assert.deepEqual(
      [result.verdict, result.reason, result.state],
      ['quarantined', 'readback-mismatch', 'quarantined'],
    );
    assert.ok(result.diff.length > 0);
    const [[id, action, event]] = callsOf(tx.devices, 'transition') as [Parameters<DeviceRepository['transition']>];
    assert.deepEqual(
      [id, action, event.actor, event.reason],
      [DEVICE_ID, 'quarantine', STATION_ID, 'readback-mismatch'],
    );
    // The webhook event is appended in the transaction of the quarantine.
    const [[appended]] = callsOf(tx.webhookOutbox, 'append') as [Parameters<WebhookOutbox['append']>];
    const body = JSON.parse(appended.render(1)) as { type: string; data: { deviceId: string; reason: string } };
    assert.deepEqual(
      [appended.type, appended.orderingKey, body.data.deviceId, body.data.reason],
      ['device.quarantined', `device:${DEVICE_ID}`, DEVICE_ID, 'readback-mismatch'],
    );
  });

  test('an exact match: state change, log append, attestation and key erasure in one transaction', async () => {
    resolves(devices, 'reportable', device());
    resolves(tx.devices, 'transition', true);
    resolves(log, 'appendAttestation', { leafIndex: 7, treeSize: 8, alreadyPresent: false });
    resolves(tx.attestations, 'insert', attestationRecord({ leafIndex: 7 }));
    resolves(tx.webhookOutbox, 'append', { sequence: 1, deliveries: 0 });

    const result = await service.report(DEVICE_ID, exact(), stationPrincipal());

    assert.deepEqual([result.verdict, result.state, result.attestation?.leafIndex], ['provisioned', 'provisioned', 7]);
    const [[id, action, , guard, effects]] = callsOf(tx.devices, 'transition') as [
      Parameters<DeviceRepository['transition']>,
    ];
    assert.deepEqual(
      [id, action, guard, effects],
      [DEVICE_ID, 'provision', { stationId: STATION_ID, chipUid: device().chipUid }, { eraseSealedKey: true }],
    );
    const [[store, envelopeText]] = callsOf(log, 'appendAttestation') as [Parameters<LogService['appendAttestation']>];
    assert.equal(store, tx.log, 'the append runs on the transaction');
    const [[inserted]] = callsOf(tx.attestations, 'insert') as [Parameters<AttestationRepository['insert']>];
    assert.deepEqual([inserted.leafIndex, inserted.envelope, inserted.stationId], [7, envelopeText, STATION_ID]);
    const [[appended]] = callsOf(tx.webhookOutbox, 'append') as [Parameters<WebhookOutbox['append']>];
    const body = JSON.parse(appended.render(2)) as { id: string; sequence: number; data: Record<string, unknown> };
    assert.deepEqual(
      [appended.type, body.id, body.sequence, body.data['attestationLeafIndex']],
      ['device.provisioned', appended.id, 2, 7],
    );
    assert.equal(callsOf(devices, 'transition').length, 0, 'nothing written outside the transaction');
  });

  test('overtaken by a concurrent report: answered as a repetition of the recorded outcome', async () => {
    // The first read finds it claimed; the re-read after losing the race finds it quarantined.
    const reads = [device(), device({ state: 'quarantined' })];
    stub(devices, 'reportable', () => Promise.resolve(reads.shift()));
    resolves(tx.devices, 'transition', false);
    resolves(devices, 'history', [
      deviceEvent({
        fromState: 'claimed',
        toState: 'quarantined',
        details: { diff: [], omittedDiffs: 0 },
        reason: 'readback-mismatch',
      }),
    ]);
    const result = await service.report(DEVICE_ID, mismatch(), stationPrincipal());
    assert.deepEqual([result.verdict, result.reason], ['quarantined', 'readback-mismatch']);
  });

  test('a device of another line: DEVICE_OTHER_LINE, nothing recorded', async () => {
    resolves(devices, 'reportable', device({ line: 'line-2' }));
    await assert.rejects(service.report(DEVICE_ID, mismatch(), stationPrincipal()), {
      code: 'DEVICE_OTHER_LINE',
      extensions: { deviceId: DEVICE_ID },
    });
    assert.equal(outcomes.mock.callCount(), 0);
  });

  test('a device another station holds: DEVICE_CLAIMED_BY_OTHER_STATION, nothing recorded or signed', async () => {
    for (const state of ['claimed', 'provisioned', 'quarantined'] as const) {
      resolves(devices, 'reportable', device({ state, stationId: 'st-2' }));
      for (const body of [exact(), mismatch(), linkError()]) {
        await assert.rejects(service.report(DEVICE_ID, body, stationPrincipal()), {
          code: 'DEVICE_CLAIMED_BY_OTHER_STATION',
        });
      }
    }
    // The strict automocks throw on any write (transition, recordEvent, a transaction, the log).
    assert.equal(outcomes.mock.callCount(), 0);
  });

  test('every state change is conditional on the reporting station still holding the device', async () => {
    resolves(devices, 'reportable', device());
    resolves(tx.devices, 'transition', true);
    resolves(tx.webhookOutbox, 'append', { sequence: 1, deliveries: 0 });
    resolves(devices, 'recordEvent', true);
    await service.report(DEVICE_ID, mismatch(), stationPrincipal());
    await service.report(DEVICE_ID, linkError(), stationPrincipal());
    const guard = { stationId: STATION_ID, chipUid: device().chipUid };
    assert.deepEqual(callsOf(tx.devices, 'transition')[0]?.[3], guard);
    assert.deepEqual(callsOf(devices, 'recordEvent')[0]?.[3], guard);
  });

  test('overtaken by a hand-over to another station: DEVICE_CLAIMED_BY_OTHER_STATION', async () => {
    const reads = [device(), device({ stationId: 'st-2' })];
    stub(devices, 'reportable', () => Promise.resolve(reads.shift()));
    resolves(tx.devices, 'transition', false);
    await assert.rejects(service.report(DEVICE_ID, mismatch(), stationPrincipal()), {
      code: 'DEVICE_CLAIMED_BY_OTHER_STATION',
    });
  });

  test('a repeated exact match gets the recorded attestation', async () => {
    resolves(devices, 'reportable', device({ state: 'provisioned' }));
    const envelope = JSON.stringify({ payloadType: 't', payload: 'cA==', signatures: [{ keyid: 'k', sig: 'cw==' }] });
    resolves(attestations, 'getByDevice', attestationRecord({ leafIndex: 3, envelope }));
    const result = await service.report(DEVICE_ID, exact(), stationPrincipal());
    assert.deepEqual([result.verdict, result.attestation?.leafIndex], ['provisioned', 3]);
    assert.equal(callsOf(devices, 'transition').length, 0);
  });

  test('a report that contradicts the recorded outcome: DEVICE_STATE_CONFLICT', async () => {
    resolves(devices, 'reportable', device({ state: 'provisioned' }));
    await assert.rejects(service.report(DEVICE_ID, mismatch(), stationPrincipal()), { code: 'DEVICE_STATE_CONFLICT' });
  });
});
