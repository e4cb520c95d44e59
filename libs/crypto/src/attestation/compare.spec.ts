import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { sampleDeviceForTests } from '../testing/index.js';
import { buildAttestation } from './build.js';
import { compareDeviceReadWithAttestation, describeDeviceReadDifference } from './compare.js';
import { AttestationError } from './errors.js';

const device = sampleDeviceForTests();
const attestation = buildAttestation(device.input);
const secretHexes = device.secrets.map((s) => Buffer.from(s.value).toString('hex'));

void describe('compareDeviceReadWithAttestation', () => {
  void test('the same device matches; secrets are not checked without their salts', () => {
    const result = compareDeviceReadWithAttestation(attestation, device.rawData, device.lockBytes);
    assert.deepEqual(result, {
      matches: true,
      fullyChecked: false,
      differences: [],
      secretFields: [
        { name: 'device_private_key', status: 'not-checked' },
        { name: 'aes_key', status: 'not-checked' },
      ],
    });
  });

  void test('with the salts, the device bytes are checked against the commitments', () => {
    const result = compareDeviceReadWithAttestation(attestation, device.rawData, device.lockBytes, {
      secretSalts: device.salts,
      uidHex: '0123456789ABCDEF01234567',
    });
    assert.equal(result.matches, true);
    assert.equal(result.fullyChecked, true);
    assert.deepEqual(
      result.secretFields.map((s) => s.status),
      ['match', 'match'],
    );
    const partial = compareDeviceReadWithAttestation(attestation, device.rawData, device.lockBytes, {
      secretSalts: { aes_key: device.salts.aes_key! },
    });
    assert.deepEqual(
      partial.secretFields.map((s) => s.status),
      ['not-checked', 'match'],
    );
  });

  void test('reports runs of differing non-secret bytes, lock bytes and the UID', () => {
    const data = Uint8Array.from(device.rawData);
    data[200] = 0x00;
    data[201] = 0x01;
    data[300] = 0x7e;
    const locks = Uint8Array.from(device.lockBytes);
    locks[5] = 0x00;
    const result = compareDeviceReadWithAttestation(attestation, data, locks, { uidHex: 'ffffffffffffffffffffffff' });
    assert.equal(result.matches, false);
    assert.deepEqual(result.differences, [
      { kind: 'data', offsetBytes: 200, lengthBytes: 2, expectedHex: 'ffff', actualHex: '0001' },
      { kind: 'data', offsetBytes: 300, lengthBytes: 1, expectedHex: 'ff', actualHex: '7e' },
      { kind: 'lock', block: 5, expected: 0xff, actual: 0x00 },
      { kind: 'uid', expectedHex: '0123456789abcdef01234567', actualHex: 'ffffffffffffffffffffffff' },
    ]);
    assert.deepEqual(result.differences.map(describeDeviceReadDifference), [
      'OTP bytes at offset 200 (+2) differ: attested ffff, device 0001',
      'OTP bytes at offset 300 (+1) differ: attested ff, device 7e',
      'lock byte of block 5 is 0x00, attested 0xff',
      'chip UID is ffffffffffffffffffffffff, attested 0123456789abcdef01234567',
    ]);
  });

  void test('a changed secret byte is invisible without the salt and a mismatch with it, never printed', () => {
    const data = Uint8Array.from(device.rawData);
    data[70]! ^= 0x01;
    assert.equal(compareDeviceReadWithAttestation(attestation, data, device.lockBytes).matches, true);
    const checked = compareDeviceReadWithAttestation(attestation, data, device.lockBytes, {
      secretSalts: device.salts,
    });
    assert.equal(checked.matches, false);
    assert.deepEqual(checked.differences, [{ kind: 'secret-field', field: 'device_private_key' }]);
    const text = JSON.stringify(checked) + checked.differences.map(describeDeviceReadDifference).join();
    for (const hex of [...secretHexes, Buffer.from(data.subarray(64, 96)).toString('hex')])
      assert.ok(!text.includes(hex));
  });

  void test('lengths that differ are reported instead of compared', () => {
    const result = compareDeviceReadWithAttestation(attestation, device.rawData.subarray(0, 256), new Uint8Array(0), {
      secretSalts: device.salts,
    });
    assert.deepEqual(result.differences, [
      { kind: 'data-length', expectedBytes: 512, actualBytes: 256 },
      { kind: 'lock-length', expectedBytes: 16, actualBytes: 0 },
    ]);
    assert.deepEqual(
      result.secretFields.map((s) => s.status),
      ['not-checked', 'not-checked'],
    );
  });

  void test('refuses salts for unknown fields', () => {
    assert.throws(
      () =>
        compareDeviceReadWithAttestation(attestation, device.rawData, device.lockBytes, {
          secretSalts: { serial: new Uint8Array(32) },
        }),
      (e: unknown) => e instanceof AttestationError && e.code === 'ATTESTATION_INPUT_INVALID',
    );
  });

  void test('property: any single changed non-secret byte is found at its offset; secret bytes never appear', () => {
    const secretOffsets = new Set(
      device.secrets.flatMap((s) => Array.from({ length: s.lengthBytes }, (_, i) => s.offsetBytes + i)),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 511 }), fc.integer({ min: 1, max: 255 }), (offset, xor) => {
        const data = Uint8Array.from(device.rawData);
        data[offset]! ^= xor;
        const result = compareDeviceReadWithAttestation(attestation, data, device.lockBytes);
        if (secretOffsets.has(offset)) {
          assert.equal(result.matches, true);
        } else {
          assert.deepEqual(
            result.differences.map((d) => (d.kind === 'data' ? d.offsetBytes : -1)),
            [offset],
          );
        }
      }),
    );
  });
});
