import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { sampleDeviceForTests } from '../testing/index.js';
import { buildAttestation } from './build.js';
import { canonicalAttestationBytes } from './canonical.js';
import { parseAttestation } from './checks.js';
import { commitSecretField, maskSecretFields } from './commitment.js';
import { AttestationError } from './errors.js';

const hasCode = (code: string) => (error: unknown) => error instanceof AttestationError && error.code === code;
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

void describe('buildAttestation', () => {
  const device = sampleDeviceForTests();

  void test('records exactly what the device holds, secrets masked and committed', () => {
    const attestation = buildAttestation(device.input);
    const masked = maskSecretFields(device.rawData, device.secrets);
    assert.deepEqual(attestation, {
      formatVersion: 1,
      deviceId: 'dev_0001',
      product: 'sensor-node',
      serial: 'SN-000123',
      layout: { name: 'sensor-node', version: 1, digestSha256: sha(Buffer.from('layout')) },
      chip: { family: 'stm32f4', productId: 0x413, uidHex: '0123456789abcdef01234567' },
      otp: {
        dataHex: Buffer.from(masked).toString('hex'),
        dataSha256: sha(masked),
        lockBytesHex: '00000000ffffffffffffffffffffffff',
        lockBytesSha256: sha(device.lockBytes),
        secretFields: device.secrets.map((s) => ({
          name: s.name,
          offsetBytes: s.offsetBytes,
          lengthBytes: s.lengthBytes,
          commitmentSha256: commitSecretField({ fieldName: s.name, salt: s.salt, value: s.value }),
        })),
      },
      deviceCertificateSha256: sha(Buffer.from('certificate')),
      stationId: 'station-01',
      jobId: 'job-42',
      workOrderId: 'WO-7',
      provisionedAt: '2030-03-04T05:06:07.089Z',
      attestedAt: '2030-03-04T05:06:08.000Z',
    });
    assert.deepEqual(
      parseAttestation(JSON.parse(Buffer.from(canonicalAttestationBytes(attestation)).toString())),
      attestation,
    );
  });

  void test('normalizes hex case, secret-field order and a missing work order', () => {
    const { workOrderId: _, ...input } = device.input;
    const attestation = buildAttestation({
      ...input,
      chip: { ...input.chip, uidHex: input.chip.uidHex.toUpperCase() },
      deviceCertificateSha256: input.deviceCertificateSha256.toUpperCase(),
      secretFields: [...input.secretFields].reverse(),
    });
    assert.equal(attestation.workOrderId, null);
    assert.equal(attestation.chip.uidHex, '0123456789abcdef01234567');
    assert.equal(attestation.deviceCertificateSha256, input.deviceCertificateSha256);
    assert.deepEqual(
      attestation.otp.secretFields.map((f) => f.offsetBytes),
      [64, 104],
    );
  });

  void test('refuses read-backs that still hold secret bytes, without echoing them', () => {
    const raw = { ...device.input, readBack: { data: device.rawData, lockBytes: device.lockBytes } };
    assert.throws(
      () => buildAttestation(raw),
      (error: unknown) => {
        assert.ok(hasCode('ATTESTATION_SECRET_BYTES_PRESENT')(error));
        const text = JSON.stringify({ message: (error as Error).message, issues: (error as AttestationError).issues });
        for (const secret of device.secrets) assert.ok(!text.includes(Buffer.from(secret.value).toString('hex')));
        assert.match((error as Error).message, /device_private_key, aes_key/);
        return true;
      },
    );
  });

  void test('refuses invalid input, naming the fields', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ serial: 'SN 1' }, 'serial'],
      [{ product: 'a:b' }, 'product'],
      [{ chip: { ...device.input.chip, productId: 1.5 } }, 'chip.productId'],
      [{ chip: { ...device.input.chip, uidHex: 'xyz' } }, 'chip.uidHex'],
      [{ provisionedAt: new Date(Number.NaN) }, 'provisionedAt'],
      [{ provisionedAt: '2030-01-01T00:00:00Z' }, 'provisionedAt'],
      [{ readBack: { data: new Uint8Array(0), lockBytes: new Uint8Array(0) } }, 'readBack.data'],
      [{ secretValue: 'do not take me' }, '(root)'],
      [{ deviceCertificateSha256: 'abc' }, 'deviceCertificateSha256'],
      [{ stationId: 'station 1' }, 'stationId'],
    ];
    for (const [change, path] of cases) {
      assert.throws(
        () => buildAttestation({ ...device.input, ...change }),
        (error: unknown) =>
          hasCode('ATTESTATION_INPUT_INVALID')(error) &&
          (error as AttestationError).issues.some((i) => i.path === path),
        path,
      );
    }
  });

  void test('refuses secret fields outside the data, overlapping, or duplicated', () => {
    const [a, b] = device.input.secretFields;
    const variants = [
      [{ ...a!, offsetBytes: 500 }, b!],
      [a!, { ...b!, offsetBytes: 90 }],
      [a!, { ...b!, name: a!.name }],
    ];
    for (const secretFields of variants) {
      assert.throws(() => buildAttestation({ ...device.input, secretFields }), hasCode('ATTESTATION_INPUT_INVALID'));
    }
  });

  void test('property: the serialized attestation never contains a secret value', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), (seed) => {
        const sample = sampleDeviceForTests(seed);
        const bytes = Buffer.from(canonicalAttestationBytes(buildAttestation(sample.input)));
        const text = bytes.toString('utf8');
        for (const secret of sample.secrets) {
          assert.ok(!text.toLowerCase().includes(Buffer.from(secret.value).toString('hex')));
          assert.ok(!text.includes(Buffer.from(secret.value).toString('base64')));
          assert.ok(!text.includes(Buffer.from(secret.salt).toString('hex')));
          assert.equal(bytes.indexOf(Buffer.from(secret.value)), -1);
        }
      }),
      { numRuns: 50 },
    );
  });
});

