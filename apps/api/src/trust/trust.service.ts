import {
  SERVICE_KEY_LABELS,
  encodePem,
  serializeTrustRoot,
  type DeviceCertificateIssuer,
  type Hsm,
  type Signer,
  type TrustRootWitnesses,
} from '#ingrain/crypto';
import { assertCaCurrent, assertServiceKeys, prepareIssuer, readCaCertificate } from './trust-material.js';

/** What auditors need to verify bundles offline (`GET /v1/keys`, `ingrain-verify` flags). */
export interface PublicKeys {
  /** PEM SubjectPublicKeyInfo of `ingrain-attestation` (`--attestation-key`). */
  readonly attestationPublicKeyPem: string;
  /** PEM SubjectPublicKeyInfo of `ingrain-log` (`--log-key`). */
  readonly logPublicKeyPem: string;
  /** The device CA certificate (`--ca`). */
  readonly caCertificatePem: string;
  /** The checkpoints' origin line (`--origin`). */
  readonly logOrigin: string;
}

/** What {@link TrustService.load} needs of the configuration. */
export interface TrustConfig {
  readonly publicKeysDir: string;
  readonly logOrigin: string;
  /** The witness policy the trust root publishes (INGRAIN_TRUST_ROOT_WITNESS_*; default: none). */
  readonly trustRootWitnesses?: TrustRootWitnesses;
}

type TrustHsm = Pick<Hsm, 'listKeys' | 'token' | 'findSigner'>;

interface TrustParts {
  readonly hsm: TrustHsm;
  readonly attestationSigner: Signer;
  readonly logSigner: Signer;
  readonly issuer: DeviceCertificateIssuer;
  readonly logOrigin: string;
  readonly witnesses: TrustRootWitnesses;
  readonly clock: () => Date;
}

const spkiPem = (spkiDer: Uint8Array): string => encodePem('PUBLIC KEY', spkiDer);

/**
 * The API's trust material, loaded once at start-up: the HSM signers of the attestation and log
 * keys, the device CA certificate with its prepared issuer, and their public halves for auditors.
 * Private keys never leave the HSM; nothing here is secret.
 */
export class TrustService {
  /** `ingrain-attestation`: signs attestations and work-order reports. */
  readonly attestationSigner: Signer;
  /** `ingrain-log`: signs transparency-log checkpoints. */
  readonly logSigner: Signer;
  /** The device CA, parsed and checked once; its signer is `ingrain-device-ca`. */
  readonly issuer: DeviceCertificateIssuer;
  readonly caCertificatePem: string;
  readonly logOrigin: string;
  readonly #hsm: TrustHsm;
  readonly #clock: () => Date;
  readonly #publicKeys: PublicKeys;
  /**
   * The trust root file (docs/verifier.md "Trust root"), exactly as `GET /v1/trust-root` serves it
   * and `ingrain-admin trust-root export` writes it: both take it from here, so they are the same bytes.
   */
  readonly trustRootJson: string;

  private constructor(parts: TrustParts) {
    this.attestationSigner = parts.attestationSigner;
    this.logSigner = parts.logSigner;
    this.issuer = parts.issuer;
    this.caCertificatePem = parts.issuer.caCertificatePem;
    this.logOrigin = parts.logOrigin;
    this.#hsm = parts.hsm;
    this.#clock = parts.clock;
    this.#publicKeys = Object.freeze({
      attestationPublicKeyPem: spkiPem(parts.attestationSigner.publicKeySpkiDer),
      logPublicKeyPem: spkiPem(parts.logSigner.publicKeySpkiDer),
      caCertificatePem: this.caCertificatePem,
      logOrigin: parts.logOrigin,
    });
    this.trustRootJson = serializeTrustRoot({
      attestationPublicKeysSpkiDer: [parts.attestationSigner.publicKeySpkiDer],
      deviceCaCertificatesPem: [this.caCertificatePem],
      log: { origin: parts.logOrigin, publicKeySpkiDer: parts.logSigner.publicKeySpkiDer },
      witnesses: parts.witnesses,
    });
  }

  /**
   * Checks the key inventory on the token, looks up the three signing keys, reads
   * `<publicKeysDir>/ca.pem` and checks it is a current CA certificate of the HSM's CA key.
   *
   * @throws TrustError `TRUST_KEY_MISSING` (the message says to run `ingrain-admin hsm init`),
   *   `TRUST_KEY_INVALID`, `TRUST_CA_CERTIFICATE_MISSING`, `TRUST_CA_CERTIFICATE_MISMATCH`,
   *   `TRUST_CA_CERTIFICATE_EXPIRED`; HsmError when the token cannot be used.
   */
  static async load(hsm: TrustHsm, config: TrustConfig, clock: () => Date = () => new Date()): Promise<TrustService> {
    await assertServiceKeys(hsm);
    const [caSigner, attestationSigner, logSigner] = await Promise.all([
      hsm.findSigner(SERVICE_KEY_LABELS.deviceCa),
      hsm.findSigner(SERVICE_KEY_LABELS.attestation),
      hsm.findSigner(SERVICE_KEY_LABELS.log),
    ]);
    const issuer = prepareIssuer(caSigner, await readCaCertificate(config.publicKeysDir), clock());
    return new TrustService({
      hsm,
      attestationSigner,
      logSigner,
      issuer,
      logOrigin: config.logOrigin,
      witnesses: config.trustRootWitnesses ?? { keys: [], threshold: 0 },
      clock,
    });
  }

  /** The public keys, CA certificate and log origin an auditor needs. */
  publicKeys(): PublicKeys {
    return this.#publicKeys;
  }

  /**
   * Readiness: every inventory key is still on the token with its attributes, and the CA
   * certificate is still valid. Resolves or throws a TrustError (its code is what /health/ready shows).
   */
  async check(): Promise<void> {
    await assertServiceKeys(this.#hsm);
    assertCaCurrent(this.issuer, this.#clock());
  }
}
