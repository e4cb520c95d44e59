// Device identity issuance: a key pair made in the HSM (its certificate is signed by the HSM CA
// key later, at claim, when the chip UID is known: certify), the generated OTP fields, commitments to the secret ones, and the rendered image. And the
// reverse at claim time: the stored (zeroed) image made whole again. docs/api-domain.md
// ("Identity issuance") explains the choices.
import {
  SERVICE_KEY_LABELS,
  commitSecretField,
  issueDeviceCertificate,
  maskSecretFields,
  type DeviceCertificateIssuer,
  type DeviceKeyPair,
  type Hsm,
  type IssuedCertificate,
  type RandomSource,
} from '#ingrain/crypto';
import { encodeImage, type Layout, type LayoutField, type OtpImage } from '#ingrain/otp';
import { assertValidSerial } from '../catalogue/serials.js';
import { AppError } from '../errors/app-error.js';
import { assertIdentityAgrees, withIdentityValues } from './identity-fields.js';
import {
  fieldBytes,
  generatedValues,
  placeholderValues,
  planIdentity,
  rangeOf,
  saltPurpose,
  writeGeneratedValues,
  type IdentityPlan,
} from './identity-plan.js';
import { rematerializeImage, type StoredIdentity } from './rematerialize.js';
import { encodeSealedSecrets, sealedSecretsAad } from './sealed-secrets.js';
import { type SecretFieldRecord } from './secret-fields.js';
import { unwrapAll, wipeSettled } from './settled.js';

/** What identity issuance needs of the HSM (the `Hsm` class provides it). */
export type IdentityHsm = Pick<Hsm, 'generateDeviceKeyPair' | 'deriveDeviceSecret' | 'seal' | 'unseal'>;

export interface IdentityServiceOptions {
  readonly hsm: IdentityHsm;
  /** Prepared once per process (prepareDeviceCertificateIssuer): no CA parsing per device. */
  readonly issuer: DeviceCertificateIssuer;
  /** Certificate serial numbers (pooledRandomSource() or the HSM's randomBytes). */
  readonly random: RandomSource;
  /** Device certificate lifetime; default 7300 days (20 years, the product's service life). */
  readonly certificateValidityDays?: number;
  readonly clock?: () => Date;
  /** Key labels; default the service keys of docs/keys.md. */
  readonly derivationMasterLabel?: string;
  readonly secretSealLabel?: string;
}

export interface IdentityRequest {
  readonly product: string;
  readonly serial: string;
  readonly layout: Layout;
  /**
   * The MES's per-device values for the layout's input fields. An identity field (the serial) is
   * written from `serial`: its input may be left out, or must repeat it.
   */
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** A new device identity. Only `image` holds secrets: keep it in memory only, zero it when done. */
export interface IssuedIdentity {
  readonly publicKeySpkiDer: Uint8Array;
  /** Uncompressed P-256 point 04 ‖ X ‖ Y. */
  readonly publicKeyPoint: Uint8Array;
  /** The full image with every secret field's bytes. Never store, log or send it. */
  readonly image: OtpImage;
  /** The same image with every secret field's bytes set to 0x00: what the database keeps. */
  readonly storedImage: OtpImage;
  readonly secretFields: readonly SecretFieldRecord[];
  /** The non-derivable secrets sealed under the HSM seal key; null when the layout has none. */
  readonly sealedSecrets: Uint8Array | null;
}

const DEFAULT_VALIDITY_DAYS = 7300;
const SALT_LENGTH_BYTES = 32;

/**
 * Issues device identities and re-materializes their images. HSM calls that do not depend on each
 * other run in parallel (key generation, derivations, salts; then sealing).
 */
export class IdentityService {
  readonly #hsm: IdentityHsm;
  readonly #issuer: DeviceCertificateIssuer;
  readonly #random: RandomSource;
  readonly #validityDays: number;
  readonly #clock: () => Date;
  readonly #masterLabel: string;
  readonly #sealLabel: string;

