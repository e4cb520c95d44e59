import { createPublicKey } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVICE_KEY_LABELS, ensureServiceKeys, type Hsm, type TokenDescription } from '#ingrain/crypto';
import { AdminError } from '../errors.js';
import { ensureCaCertificate, type CaCertificateOptions, type CaCertificateOutcome } from './ca-certificate.js';
import { writeOnce } from './output-files.js';

/** One service key as the ceremony reports it. */
export interface CeremonyKey {
  readonly label: string;
  readonly algorithm: string;
  /** `sha256:<hex>` of the SPKI DER, or `kcv:<hex>` for the derivation master. */
  readonly fingerprint: string;
  readonly created: boolean;
  /** PEM SPKI file, for signing keys. */
  readonly publicKeyFile?: string;
}

/** What `hsm init` did; the same on every re-run except the `created` flags. */
export interface CeremonyResult {
  readonly token: TokenDescription;
  readonly outDir: string;
  readonly keys: readonly CeremonyKey[];
  readonly caCertificate: CaCertificateOutcome;
}

/** File name of the self-signed device CA certificate in the output directory. */
export const CA_CERTIFICATE_FILE = 'ca.pem';

/**
 * The set-up ceremony, safe to repeat: ensures the service keys (never duplicates, refuses weak
 * ones), writes each public key as `<label>.pub.pem` (PEM SPKI) and the self-signed device CA
 * certificate `ca.pem` to `outDir`, never overwriting a different earlier output.
 *
 * @throws HsmError from the key inventory; AdminError `ADMIN_OUTPUT_CONFLICT` / `ADMIN_OUTPUT_FAILED`.
 */
export async function runHsmCeremony(
  hsm: Hsm,
  outDir: string,
  caOptions: CaCertificateOptions,
): Promise<CeremonyResult> {
  const states = await ensureServiceKeys(hsm);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    throw new AdminError('ADMIN_OUTPUT_FAILED', `cannot create ${outDir}`, { cause: error });
  }
  const keys: CeremonyKey[] = [];
  for (const { spec, created, fingerprint, publicKeySpkiDer } of states) {
    const key = { label: spec.label, algorithm: spec.algorithm, fingerprint, created };
    if (publicKeySpkiDer === undefined) {
      keys.push(key);
      continue;
    }
    const publicKeyFile = join(outDir, `${spec.label}.pub.pem`);
    await writeOnce(publicKeyFile, spkiPem(publicKeySpkiDer));
    keys.push({ ...key, publicKeyFile });
  }
  const caSigner = await hsm.findSigner(SERVICE_KEY_LABELS.deviceCa);
  const caCertificate = await ensureCaCertificate(join(outDir, CA_CERTIFICATE_FILE), caSigner, caOptions);
  return { token: hsm.token, outDir, keys, caCertificate };
}

function spkiPem(spkiDer: Uint8Array): string {
  return createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}
