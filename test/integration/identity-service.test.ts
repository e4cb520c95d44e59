// Device identity issuance and claim-time re-materialization against a real SoftHSM token with the
// real service keys: certificates that verify under the HSM-signed CA, generated fields recomputed
// here independently, zeroed storage, commitments, sealed secrets, and refusal of tampered records.
import assert from 'node:assert/strict';
import { createECDH, createHash, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  Hsm,
  SERVICE_KEY_LABELS,
  commitSecretField,
  createCaCertificate,
  ensureServiceKeys,
  loadHsmConfig,
  pooledRandomSource,
  prepareDeviceCertificateIssuer,
  verifyDeviceCertificateChain,
} from '#ingrain/crypto';
import { parseLayout, validateLayout, type Layout, type OtpImage } from '#ingrain/otp';
import { AppError } from '../../apps/api/src/errors/app-error.js';
import { IdentityService, type IssuedIdentity } from '../../apps/api/src/identity/identity.service.js';
import type { StoredIdentity } from '../../apps/api/src/identity/rematerialize.js';
import { decodeSealedSecrets, sealedSecretsAad } from '../../apps/api/src/identity/sealed-secrets.js';
import { REPO_ROOT } from '../../testkit/paths.js';
import { createTestToken, type TestToken } from '../../testkit/softhsm.js';

let token: TestToken;
let hsm: Hsm;
let identities: IdentityService;
let caPem: string;
let gateway: Layout;
let sensor: Layout;
let gatewayInputs: Record<string, unknown>;
let sensorInputs: Record<string, unknown>;

const NOW = new Date('2030-03-04T05:06:07Z');
const MASTER = SERVICE_KEY_LABELS.derivationMaster;

before(async () => {
  token = await createTestToken();
  hsm = await Hsm.open(loadHsmConfig(token.env));
  await ensureServiceKeys(hsm);
  const caSigner = await hsm.findSigner(SERVICE_KEY_LABELS.deviceCa);
  caPem = (
    await createCaCertificate({
      signer: caSigner,
      subjectCommonName: 'Test Device CA',
      validityDays: 3650,
      notBefore: new Date('2030-01-01T00:00:00Z'),
    })
  ).pem;
  identities = new IdentityService({
    hsm,
    issuer: prepareDeviceCertificateIssuer(caSigner, caPem),
    random: pooledRandomSource(),
    clock: () => NOW,
  });
  const read = (path: string) => readFile(join(REPO_ROOT, path), 'utf8');
  gateway = parseLayout(await read('examples/layouts/gateway-f7.yaml'));
  sensor = parseLayout(await read('examples/layouts/sensor-node.yaml'));
  // The serial field is written from the request's serial (identity-fields.ts): not an input here.
  gatewayInputs = withoutSerial(JSON.parse(await read('examples/values/gateway-f7.json')) as Record<string, unknown>);
  sensorInputs = withoutSerial(JSON.parse(await read('examples/values/sensor-node.json')) as Record<string, unknown>);
});

after(async () => {
  await hsm?.close();
  await token?.cleanup();
});

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function bytesOf(image: OtpImage, layout: Layout, name: string): Buffer {
  const field = layout.fields.find((candidate) => candidate.name === name);
  assert.ok(field, name);
  return Buffer.from(image.data.subarray(field.otpOffsetBytes, field.otpOffsetBytes + field.sizeBytes));
}

/** The uncompressed point of an SPKI, through node:crypto (independent of the library's SPKI code). */
function pointOf(spkiDer: Uint8Array): Buffer {
  const jwk = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  return Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
}

function stored(identity: IssuedIdentity, product: string, serial: string): StoredIdentity {
  return {
    product,
    serial,
    imageData: identity.storedImage.data,
    lockedBlocks: identity.storedImage.lockedBlocks,
    secretFields: identity.secretFields,
    sealedSecrets: identity.sealedSecrets,
  };
}

async function salt(product: string, serial: string, field: string): Promise<Uint8Array> {
  return hsm.deriveDeviceSecret(MASTER, { product, serial, purpose: `attestation-salt/${field}` }, 32);
}

