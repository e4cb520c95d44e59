import { createHash, verify } from 'node:crypto';
import { HsmError, returnValueName } from './errors.js';
import { spkiFromP256Point } from './ec.js';
import { pkcs11, type Handle, type Pkcs11 } from './pkcs11.js';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  destroyQuietly,
  generateAesKey,
  generateGenericSecret,
  generateP256KeyPair,
  hmacSha256,
  readP256Point,
  signDigestEcdsa,
} from './primitives.js';
import type { SessionPool } from './session-pool.js';

/** One line of a capability probe. */
export interface CapabilityCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Result of {@link probeCapabilities}: `missing` names every failed check. */
export interface ProbeReport {
  readonly ok: boolean;
  readonly checks: readonly CapabilityCheck[];
  readonly missing: readonly string[];
}

/** Options of the probe. */
export interface ProbeOptions {
  /** Further mechanisms (by `CKM_…` name) that must be listed, beyond the ones Ingrain needs. */
  readonly extraMechanisms?: readonly string[];
}

interface MechanismRequirement {
  readonly name: string;
  readonly flag: number;
  readonly flagName: string;
  /** Key size that must lie in the reported range, in the mechanism's unit: EC mechanisms report bits… */
  readonly keySizeBits?: number;
  /** …AES mechanisms report bytes (PKCS#11 v2.40 §2.10.1 CK_MECHANISM_INFO for AES). */
  readonly keySizeBytes?: number;
}

// The mechanisms Ingrain uses (docs/hsm.md, "Capability probe").
const REQUIRED_MECHANISMS: readonly MechanismRequirement[] = [
  {
    name: 'CKM_EC_KEY_PAIR_GEN',
    flag: pkcs11.CKF_GENERATE_KEY_PAIR,
    flagName: 'CKF_GENERATE_KEY_PAIR',
    keySizeBits: 256,
  },
  { name: 'CKM_ECDSA', flag: pkcs11.CKF_SIGN, flagName: 'CKF_SIGN', keySizeBits: 256 },
  { name: 'CKM_SHA256_HMAC', flag: pkcs11.CKF_SIGN, flagName: 'CKF_SIGN' },
  { name: 'CKM_GENERIC_SECRET_KEY_GEN', flag: pkcs11.CKF_GENERATE, flagName: 'CKF_GENERATE' },
  { name: 'CKM_AES_KEY_GEN', flag: pkcs11.CKF_GENERATE, flagName: 'CKF_GENERATE', keySizeBytes: 32 },
  {
    name: 'CKM_AES_GCM',
    flag: pkcs11.CKF_ENCRYPT | pkcs11.CKF_DECRYPT,
    flagName: 'CKF_ENCRYPT and CKF_DECRYPT',
    keySizeBytes: 32,
  },
];

/** A functional check and the mechanisms it needs (it runs only when they all pass). */
interface FunctionalCheck {
  readonly needs: readonly string[];
  readonly run: (module: Pkcs11, session: Handle) => Promise<CapabilityCheck>;
}

const FUNCTIONAL_CHECKS: readonly FunctionalCheck[] = [
  { needs: ['CKM_EC_KEY_PAIR_GEN', 'CKM_ECDSA'], run: checkP256Signing },
  { needs: ['CKM_SHA256_HMAC', 'CKM_GENERIC_SECRET_KEY_GEN'], run: checkHmac },
  { needs: ['CKM_AES_KEY_GEN', 'CKM_AES_GCM'], run: checkAesGcm },
];

/**
 * Checks that the token offers what Ingrain needs: the mechanisms (listed, with the right
 * capability flag, 256-bit EC and AES keys in range), then, for real, a P-256 key pair made as
 * session objects that signs a digest node:crypto verifies, an HMAC-SHA256 with a generated
 * generic secret, and an AES-256-GCM round trip that refuses an altered ciphertext. Test objects
 * are session objects, destroyed afterwards. Never throws for a missing capability: it reports it
 * (see {@link assertCapabilities}).
 *
 * @throws HsmError `HSM_INVALID_ARGUMENT` for an unknown mechanism name in `extraMechanisms`.
 */
export async function probeCapabilities(
  module: Pkcs11,
  slot: Handle,
  pool: SessionPool,
  options: ProbeOptions = {},
): Promise<ProbeReport> {
  const extra = (options.extraMechanisms ?? []).map((name) => ({ name, flag: 0, flagName: '' }));
  const listed = new Set(module.C_GetMechanismList(slot));
  const mechanismChecks = [...REQUIRED_MECHANISMS, ...extra].map((requirement) =>
    checkMechanism(module, slot, listed, requirement),
  );
  const checks = [...mechanismChecks];
  const passed = new Set(mechanismChecks.filter((check) => check.ok).map((check) => check.name));
  for (const functional of FUNCTIONAL_CHECKS) {
    if (functional.needs.every((name) => passed.has(name))) {
      checks.push(await pool.use((session) => functional.run(module, session)));
    }
  }
  const missing = checks.filter((check) => !check.ok).map((check) => check.name);
  return { ok: missing.length === 0, checks, missing };
}

