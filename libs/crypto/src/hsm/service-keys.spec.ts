import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DERIVATION_MASTER_POLICY,
  SECRET_SEAL_KEY_POLICY,
  SERVICE_KEYS,
  SIGNING_PRIVATE_KEY_POLICY,
  SIGNING_PUBLIC_KEY_POLICY,
  type ServiceKeySpec,
} from './inventory.js';
import type { KeyObjectInfo } from './objects.js';
import { assessServiceKey } from './service-keys.js';

const signingSpec = SERVICE_KEYS.find((spec) => spec.kind === 'p256-signing') as ServiceKeySpec;
const masterSpec = SERVICE_KEYS.find((spec) => spec.kind === 'hmac-master') as ServiceKeySpec;
const sealSpec = SERVICE_KEYS.find((spec) => spec.kind === 'aes-seal') as ServiceKeySpec;

const ecKey = (objectClass: 'private-key' | 'public-key', flags = {}): KeyObjectInfo => ({
  objectClass,
  keyType: 'ec',
  label: signingSpec.label,
  idHex: '01',
  curve: 'P-256',
  flags: { ...(objectClass === 'private-key' ? SIGNING_PRIVATE_KEY_POLICY : SIGNING_PUBLIC_KEY_POLICY), ...flags },
});
const master = (overrides: Partial<KeyObjectInfo> = {}): KeyObjectInfo => ({
  objectClass: 'secret-key',
  keyType: 'generic-secret',
  label: masterSpec.label,
  idHex: '02',
  valueLengthBytes: 32,
  flags: DERIVATION_MASTER_POLICY,
  ...overrides,
});

void describe('assessServiceKey', () => {
  void test('accepts keys that match the inventory, in any order', () => {
    assert.deepEqual(assessServiceKey(signingSpec, [ecKey('public-key'), ecKey('private-key')]), { status: 'ok' });
    assert.deepEqual(assessServiceKey(masterSpec, [master()]), { status: 'ok' });
  });

  void test('reports a missing key', () => {
    assert.deepEqual(assessServiceKey(signingSpec, []), { status: 'missing' });
  });

  void test('reports duplicates, half pairs and foreign key types as conflicts', () => {
    const conflicts = [
      assessServiceKey(signingSpec, [ecKey('private-key'), ecKey('private-key'), ecKey('public-key')]),
      assessServiceKey(signingSpec, [ecKey('private-key')]),
      assessServiceKey(signingSpec, [master()]),
      assessServiceKey(signingSpec, [{ ...ecKey('private-key'), curve: 'other' }, ecKey('public-key')]),
      assessServiceKey(masterSpec, [master(), master()]),
      assessServiceKey(masterSpec, [master({ valueLengthBytes: 16 })]),
      assessServiceKey(masterSpec, [master({ keyType: 'other' })]),
    ];
    for (const assessment of conflicts) assert.equal(assessment.status, 'conflict', JSON.stringify(assessment));
  });

  void test('lists every attribute that departs from the policy, including unreported ones', () => {
    const { sensitive: _omitted, ...withoutSensitive } = SIGNING_PRIVATE_KEY_POLICY;
    const weak: KeyObjectInfo = {
      ...ecKey('private-key'),
      flags: { ...withoutSensitive, extractable: true, decrypt: true },
    };
    const assessment = assessServiceKey(signingSpec, [weak, ecKey('public-key', { encrypt: true })]);
    assert.equal(assessment.status, 'policy-violation');
    assert.ok('problems' in assessment);
    assert.deepEqual([...assessment.problems].sort(), [
      'private-key: CKA_DECRYPT is true, required false',
      'private-key: CKA_EXTRACTABLE is true, required false',
      'private-key: CKA_SENSITIVE is not reported, required true',
      'public-key: CKA_ENCRYPT is true, required false',
    ]);
  });

  void test('a master that may also verify or derive is a policy violation', () => {
    const assessment = assessServiceKey(masterSpec, [master({ flags: { ...DERIVATION_MASTER_POLICY, derive: true } })]);
    assert.equal(assessment.status, 'policy-violation');
  });

  void test('the seal key must be one 32-byte AES key that encrypts and decrypts, nothing else', () => {
    const seal = (overrides: Partial<KeyObjectInfo> = {}): KeyObjectInfo => ({
      objectClass: 'secret-key',
      keyType: 'aes',
      label: sealSpec.label,
      idHex: '03',
      valueLengthBytes: 32,
      flags: SECRET_SEAL_KEY_POLICY,
      ...overrides,
    });
    assert.equal(sealSpec.label, 'ingrain-secret-seal');
    assert.deepEqual(assessServiceKey(sealSpec, [seal()]), { status: 'ok' });
    assert.equal(assessServiceKey(sealSpec, [seal({ valueLengthBytes: 16 })]).status, 'conflict');
    assert.equal(assessServiceKey(sealSpec, [master()]).status, 'conflict');
    assert.equal(assessServiceKey(masterSpec, [seal()]).status, 'conflict');
    const wrapping = assessServiceKey(sealSpec, [seal({ flags: { ...SECRET_SEAL_KEY_POLICY, wrap: true } })]);
    assert.deepEqual(wrapping, {
      status: 'policy-violation',
      problems: ['secret-key: CKA_WRAP is true, required false'],
    });
  });
});