void describe('IdentityService.issue', () => {
  void test('gateway-f7: certificate under the CA, public-key hash, private key sealed with the secret input', async () => {
    const identity = await identities.issue({
      product: 'gateway-f7',
      serial: 'GW7-000042',
      layout: gateway,
      inputs: gatewayInputs,
    });

    // The certificate is issued at claim (chip-bound): certify() with the key made here.
    const certificate = await identities.certify({
      product: 'gateway-f7',
      serial: 'GW7-000042',
      publicKeySpkiDer: identity.publicKeySpkiDer,
      chipUidHex: '0123456789abcdef01234567',
    });
    const facts = verifyDeviceCertificateChain(certificate.pem, caPem, { at: NOW });
    assert.equal(facts.product, 'gateway-f7');
    assert.equal(facts.serial, 'GW7-000042');
    assert.equal(facts.chipUidHex, '0123456789abcdef01234567');
    assert.equal(facts.chipBound, true);
    assert.deepEqual(Buffer.from(facts.publicKeySpkiDer), Buffer.from(identity.publicKeySpkiDer));
    assert.equal(certificate.fingerprintSha256, createHash('sha256').update(certificate.der).digest('hex'));

    const point = pointOf(identity.publicKeySpkiDer);
    assert.deepEqual(Buffer.from(identity.publicKeyPoint), point);
    assert.deepEqual(bytesOf(identity.image, gateway, 'pubkey_hash'), createHash('sha256').update(point).digest());

    // The private key in the full image is the certificate's key.
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(bytesOf(identity.image, gateway, 'device_key'));
    assert.deepEqual(ecdh.getPublicKey(), point);
    assert.equal(bytesOf(identity.image, gateway, 'support_pin').toString('latin1').replace(/\0+$/, ''), '7Q4K29XP');

    // Stored image: secret bytes zeroed, everything else identical.
    for (const field of identity.secretFields) {
      const range = [field.offsetBytes, field.offsetBytes + field.lengthBytes] as const;
      assert.ok(
        identity.storedImage.data.subarray(...range).every((byte) => byte === 0),
        field.name,
      );
      assert.ok(
        identity.image.data.subarray(...range).some((byte) => byte !== 0),
        field.name,
      );
      identity.storedImage.data.subarray(...range).set(identity.image.data.subarray(...range));
    }
    assert.deepEqual(identity.storedImage.data, identity.image.data);
    assert.deepEqual(identity.image.lockedBlocks, [0, 1, 2, 3, 4]);
  });

  void test('gateway-f7: commitments open with the documented salts; the sealed blob holds exactly the non-derivable secrets', async () => {
    const serial = 'GW7-000043';
    const identity = await identities.issue({ product: 'gateway-f7', serial, layout: gateway, inputs: gatewayInputs });
    assert.deepEqual(
      identity.secretFields.map(({ name, offsetBytes, lengthBytes }) => [name, offsetBytes, lengthBytes]),
      [
        ['device_key', 192, 32],
        ['support_pin', 272, 8],
      ],
    );
    for (const field of identity.secretFields) {
      const value = bytesOf(identity.image, gateway, field.name);
      const expected = commitSecretField({
        fieldName: field.name,
        salt: await salt('gateway-f7', serial, field.name),
        value,
      });
      assert.equal(field.commitmentSha256, expected, field.name);
    }
    assert.ok(identity.sealedSecrets !== null);
    const opened = await hsm.unseal(
      SERVICE_KEY_LABELS.secretSeal,
      identity.sealedSecrets,
      sealedSecretsAad('gateway-f7', serial),
    );
    const secrets = decodeSealedSecrets(opened);
    assert.deepEqual(
      secrets.map((secret) => [secret.name, hex(secret.value)]),
      [
        ['device_key', hex(bytesOf(identity.image, gateway, 'device_key'))],
        ['support_pin', hex(bytesOf(identity.image, gateway, 'support_pin'))],
      ],
    );
    await assert.rejects(
      hsm.unseal(SERVICE_KEY_LABELS.secretSeal, identity.sealedSecrets, sealedSecretsAad('gateway-f7', 'GW7-000044')),
      { code: 'HSM_UNSEAL_FAILED' },
    );
  });

  void test('sensor-node: derived secret from the HSM master, no private key exported, nothing sealed', async () => {
    const serial = 'SN-2406-000123';
    const identity = await identities.issue({ product: 'sensor-node', serial, layout: sensor, inputs: sensorInputs });
    const derived = await hsm.deriveDeviceSecret(
      MASTER,
      { product: 'sensor-node', serial, purpose: 'pairing_key' },
      16,
    );
    assert.deepEqual(bytesOf(identity.image, sensor, 'pairing_key'), Buffer.from(derived));
    assert.equal(identity.sealedSecrets, null);
    assert.deepEqual(
      identity.secretFields.map((field) => field.name),
      ['pairing_key'],
    );
    assert.ok(bytesOf({ ...identity.storedImage }, sensor, 'pairing_key').every((byte) => byte === 0));
    const pubkeyHash = createHash('sha256').update(pointOf(identity.publicKeySpkiDer)).digest();
    assert.deepEqual(bytesOf(identity.image, sensor, 'pubkey_hash'), pubkeyHash);
  });

  void test('a layout with the full public key writes the certificate’s point', async () => {
    const layout = validateLayout({
      name: 'point-test',
      version: 1,
      family: 'stm32f4',
      fields: [
        {
          name: 'pubkey',
          block: 0,
          offset: 0,
          type: 'bytes',
          length: 65,
          source: 'generated',
          generator: 'device-public-key',
        },
      ],
      lock: [0, 1, 2],
    });
    const identity = await identities.issue({ product: 'point-test', serial: 'PT-1', layout, inputs: {} });
    assert.deepEqual(bytesOf(identity.image, layout, 'pubkey'), pointOf(identity.publicKeySpkiDer));
    assert.deepEqual(identity.secretFields, []);
  });

  void test('issues distinct identities concurrently', async () => {
    const serials = Array.from({ length: 12 }, (_, i) => `SN-CONC-${i}`);
    const issued = await Promise.all(
      serials.map((serial) =>
        identities.issue({ product: 'sensor-node', serial, layout: sensor, inputs: sensorInputs }),
      ),
    );
    assert.equal(new Set(issued.map((identity) => hex(identity.publicKeySpkiDer))).size, serials.length);
    assert.equal(
      new Set(issued.map((identity) => hex(bytesOf(identity.image, sensor, 'pairing_key')))).size,
      serials.length,
    );
    const certificates = await Promise.all(
      issued.map((identity, i) =>
        identities.certify({
          product: 'sensor-node',
          serial: serials[i]!,
          publicKeySpkiDer: identity.publicKeySpkiDer,
          chipUidHex: (0x1000 + i).toString(16).padStart(24, '0'),
        }),
      ),
    );
    assert.equal(new Set(certificates.map((certificate) => certificate.serialNumberHex)).size, serials.length);
    certificates.forEach((certificate, i) =>
      assert.equal(verifyDeviceCertificateChain(certificate.pem, caPem, { at: NOW }).serial, serials[i]),
    );
  });

  void test('refuses bad requests before any key is made or signed', async () => {
    await assert.rejects(
      identities.issue({
        product: 'sensor-node',
        serial: 'SN-1',
        layout: sensor,
        inputs: { ...sensorInputs, pubkey_hash: '00'.repeat(32) },
      }),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'IDENTITY_INPUT_INVALID' &&
        error.errors[0]?.path === 'body.inputs.pubkey_hash',
    );
    const { gain: _omitted, ...missingGain } = sensorInputs;
    await assert.rejects(
      identities.issue({ product: 'sensor-node', serial: 'SN-1', layout: sensor, inputs: missingGain }),
      {
        code: 'VALUES_INVALID',
      },
    );
    await assert.rejects(
      identities.issue({ product: 'sensor-node', serial: 'bad serial', layout: sensor, inputs: sensorInputs }),
      {
        code: 'SERIAL_INVALID',
      },
    );
    await assert.rejects(
      identities.issue({
        product: 'sensor-node',
        serial: 'SN-1',
        layout: sensor,
        inputs: { ...sensorInputs, serial: 'SN-2' },
      }),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'IDENTITY_FIELDS_DISAGREE' &&
        error.errors.map((issue) => issue.path).join() === 'body.serial,body.inputs.serial',
    );
    const pin = '7Q4K29XP';
    await assert.rejects(
      identities.issue({
        product: 'gateway-f7',
        serial: 'GW7-1',
        layout: gateway,
        inputs: { ...gatewayInputs, support_pin: `${pin}TOO-LONG` },
      }),
      (error: unknown) =>
        (error as { code?: string }).code === 'VALUES_INVALID' && !(error as Error).message.includes(pin),
    );
  });
});

