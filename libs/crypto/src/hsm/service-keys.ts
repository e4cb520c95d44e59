import { createHash } from 'node:crypto';
import { HsmError } from './errors.js';
import type { Hsm } from './hsm.js';
import {
  DERIVATION_MASTER_LENGTH_BYTES,
  DERIVATION_MASTER_POLICY,
  SECRET_SEAL_KEY_LENGTH_BYTES,
  SECRET_SEAL_KEY_POLICY,
  SERVICE_KEYS,
  SIGNING_PRIVATE_KEY_POLICY,
  SIGNING_PUBLIC_KEY_POLICY,
  policyViolations,
  type ServiceKeySpec,
} from './inventory.js';
import type { KeyObjectInfo } from './objects.js';

/** How the objects under a service key's label compare with the inventory. */
export type ServiceKeyAssessment =
  | { readonly status: 'ok' }
  | { readonly status: 'missing' }
  /** The label holds something else: duplicates, half a pair, another key type. */
  | { readonly status: 'conflict'; readonly problems: readonly string[] }
  /** The key exists but with weaker (or otherwise different) attributes than the inventory's. */
  | { readonly status: 'policy-violation'; readonly problems: readonly string[] };

/** A service key after {@link ensureServiceKeys}. */
export interface ServiceKeyState {
  readonly spec: ServiceKeySpec;
  /** True when this call generated the key. */
  readonly created: boolean;
  /** `sha256:<hex>` of the SPKI DER for signing keys; `kcv:<hex>` (key check value) for secret keys. */
  readonly fingerprint: string;
  /** DER SPKI, for signing keys. */
  readonly publicKeySpkiDer?: Uint8Array;
}

/**
 * Compares the objects found under `spec.label` with the inventory: shape (which objects, key
 * type, curve, length) first, then every attribute of the policy. Pure.
 */
export function assessServiceKey(spec: ServiceKeySpec, keys: readonly KeyObjectInfo[]): ServiceKeyAssessment {
  if (keys.length === 0) return { status: 'missing' };
  const expected = spec.kind === 'p256-signing' ? ['private-key', 'public-key'] : ['secret-key'];
  const found = keys.map((key) => key.objectClass).sort();
  if (found.join() !== expected.join()) {
    return { status: 'conflict', problems: [`label holds ${found.join(' + ')}, expected ${expected.join(' + ')}`] };
  }
  const shapeProblems = keys.flatMap((key) => shapeProblemsOf(spec, key));
  if (shapeProblems.length > 0) return { status: 'conflict', problems: shapeProblems };
  const problems = keys.flatMap((key) =>
    policyViolations(key, policyFor(spec, key)).map((violation) => `${key.objectClass}: ${violation}`),
  );
  return problems.length > 0 ? { status: 'policy-violation', problems } : { status: 'ok' };
}

// What a secret service key must be: its key type (as KeyObjectInfo names it) and length.
const SECRET_KEY_SHAPES = {
  'hmac-master': { keyType: 'generic-secret', what: 'a generic secret', lengthBytes: DERIVATION_MASTER_LENGTH_BYTES },
  'aes-seal': { keyType: 'aes', what: 'an AES key', lengthBytes: SECRET_SEAL_KEY_LENGTH_BYTES },
} as const;

function shapeProblemsOf(spec: ServiceKeySpec, key: KeyObjectInfo): string[] {
  if (spec.kind === 'p256-signing') {
    return key.keyType === 'ec' && key.curve === 'P-256' ? [] : [`${key.objectClass} is not a P-256 EC key`];
  }
  const shape = SECRET_KEY_SHAPES[spec.kind];
  if (key.keyType !== shape.keyType) return [`${key.objectClass} is not ${shape.what}`];
  if (key.valueLengthBytes !== shape.lengthBytes) {
    return [`secret is ${String(key.valueLengthBytes)} bytes, expected ${shape.lengthBytes}`];
  }
  return [];
}