/** @throws HsmError `HSM_CAPABILITY_MISSING` naming every failed check, when the report is not ok. */
export function assertCapabilities(report: ProbeReport): void {
  if (report.ok) return;
  const details = report.checks
    .filter((check) => !check.ok)
    .map((check) => `${check.name}: ${check.detail}`)
    .join('; ');
  throw new HsmError('HSM_CAPABILITY_MISSING', `the token lacks what Ingrain needs: ${details}`);
}

function mechanismType(name: string): number {
  const value = (pkcs11 as unknown as Record<string, unknown>)[name];
  if (!name.startsWith('CKM_') || typeof value !== 'number') {
    throw new HsmError('HSM_INVALID_ARGUMENT', `unknown mechanism name '${name}'`);
  }
  return value;
}

function checkMechanism(
  module: Pkcs11,
  slot: Handle,
  listed: ReadonlySet<number>,
  requirement: MechanismRequirement,
): CapabilityCheck {
  const { name } = requirement;
  const type = mechanismType(name);
  if (!listed.has(type)) return { name, ok: false, detail: 'not in the mechanism list' };
  const info = module.C_GetMechanismInfo(slot, type);
  if ((info.flags & requirement.flag) !== requirement.flag) {
    return { name, ok: false, detail: `listed without ${requirement.flagName}` };
  }
  const size = requirement.keySizeBits ?? requirement.keySizeBytes;
  // A module reporting 0..0 states no range; the functional checks below settle it.
  const stated = info.maxKeySize > 0;
  if (size !== undefined && stated && (size < info.minKeySize || size > info.maxKeySize)) {
    return { name, ok: false, detail: `key sizes ${info.minKeySize}..${info.maxKeySize} exclude ${size}` };
  }
  return { name, ok: true, detail: `key sizes ${info.minKeySize}..${info.maxKeySize}` };
}

async function checkP256Signing(module: Pkcs11, session: Handle): Promise<CapabilityCheck> {
  const name = 'P-256 ECDSA';
  let handles: Handle[] = [];
  try {
    const flags = { privateKey: { token: false, sign: true }, publicKey: { token: false, verify: true } };
    const keys = await generateP256KeyPair(module, session, {}, flags);
    handles = [keys.privateKey, keys.publicKey];
    const spki = spkiFromP256Point(readP256Point(module, session, keys.publicKey));
    const message = Buffer.from('ingrain capability probe');
    const digest = createHash('sha256').update(message).digest();
    const signature = await signDigestEcdsa(module, session, keys.privateKey, digest);
    const key = { key: Buffer.from(spki), format: 'der', type: 'spki', dsaEncoding: 'ieee-p1363' } as const;
    const valid = verify('sha256', message, key, signature);
    return { name, ok: valid, detail: valid ? 'key generation and signature verified' : 'signature does not verify' };
  } catch (error) {
    return { name, ok: false, detail: failure(error) };
  } finally {
    destroyQuietly(module, session, handles);
  }
}

async function checkHmac(module: Pkcs11, session: Handle): Promise<CapabilityCheck> {
  const name = 'HMAC-SHA256 with a generic secret';
  let handles: Handle[] = [];
  try {
    const key = await generateGenericSecret(module, session, {}, 32, { token: false, sign: true, sensitive: true });
    handles = [key];
    const mac = await hmacSha256(module, session, key, Buffer.from('ingrain capability probe'));
    return { name, ok: true, detail: `${mac.length}-byte MAC` };
  } catch (error) {
    return { name, ok: false, detail: failure(error) };
  } finally {
    destroyQuietly(module, session, handles);
  }
}

async function checkAesGcm(module: Pkcs11, session: Handle): Promise<CapabilityCheck> {
  const name = 'AES-256-GCM seal';
  let handles: Handle[] = [];
  try {
    const flags = { token: false, sensitive: true, extractable: false, encrypt: true, decrypt: true };
    const key = await generateAesKey(module, session, {}, 32, flags);
    handles = [key];
    const params = { iv: module.C_GenerateRandom(session, Buffer.alloc(12)), aad: Buffer.from('probe aad') };
    const plaintext = Buffer.from('ingrain capability probe');
    const sealed = await aesGcmEncrypt(module, session, key, params, plaintext);
    const opened = await aesGcmDecrypt(module, session, key, params, sealed);
    if (!plaintext.equals(opened)) return { name, ok: false, detail: 'decryption does not return the plaintext' };
    const altered = Uint8Array.from(sealed);
    altered[0]! ^= 0x01;
    const refused = await aesGcmDecrypt(module, session, key, params, altered).then(
      () => false,
      () => true,
    );
    return refused
      ? { name, ok: true, detail: '96-bit IV, 128-bit tag: round trip, altered ciphertext refused' }
      : { name, ok: false, detail: 'an altered ciphertext was accepted' };
  } catch (error) {
    return { name, ok: false, detail: failure(error) };
  } finally {
    destroyQuietly(module, session, handles);
  }
}

function failure(error: unknown): string {
  return returnValueName(error) ?? (error instanceof HsmError ? error.message : 'failed');
}
