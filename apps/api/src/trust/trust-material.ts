// Loading and checking the API's trust material: the inventory keys in the HSM and the device CA
// certificate the ceremony (`ingrain-admin hsm init`) wrote next to the public keys.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CertificateError,
  SERVICE_KEYS,
  assessServiceKey,
  prepareDeviceCertificateIssuer,
  type DeviceCertificateIssuer,
  type Hsm,
  type Signer,
} from '#ingrain/crypto';
import { TrustError } from './trust-error.js';

/** File name of the device CA certificate in INGRAIN_PUBLIC_KEYS_DIR (as the ceremony writes it). */
export const CA_CERTIFICATE_FILE = 'ca.pem';

const CEREMONY_HINT = 'run `ingrain-admin hsm init` against this token (with the API stopped)';

/** What the key check needs of the HSM. */
export type KeyInventoryHsm = Pick<Hsm, 'listKeys' | 'token'>;

/**
 * Checks that every key of the inventory (docs/keys.md) is on the token with its required
 * attributes. Only looks: never creates, changes or deletes a key.
 *
 * @throws TrustError `TRUST_KEY_MISSING` (some key absent: the ceremony was not run) or
 *   `TRUST_KEY_INVALID` (a label holds something else, or a key with weaker attributes), naming each
 *   label; HsmError when the token cannot be read.
 */
export async function assertServiceKeys(hsm: KeyInventoryHsm): Promise<void> {
  const missing: string[] = [];
  const invalid: string[] = [];
  for (const spec of SERVICE_KEYS) {
    const assessment = assessServiceKey(spec, await hsm.listKeys(spec.label));
    if (assessment.status === 'missing') missing.push(`'${spec.label}'`);
    else if (assessment.status !== 'ok') invalid.push(`'${spec.label}' (${assessment.problems.join('; ')})`);
  }
  const token = `HSM token '${hsm.token.label}'`;
  if (missing.length > 0) {
    const also = invalid.length > 0 ? `; also invalid: ${invalid.join(', ')}` : '';
    throw new TrustError(
      'TRUST_KEY_MISSING',
      `${token} lacks the service key(s) ${missing.join(', ')}${also}: ${CEREMONY_HINT}`,
    );
  }
  if (invalid.length > 0) {
    throw new TrustError(
      'TRUST_KEY_INVALID',
      `${token} holds service key(s) that break the key inventory: ${invalid.join(', ')}; ` +
        'see `ingrain-admin hsm status` and docs/keys.md (keys are never replaced automatically)',
    );
  }
}

/**
 * The device CA certificate (PEM text) from `publicKeysDir`.
 *
 * @throws TrustError `TRUST_CA_CERTIFICATE_MISSING` naming the file and how to produce it.
 */
export async function readCaCertificate(publicKeysDir: string): Promise<string> {
  const file = join(publicKeysDir, CA_CERTIFICATE_FILE);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new TrustError(
      'TRUST_CA_CERTIFICATE_MISSING',
      `cannot read the device CA certificate ${file}: run \`ingrain-admin hsm init --out ${publicKeysDir}\`, ` +
        "or point INGRAIN_PUBLIC_KEYS_DIR at the ceremony's output directory",
      { cause: error },
    );
  }
}

/**
 * Prepares the device certificate issuer once: `caCertificatePem` must be a v3 CA certificate whose
 * public key is the HSM CA key's, still valid at `now`.
 *
 * @throws TrustError `TRUST_CA_CERTIFICATE_MISMATCH` (not a CA certificate of this key: another
 *   token's ceremony, or a damaged file) or `TRUST_CA_CERTIFICATE_EXPIRED`.
 */
export function prepareIssuer(caSigner: Signer, caCertificatePem: string, now: Date): DeviceCertificateIssuer {
  let issuer: DeviceCertificateIssuer;
  try {
    issuer = prepareDeviceCertificateIssuer(caSigner, caCertificatePem);
  } catch (error) {
    if (!(error instanceof CertificateError)) throw error;
    throw new TrustError(
      'TRUST_CA_CERTIFICATE_MISMATCH',
      `${CA_CERTIFICATE_FILE} is not a usable CA certificate of the HSM key '${caSigner.label}' (${error.code}): ` +
        "use the ca.pem of this token's ceremony",
      { cause: error },
    );
  }
  assertCaCurrent(issuer, now);
  return issuer;
}

/** @throws TrustError `TRUST_CA_CERTIFICATE_EXPIRED` when the CA certificate's validity has ended. */
export function assertCaCurrent(issuer: DeviceCertificateIssuer, now: Date): void {
  if (issuer.caNotAfter.getTime() <= now.getTime()) {
    throw new TrustError(
      'TRUST_CA_CERTIFICATE_EXPIRED',
      `the device CA certificate expired at ${issuer.caNotAfter.toISOString()}: it can no longer issue device certificates`,
    );
  }
}
