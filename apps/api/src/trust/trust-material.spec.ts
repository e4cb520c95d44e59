import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DERIVATION_MASTER_POLICY,
  SECRET_SEAL_KEY_POLICY,
  SERVICE_KEYS,
  SERVICE_KEY_LABELS,
  SIGNING_PRIVATE_KEY_POLICY,
  SIGNING_PUBLIC_KEY_POLICY,
  type KeyObjectInfo,
  type ServiceKeySpec,
} from '#ingrain/crypto';
import { assertServiceKeys, type KeyInventoryHsm } from './trust-material.js';
import { TrustError } from './trust-error.js';

/** The objects a compliant ceremony leaves under a label (what listKeys reports). */
function compliantObjects(spec: ServiceKeySpec): KeyObjectInfo[] {
  const base = { label: spec.label, idHex: '00'.repeat(16) };
  switch (spec.kind) {
    case 'p256-signing':
      return [
        { ...base, objectClass: 'private-key', keyType: 'ec', curve: 'P-256', flags: SIGNING_PRIVATE_KEY_POLICY },
        { ...base, objectClass: 'public-key', keyType: 'ec', curve: 'P-256', flags: SIGNING_PUBLIC_KEY_POLICY },
      ];
    case 'hmac-master':
      return [
        {
          ...base,
          objectClass: 'secret-key',
          keyType: 'generic-secret',
          valueLengthBytes: 32,
          flags: DERIVATION_MASTER_POLICY,
        },
      ];
    case 'aes-seal':
      return [
        { ...base, objectClass: 'secret-key', keyType: 'aes', valueLengthBytes: 32, flags: SECRET_SEAL_KEY_POLICY },
      ];
  }
}

/** A token whose objects per label are the compliant ones, edited by `edit`. */
function token(edit: (label: string, objects: KeyObjectInfo[]) => KeyObjectInfo[] = (_l, o) => o): KeyInventoryHsm {
  const objects = new Map(SERVICE_KEYS.map((spec) => [spec.label, edit(spec.label, compliantObjects(spec))]));
  return {
    token: { label: 'unit-token', manufacturer: 'test', model: 'test', serialNumber: '1', slotIndex: 0 },
    listKeys: (label?: string) => Promise.resolve(objects.get(label ?? '') ?? []),
  };
}

const trustError =
  (code: string, ...fragments: string[]) =>
  (error: unknown) => {
    assert.ok(error instanceof TrustError);
    assert.equal(error.code, code);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `${error.message} lacks ${fragment}`);
    return true;
  };

void describe('assertServiceKeys', () => {
  void test('accepts a token holding exactly the inventory', async () => {
    await assertServiceKeys(token());
  });

  void test('names every missing key and says to run the ceremony', async () => {
    const hsm = token((label, objects) =>
      label === SERVICE_KEY_LABELS.log || label === SERVICE_KEY_LABELS.secretSeal ? [] : objects,
    );
    await assert.rejects(
      assertServiceKeys(hsm),
      trustError('TRUST_KEY_MISSING', "'ingrain-log'", "'ingrain-secret-seal'", 'ingrain-admin hsm init', 'unit-token'),
    );
  });

  void test('refuses a weak key or a broken label, never calling it missing', async () => {
    const extractable = token((label, objects) =>
      label === SERVICE_KEY_LABELS.derivationMaster
        ? objects.map((o) => ({ ...o, flags: { ...o.flags, extractable: true } }))
        : objects,
    );
    await assert.rejects(
      assertServiceKeys(extractable),
      trustError('TRUST_KEY_INVALID', "'ingrain-derivation-master'"),
    );
    const halfPair = token((label, objects) =>
      label === SERVICE_KEY_LABELS.attestation ? objects.slice(0, 1) : objects,
    );
    await assert.rejects(assertServiceKeys(halfPair), trustError('TRUST_KEY_INVALID', "'ingrain-attestation'"));
  });

  void test('a token with missing and broken keys reports both, as missing', async () => {
    const hsm = token((label, objects) => {
      if (label === SERVICE_KEY_LABELS.deviceCa) return [];
      return label === SERVICE_KEY_LABELS.log ? [...objects, ...objects] : objects;
    });
    await assert.rejects(
      assertServiceKeys(hsm),
      trustError('TRUST_KEY_MISSING', "'ingrain-device-ca'", "'ingrain-log'"),
    );
  });
});