void describe('IdentityService.rematerialize', () => {
  void test('restores the full image from the stored one (re-derived and unsealed secrets)', async () => {
    for (const [product, serial, layout, inputs] of [
      ['gateway-f7', 'GW7-000100', gateway, gatewayInputs],
      ['sensor-node', 'SN-000100', sensor, sensorInputs],
    ] as const) {
      const identity = await identities.issue({ product, serial, layout, inputs });
      const image = await identities.rematerialize(stored(identity, product, serial), layout);
      assert.deepEqual(image.data, identity.image.data, product);
      assert.deepEqual(image.lockedBlocks, identity.image.lockedBlocks);
      assert.equal(image.family, layout.family);
    }
  });

  void test('refuses a tampered, swapped, erased or inconsistent record', async () => {
    const serial = 'GW7-000200';
    const identity = await identities.issue({ product: 'gateway-f7', serial, layout: gateway, inputs: gatewayInputs });
    const record = stored(identity, 'gateway-f7', serial);
    const other = await identities.issue({
      product: 'gateway-f7',
      serial: 'GW7-000201',
      layout: gateway,
      inputs: gatewayInputs,
    });

    const tampered = Uint8Array.from(record.sealedSecrets!);
    tampered[20]! ^= 1;
    await assert.rejects(identities.rematerialize({ ...record, sealedSecrets: tampered }, gateway), {
      code: 'HSM_UNSEAL_FAILED',
    });
    await assert.rejects(identities.rematerialize({ ...record, sealedSecrets: other.sealedSecrets }, gateway), {
      code: 'HSM_UNSEAL_FAILED',
    });
    await assert.rejects(identities.rematerialize({ ...record, sealedSecrets: null }, gateway), {
      code: 'IDENTITY_RECORD_INVALID',
    });
    const wrongCommitment = record.secretFields.map((field, i) =>
      i === 1 ? { ...field, commitmentSha256: '00'.repeat(32) } : field,
    );
    await assert.rejects(identities.rematerialize({ ...record, secretFields: wrongCommitment }, gateway), {
      code: 'IDENTITY_SECRET_MISMATCH',
    });
    const leaked = Uint8Array.from(record.imageData);
    leaked[192] = 1;
    await assert.rejects(identities.rematerialize({ ...record, imageData: leaked }, gateway), {
      code: 'IDENTITY_RECORD_INVALID',
    });
    await assert.rejects(identities.rematerialize(record, sensor), { code: 'IDENTITY_RECORD_INVALID' });
  });

  void test('a derived secret that no longer matches its commitment is refused (another serial derives another secret)', async () => {
    const identity = await identities.issue({
      product: 'sensor-node',
      serial: 'SN-000300',
      layout: sensor,
      inputs: sensorInputs,
    });
    await assert.rejects(identities.rematerialize(stored(identity, 'sensor-node', 'SN-000301'), sensor), {
      code: 'IDENTITY_SECRET_MISMATCH',
    });
  });
});

function withoutSerial(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => name !== 'serial'));
}