  constructor(options: IdentityServiceOptions) {
    this.#hsm = options.hsm;
    this.#issuer = options.issuer;
    this.#random = options.random;
    this.#validityDays = options.certificateValidityDays ?? DEFAULT_VALIDITY_DAYS;
    this.#clock = options.clock ?? (() => new Date());
    this.#masterLabel = options.derivationMasterLabel ?? SERVICE_KEY_LABELS.derivationMaster;
    this.#sealLabel = options.secretSealLabel ?? SERVICE_KEY_LABELS.secretSeal;
  }

  /**
   * Makes one device identity: renders the image with placeholder generated values first (so
   * nothing is generated or signed for inputs that cannot encode), then generates the key pair in the HSM (the private key exported
   * only for a `device-private-key` field), derives `derived-secret`
   * fields and commitment salts, renders the image, commits to every secret field and seals the
   * ones that cannot be re-derived.
   *
   * @throws AppError `SERIAL_INVALID`, `IDENTITY_INPUT_INVALID` (an input for a generated field),
   *   `IDENTITY_FIELDS_DISAGREE` (an identity field's input is not the serial: identity-fields.ts);
   *   ValuesValidationError `VALUES_INVALID` (libs/otp) for inputs that do not fit the layout;
   *   HsmError
   *   from the HSM. Temporary secret buffers are zeroed on every path.
   */
  async issue(request: IdentityRequest): Promise<IssuedIdentity> {
    const { layout, product, serial } = request;
    assertValidSerial(serial);
    const plan = planIdentity(layout);
    assertNoGeneratedInputs(plan, request.inputs);
    assertIdentityAgrees(layout, request.inputs, { serial });
    const inputs = withIdentityValues(layout, request.inputs, { serial });
    const image = encodeImage(layout, { ...inputs, ...placeholderValues(plan) });
    const keyPair = this.#hsm.generateDeviceKeyPair({ exportPrivateKey: plan.exportsPrivateKey });
    const derived = this.#deriveAll(product, serial, plan.derived, (field) => [field.name, field.sizeBytes]);
    const salts = this.#deriveAll(product, serial, plan.secret, (field) => [
      saltPurpose(field.name),
      SALT_LENGTH_BYTES,
    ]);
    const settled = await Promise.allSettled([keyPair, derived, salts]);
    try {
      const [pair, derivedValues, saltValues] = unwrapAll(settled);
      return await this.#assemble(request, plan, image, { pair, derivedValues, saltValues });
    } catch (error) {
      image.data.fill(0); // holds secret inputs, and generated secrets once written
      throw error;
    } finally {
      wipeSettled(settled);
    }
  }

  /**
   * The full image of a device whose record was made by {@link issue}: re-derives the derived
   * secrets, unseals the sealed ones, checks each against the commitment recorded at issuance,
   * and puts them into the stored image. The result holds secrets: only for the claim response.
   *
   * @throws AppError `IDENTITY_RECORD_INVALID` (record and layout disagree, sealed secrets
   *   missing or malformed), `IDENTITY_SECRET_MISMATCH` (a secret does not match its commitment:
   *   wrong HSM keys or a corrupted record; never send such an image); HsmError
   *   (`HSM_UNSEAL_FAILED` for an altered sealed blob) from the HSM.
   */
  async rematerialize(record: StoredIdentity, layout: Layout): Promise<OtpImage> {
    return rematerializeImage(record, layout, {
      derive: (purpose, lengthBytes) =>
        this.#hsm.deriveDeviceSecret(
          this.#masterLabel,
          { product: record.product, serial: record.serial, purpose },
          lengthBytes,
        ),
      unseal: (sealed) => this.#hsm.unseal(this.#sealLabel, sealed, sealedSecretsAad(record.product, record.serial)),
    });
  }

  /**
   * The chip-bound device certificate (docs/certificates.md, "Chip binding"), issued when the chip
   * is claimed: the device key made at request time, the chip UID in the subject and the chip UID
   * extension. The caller stores it once (a re-claim reuses the stored one).
   *
   * @throws CertificateError CERT_INPUT_INVALID (identifiers, key or UID outside the profile),
   *   CERT_ISSUER_INVALID; HsmError from the CA signature.
   */
  certify(device: ChipBoundSubject): Promise<IssuedCertificate> {
    return issueDeviceCertificate({
      issuer: this.#issuer,
      devicePublicKeySpkiDer: device.publicKeySpkiDer,
      product: device.product,
      serial: device.serial,
      chipUidHex: device.chipUidHex,
      random: this.#random,
      notBefore: this.#clock(),
      validityDays: this.#validityDays,
    });
  }

  /** One derivation per field, in parallel, keyed by field name. */
  async #deriveAll(
    product: string,
    serial: string,
    fields: readonly LayoutField[],
    what: (field: LayoutField) => [purpose: string, lengthBytes: number],
  ): Promise<Map<string, Uint8Array>> {
    const settled = await Promise.allSettled(
      fields.map((field) => {
        const [purpose, lengthBytes] = what(field);
        return this.#hsm.deriveDeviceSecret(this.#masterLabel, { product, serial, purpose }, lengthBytes);
      }),
    );
    const values = unwrapAll(settled, () => wipeSettled(settled));
    return new Map(fields.map((field, index) => [field.name, values[index]!]));
  }

  /** Completes `image` (rendered with placeholders) with the generated values, commits, seals. */
  async #assemble(
    request: IdentityRequest,
    plan: IdentityPlan,
    image: OtpImage,
    parts: IssuanceParts,
  ): Promise<IssuedIdentity> {
    const { product, serial } = request;
    const { pair } = parts;
    const generated = generatedValues(plan, {
      publicKeyPoint: pair.publicKeyPoint,
      privateKey: pair.privateKey,
      derived: parts.derivedValues,
    });
    writeGeneratedValues(image.data, plan, generated);
    const secretFields = plan.secret.map((field) => commitment(field, image.data, parts.saltValues));
    const sealedSecrets = await this.#seal(product, serial, plan, image.data);
    return {
      publicKeySpkiDer: pair.publicKeySpkiDer,
      publicKeyPoint: pair.publicKeyPoint,
      image,
      storedImage: {
        family: image.family,
        data: maskSecretFields(image.data, secretFields),
        lockedBlocks: image.lockedBlocks,
      },
      secretFields,
      sealedSecrets,
    };
  }

  async #seal(product: string, serial: string, plan: IdentityPlan, data: Uint8Array): Promise<Uint8Array | null> {
    if (plan.sealed.length === 0) return null;
    const plaintext = encodeSealedSecrets(
      plan.sealed.map((field) => ({ name: field.name, value: fieldBytes(data, field) })),
    );
    try {
      return await this.#hsm.seal(this.#sealLabel, plaintext, sealedSecretsAad(product, serial));
    } finally {
      plaintext.fill(0);
    }
  }
}

