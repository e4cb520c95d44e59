import { createHash } from 'node:crypto';
import { type AttestationInput, commitSecretField, maskSecretFields } from '../attestation/index.js';

/** A secret field of the sample device with its value and commitment salt (test data only). */
export interface SampleSecretForTests {
  readonly name: string;
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  readonly value: Uint8Array;
  readonly salt: Uint8Array;
}

/** A provisioned STM32F4 as a test sees it: raw OTP (secrets included), lock bytes, and the input for buildAttestation. */
export interface SampleDeviceForTests {
  /** What the device really holds, secret bytes included. */
  readonly rawData: Uint8Array;
  readonly lockBytes: Uint8Array;
  readonly secrets: readonly SampleSecretForTests[];
  /** Commitment salts by field name (what an auditor is handed to check the secrets). */
  readonly salts: Readonly<Record<string, Uint8Array>>;
  readonly input: AttestationInput;
}

const F4_OTP_BYTES = 512; // 16 blocks × 32 bytes (docs/hardware.md §otp-f2-f4)
const F4_LOCK_BYTES = 16;

function deterministicBytes(label: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let offset = 0, counter = 0; offset < length; counter++) {
    const block = createHash('sha256').update(`${label}/${counter}`).digest();
    out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    offset += 32;
  }
  return out;
}

/**
 * TEST DATA: a deterministic F4 device: serial in block 0, public-key hash in block 1, a 32-byte
 * private key (secret) in block 2, a 16-byte derived secret in block 3 at offset 8; blocks 0–3
 * locked. `seed` varies the secret values and salts.
 */
export function sampleDeviceForTests(seed = 'sample'): SampleDeviceForTests {
  const rawData = new Uint8Array(F4_OTP_BYTES).fill(0xff);
  rawData.set(Buffer.from('SN-000123'.padEnd(16, '\0'), 'latin1'), 0);
  rawData.set(deterministicBytes(`${seed}/pubkey-hash`, 32), 32);
  const secrets: SampleSecretForTests[] = [
    {
      name: 'device_private_key',
      offsetBytes: 64,
      lengthBytes: 32,
      value: deterministicBytes(`${seed}/private-key`, 32),
      salt: deterministicBytes(`${seed}/salt-1`, 32),
    },
    {
      name: 'aes_key',
      offsetBytes: 104,
      lengthBytes: 16,
      value: deterministicBytes(`${seed}/aes`, 16),
      salt: deterministicBytes(`${seed}/salt-2`, 32),
    },
  ];
  for (const secret of secrets) rawData.set(secret.value, secret.offsetBytes);
  const lockBytes = new Uint8Array(F4_LOCK_BYTES).fill(0xff).fill(0x00, 0, 4);
  const input: AttestationInput = {
    deviceId: 'dev_0001',
    product: 'sensor-node',
    serial: 'SN-000123',
    layout: { name: 'sensor-node', version: 1, digestSha256: createHash('sha256').update('layout').digest('hex') },
    chip: { family: 'stm32f4', productId: 0x413, uidHex: '0123456789abcdef01234567' },
    readBack: { data: maskSecretFields(rawData, secrets), lockBytes },
    secretFields: secrets.map((s) => ({
      name: s.name,
      offsetBytes: s.offsetBytes,
      lengthBytes: s.lengthBytes,
      commitmentSha256: commitSecretField({ fieldName: s.name, salt: s.salt, value: s.value }),
    })),
    deviceCertificateSha256: createHash('sha256').update('certificate').digest('hex'),
    stationId: 'station-01',
    jobId: 'job-42',
    workOrderId: 'WO-7',
    provisionedAt: new Date('2030-03-04T05:06:07.089Z'),
    attestedAt: new Date('2030-03-04T05:06:08.000Z'),
  };
  return { rawData, lockBytes, secrets, salts: Object.fromEntries(secrets.map((s) => [s.name, s.salt])), input };
}