void describe('parseAttestation', () => {
  const attestation = buildAttestation(sampleDeviceForTests().input);

  void test('rejects inconsistent digests, unknown keys, other versions and unmasked secrets', () => {
    const tamperedData = attestation.otp.dataHex.replace(/^../, 'ee');
    const cases: [unknown, string][] = [
      [{ ...attestation, otp: { ...attestation.otp, dataHex: tamperedData } }, 'ATTESTATION_MALFORMED'],
      [
        { ...attestation, otp: { ...attestation.otp, lockBytesSha256: attestation.otp.dataSha256 } },
        'ATTESTATION_MALFORMED',
      ],
      [{ ...attestation, extra: true }, 'ATTESTATION_MALFORMED'],
      [{ ...attestation, formatVersion: 2 }, 'ATTESTATION_UNSUPPORTED_VERSION'],
      [{ ...attestation, formatVersion: '1' }, 'ATTESTATION_MALFORMED'],
      [[attestation], 'ATTESTATION_MALFORMED'],
      [{ ...attestation, provisionedAt: '2030-03-04T05:06:07Z' }, 'ATTESTATION_MALFORMED'],
      [{ ...attestation, provisionedAt: '2030-02-30T05:06:07.000Z' }, 'ATTESTATION_MALFORMED'],
      [
        { ...attestation, chip: { ...attestation.chip, uidHex: attestation.chip.uidHex.toUpperCase() } },
        'ATTESTATION_MALFORMED',
      ],
    ];
    for (const [value, code] of cases) assert.throws(() => parseAttestation(value), hasCode(code), code);
    const data = Buffer.from(attestation.otp.dataHex, 'hex');
    data[70] = 0x5a;
    const leaky = { ...attestation, otp: { ...attestation.otp, dataHex: data.toString('hex'), dataSha256: sha(data) } };
    assert.throws(() => parseAttestation(leaky), hasCode('ATTESTATION_SECRET_BYTES_PRESENT'));
    assert.throws(() => canonicalAttestationBytes(leaky), hasCode('ATTESTATION_SECRET_BYTES_PRESENT'));
  });
});
