import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sha256Hex } from '#ingrain/crypto';
import { SoftwareSignerForTests } from '#ingrain/crypto/testing';
import { signWorkOrderReport, verifyWorkOrderReportEnvelope } from './work-order-envelope.js';
import {
  WORK_ORDER_REPORT_PAYLOAD_TYPE,
  buildWorkOrderReport,
  workOrderDeviceListBytes,
  type WorkOrderDeviceEntry,
  type WorkOrderReportInput,
} from './work-order-report.js';

const DEVICES: WorkOrderDeviceEntry[] = [
  { deviceId: 'd3', serial: 'SN-000003', state: 'quarantined', chipUid: 'cc', attestationLeafIndex: null },
  { deviceId: 'd1', serial: 'SN-000001', state: 'provisioned', chipUid: 'aa', attestationLeafIndex: 7 },
  { deviceId: 'd2', serial: 'SN-000002', state: 'provisioned', chipUid: 'bb', attestationLeafIndex: 9 },
  { deviceId: 'd4', serial: 'SN-000004', state: 'scrapped', chipUid: null, attestationLeafIndex: null },
  { deviceId: 'd5', serial: 'SN-000005', state: 'claimed', chipUid: 'ee', attestationLeafIndex: null },
];

function input(overrides: Partial<WorkOrderReportInput> = {}): WorkOrderReportInput {
  return {
    workOrder: {
      id: 'wo-7',
      productId: 'sensor-node',
      layoutVersion: 1,
      layoutDigestSha256: 'AB'.repeat(32),
      quantity: 6,
      issued: DEVICES.length,
      createdAt: new Date('2030-03-01T08:00:00Z'),
    },
    devices: DEVICES,
    closedAt: new Date('2030-03-04T17:00:00.123Z'),
    closedBy: 'token-mes-1',
    log: { treeSize: 10, rootHashSha256: 'CD'.repeat(32) },
    ...overrides,
  };
}

void describe('work-order close report', () => {
  void test('counts devices by state: failed = quarantined + scrapped, unfinished = queued + claimed', () => {
    const report = buildWorkOrderReport(input());
    assert.deepEqual(report.counts, {
      planned: 6,
      issued: 5,
      provisioned: 2,
      quarantined: 1,
      scrapped: 1,
      failed: 2,
      unfinished: 1,
    });
    assert.equal(report.layout.digestSha256, 'ab'.repeat(32));
    assert.equal(report.closedAt, '2030-03-04T17:00:00.123Z');
    assert.deepEqual(report.devices, { count: 5, listSha256: sha256Hex(workOrderDeviceListBytes(DEVICES)) });
  });

  void test('the device list is canonical: sorted by serial, independent of input order', () => {
    const text = Buffer.from(workOrderDeviceListBytes([...DEVICES].reverse())).toString('utf8');
    assert.equal(text, Buffer.from(workOrderDeviceListBytes(DEVICES)).toString('utf8'));
    assert.ok(
      text.startsWith(
        '[{"attestationLeafIndex":7,"chipUid":"aa","deviceId":"d1","serial":"SN-000001","state":"provisioned"},',
      ),
    );
    const changed = DEVICES.map((d) => (d.deviceId === 'd5' ? { ...d, state: 'queued' as const, chipUid: null } : d));
    assert.notEqual(sha256Hex(workOrderDeviceListBytes(changed)), sha256Hex(workOrderDeviceListBytes(DEVICES)));
  });

  void test('refuses facts that do not add up', () => {
    const cases: Partial<WorkOrderReportInput>[] = [
      { devices: DEVICES.slice(1) },
      { devices: DEVICES.map((d) => ({ ...d, attestationLeafIndex: null })) },
      { devices: DEVICES.map((d) => ({ ...d, attestationLeafIndex: 1 })) },
      { workOrder: { ...input().workOrder, quantity: 4 } },
    ];
    for (const overrides of cases) {
      assert.throws(() => buildWorkOrderReport(input(overrides)), { code: 'WORK_ORDER_COUNTS_INCONSISTENT' });
    }
  });

  void test('signed as DSSE with its own payloadType; verifies with the key, and only unaltered', async () => {
    const signer = new SoftwareSignerForTests('ingrain-attestation');
    const report = buildWorkOrderReport(input());
    const envelope = await signWorkOrderReport(report, signer);
    assert.equal(envelope.payloadType, WORK_ORDER_REPORT_PAYLOAD_TYPE);
    assert.equal(envelope.signatures[0]?.keyid, sha256Hex(signer.publicKeySpkiDer));
    assert.deepEqual(verifyWorkOrderReportEnvelope(envelope, signer.publicKeySpkiDer), report);

    const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Record<string, unknown>;
    const forged = {
      ...envelope,
      payload: Buffer.from(JSON.stringify({ ...payload, closedBy: 'x' })).toString('base64'),
    };
    const otherKey = new SoftwareSignerForTests().publicKeySpkiDer;
    const attestationType = { ...envelope, payloadType: 'application/vnd.ingrain.attestation.v1+json' };
    for (const [what, envelopeCase, key] of [
      ['altered payload', forged, signer.publicKeySpkiDer],
      ['another key', envelope, otherKey],
      ['another payloadType', attestationType, signer.publicKeySpkiDer],
    ] as const) {
      assert.throws(
        () => verifyWorkOrderReportEnvelope(envelopeCase, key),
        { code: 'WORK_ORDER_REPORT_INVALID' },
        what,
      );
    }
  });

  void test('a payload that is signed but not canonical is refused', async () => {
    const signer = new SoftwareSignerForTests();
    const report = buildWorkOrderReport(input());
    const { dssePreAuthenticationEncoding, p1363ToDer } = await import('#ingrain/crypto');
    const { bytesToBase64 } = await import('#ingrain/encoding');
    const pretty = Buffer.from(JSON.stringify(report, null, 2));
    const sig = p1363ToDer(await signer.sign(dssePreAuthenticationEncoding(WORK_ORDER_REPORT_PAYLOAD_TYPE, pretty)));
    const envelope = {
      payloadType: WORK_ORDER_REPORT_PAYLOAD_TYPE,
      payload: bytesToBase64(pretty),
      signatures: [{ keyid: '', sig: bytesToBase64(sig) }],
    };
    assert.throws(() => verifyWorkOrderReportEnvelope(envelope, signer.publicKeySpkiDer), /canonical/);
  });
});