function policyFor(spec: ServiceKeySpec, key: KeyObjectInfo) {
  if (spec.kind === 'hmac-master') return DERIVATION_MASTER_POLICY;
  if (spec.kind === 'aes-seal') return SECRET_SEAL_KEY_POLICY;
  return key.objectClass === 'private-key' ? SIGNING_PRIVATE_KEY_POLICY : SIGNING_PUBLIC_KEY_POLICY;
}

/**
 * Finds or creates every key of the inventory (idempotent: a label that already holds a compliant
 * key is left alone, never duplicated), then re-reads each key and checks it against the policy,
 * so a token that silently ignored an attribute is caught too.
 *
 * @throws HsmError `HSM_KEY_CONFLICT` when a label holds something else (duplicates, half a key
 *   pair, another key type); `HSM_KEY_POLICY_VIOLATION` when a key's attributes differ from the
 *   inventory (e.g. extractable): such a key is never used or replaced automatically.
 */
export async function ensureServiceKeys(hsm: Hsm): Promise<ServiceKeyState[]> {
  const states: ServiceKeyState[] = [];
  for (const spec of SERVICE_KEYS) {
    let assessment = assessServiceKey(spec, await hsm.listKeys(spec.label));
    const created = assessment.status === 'missing';
    if (created) {
      await createServiceKey(hsm, spec);
      assessment = assessServiceKey(spec, await hsm.listKeys(spec.label));
    }
    assertAcceptable(spec, assessment);
    states.push({ spec, created, ...(await fingerprintOf(hsm, spec)) });
  }
  return states;
}

/** What `hsm status` shows: each inventory key's assessment, without creating anything. */
export async function inspectServiceKeys(
  hsm: Hsm,
): Promise<{ spec: ServiceKeySpec; assessment: ServiceKeyAssessment; fingerprint?: string }[]> {
  const report = [];
  for (const spec of SERVICE_KEYS) {
    const assessment = assessServiceKey(spec, await hsm.listKeys(spec.label));
    const fingerprint = assessment.status === 'ok' ? (await fingerprintOf(hsm, spec)).fingerprint : undefined;
    report.push({ spec, assessment, ...(fingerprint === undefined ? {} : { fingerprint }) });
  }
  return report;
}

async function createServiceKey(hsm: Hsm, spec: ServiceKeySpec): Promise<void> {
  switch (spec.kind) {
    case 'p256-signing':
      return hsm.generateTokenKeyPair(spec.label, {
        privateKey: SIGNING_PRIVATE_KEY_POLICY,
        publicKey: SIGNING_PUBLIC_KEY_POLICY,
      });
    case 'hmac-master':
      return hsm.generateTokenSecretKey(spec.label, DERIVATION_MASTER_LENGTH_BYTES, DERIVATION_MASTER_POLICY);
    case 'aes-seal':
      return hsm.generateTokenAesKey(spec.label, SECRET_SEAL_KEY_LENGTH_BYTES, SECRET_SEAL_KEY_POLICY);
  }
}

function assertAcceptable(spec: ServiceKeySpec, assessment: ServiceKeyAssessment): void {
  switch (assessment.status) {
    case 'ok':
      return;
    case 'missing':
      throw new HsmError('HSM_KEY_NOT_FOUND', `'${spec.label}' is missing right after its creation`);
    case 'conflict':
      throw new HsmError('HSM_KEY_CONFLICT', `'${spec.label}': ${assessment.problems.join('; ')}`);
    case 'policy-violation':
      throw new HsmError('HSM_KEY_POLICY_VIOLATION', `'${spec.label}': ${assessment.problems.join('; ')}`);
  }
}

async function fingerprintOf(
  hsm: Hsm,
  spec: ServiceKeySpec,
): Promise<{ fingerprint: string; publicKeySpkiDer?: Uint8Array }> {
  if (spec.kind === 'hmac-master') return { fingerprint: `kcv:${await hsm.keyCheckValue(spec.label)}` };
  if (spec.kind === 'aes-seal') return { fingerprint: `kcv:${await hsm.sealKeyCheckValue(spec.label)}` };
  const { publicKeySpkiDer } = await hsm.findSigner(spec.label);
  return { fingerprint: `sha256:${createHash('sha256').update(publicKeySpkiDer).digest('hex')}`, publicKeySpkiDer };
}
