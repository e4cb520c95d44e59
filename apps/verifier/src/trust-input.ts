import { parseTrustRoot, trustInputFromRoot, type VerifierTrustInput, type TrustRootWitnesses } from '#ingrain/crypto';
import { readJsonFile, readPublicKeySpki, readTextFile } from './inputs.js';
import type { TrustSource } from './options.js';

/** The trust the verifier runs with, and the witness policy when it came from a trust root. */
export interface LoadedTrust {
  readonly trust: VerifierTrustInput;
  /**
   * The trust root's witness keys and threshold (docs/verifier.md "Trust root"); undefined with the
   * separate flags. For the witness cosignature check (`--witness`, `--witness-threshold`).
   */
  readonly witnesses: TrustRootWitnesses | undefined;
}

/**
 * Reads the trust material once: the trust root file (parsed by libs/crypto `parseTrustRoot`:
 * VERIFY_TRUST_ROOT_INVALID naming the field) or the four separate files and values.
 * Throws VERIFY_INPUT_UNREADABLE for an unreadable file, VERIFY_TRUST_INVALID for a bad key file.
 */
export function loadTrust(source: TrustSource, cwd: string, at: Date | undefined): LoadedTrust {
  if (source.kind === 'trust-root') {
    const root = parseTrustRoot(readJsonFile(cwd, source.path));
    return { trust: trustInputFromRoot(root, at), witnesses: root.witnesses };
  }
  return {
    trust: {
      attestationPublicKeySpkiDer: readPublicKeySpki(cwd, source.attestationKeyPath, 'attestation key'),
      logPublicKeySpkiDer: readPublicKeySpki(cwd, source.logKeyPath, 'log key'),
      caCertificatePem: readTextFile(cwd, source.caPath),
      origin: source.origin,
      ...(at && { at }),
    },
    witnesses: undefined,
  };
}
