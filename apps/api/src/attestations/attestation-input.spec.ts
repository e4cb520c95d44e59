import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildAttestation } from '#ingrain/crypto';
import { BOUND_UID, intendedF4, successReport } from '../results/testing/report-fixtures.js';
import { provisionedAtOf, toAttestationInput, type AttestableDevice } from './attestation-input.js';

const DEVICE: AttestableDevice = {
  id: '0b7e2c1a-3f4d-4e5f-8a9b-0c1d2e3f4a5b',
  productId: 'sensor-node',
  serial: 'SN-000123',
  workOrderId: 'wo-7',
  jobId: '0b7e2c1a-3f4d-4e5f-8a9b-0c1d2e3f4a5b',
  secretFields: [{ name: 'pairing_key', offsetBytes: 32, lengthBytes: 16, commitmentSha256: 'AA'.repeat(32) }],
  certificateSha256: 'bb'.repeat(32),
  claimedAt: new Date('2030-03-04T05:06:00.000Z'),
};
const LAYOUT = { name: 'sensor-node', version: 1, digestSha256: 'cc'.repeat(32) };
const ATTESTED_AT = new Date('2030-03-04T05:06:08.000Z');

void describe('attestation input', () => {
  void test('is accepted by buildAttestation and carries the report, the record and the layout', () => {
    const report = successReport(intendedF4());
    const input = toAttestationInput({
      device: DEVICE,
      layout: LAYOUT,
      report,
      stationId: 'station-01',
      attestedAt: ATTESTED_AT,
    });
    const attestation = buildAttestation(input);
    assert.equal(attestation.deviceId, DEVICE.id);
    assert.equal(attestation.product, 'sensor-node');
    assert.deepEqual(attestation.chip, { family: 'stm32f4', productId: 0x413, uidHex: BOUND_UID });
    assert.deepEqual(attestation.layout, LAYOUT);
    assert.equal(attestation.otp.secretFields[0]?.commitmentSha256, 'aa'.repeat(32));
    assert.equal(attestation.otp.lockBytesHex, '0000ffffffffffffffffffffffffffff');
    assert.equal(attestation.jobId, 'job-42');
    assert.equal(attestation.workOrderId, 'wo-7');
    assert.equal(attestation.stationId, 'station-01');
    assert.equal(attestation.provisionedAt, '2030-03-04T05:06:07.175Z');
  });

  void test('the job is the report’s, else the claim’s, else the device id', () => {
    const report = { ...successReport(intendedF4()), jobId: undefined };
    const source = { device: DEVICE, layout: LAYOUT, report, stationId: 's', attestedAt: ATTESTED_AT };
    assert.equal(toAttestationInput({ ...source, device: { ...DEVICE, jobId: 'job-9' } }).jobId, 'job-9');
    assert.equal(toAttestationInput({ ...source, device: { ...DEVICE, jobId: null } }).jobId, DEVICE.id);
  });

  void test('provisionedAt is the station time, kept between the claim and the attestation', () => {
    const report = successReport(intendedF4());
    const claimedAt = new Date('2030-03-04T05:06:07.500Z');
    assert.equal(provisionedAtOf(report, null, ATTESTED_AT).toISOString(), '2030-03-04T05:06:07.175Z');
    assert.equal(provisionedAtOf(report, claimedAt, ATTESTED_AT).toISOString(), claimedAt.toISOString());
    const early = new Date('2030-03-04T05:06:07.000Z');
    assert.equal(provisionedAtOf(report, null, early).toISOString(), early.toISOString());
  });

  void test('only a complete success report can be attested', () => {
    const intended = intendedF4();
    const failed = successReport(intended, { outcome: 'verify-failed' });
    const noData = { ...successReport(intended), otpData: null };
    for (const report of [failed, noData]) {
      assert.throws(
        () => toAttestationInput({ device: DEVICE, layout: LAYOUT, report, stationId: 's', attestedAt: ATTESTED_AT }),
        { code: 'REPORT_INCOMPLETE' },
      );
    }
  });
});