interface IssuanceParts {
  readonly pair: DeviceKeyPair;
  readonly derivedValues: ReadonlyMap<string, Uint8Array>;
  readonly saltValues: ReadonlyMap<string, Uint8Array>;
}

/** What a chip-bound certificate is issued for. */
export interface ChipBoundSubject {
  readonly product: string;
  readonly serial: string;
  readonly publicKeySpkiDer: Uint8Array;
  /** The claimed chip's UID, hex. */
  readonly chipUidHex: string;
}

function commitment(field: LayoutField, data: Uint8Array, salts: ReadonlyMap<string, Uint8Array>): SecretFieldRecord {
  const value = fieldBytes(data, field);
  const salt = salts.get(field.name);
  if (salt === undefined) throw new Error(`identity issuance: missing salt for ${field.name}`);
  try {
    return {
      name: field.name,
      ...rangeOf(field),
      commitmentSha256: commitSecretField({ fieldName: field.name, salt, value }),
    };
  } finally {
    value.fill(0);
  }
}

function assertNoGeneratedInputs(plan: IdentityPlan, inputs: Readonly<Record<string, unknown>>): void {
  const offending = plan.generated.filter((field) => Object.hasOwn(inputs, field.name));
  if (offending.length === 0) return;
  throw new AppError('IDENTITY_INPUT_INVALID', 'inputs must not set generated fields: the service generates them', {
    errors: offending.map((field) => ({
      path: `body.inputs.${field.name}`,
      message: `field "${field.name}" is generated (${field.generator}): remove it from the inputs`,
    })),
  });
}
