// The claim-time reverse of issuance: the stored image (secret bytes zeroed) made whole again
// from re-derived and unsealed secrets, each checked against its recorded commitment.
import { commitSecretField } from '#ingrain/crypto';
import { otpSizeBytes, type Layout, type LayoutField, type OtpImage } from '#ingrain/otp';
import { AppError } from '../errors/app-error.js';
import { planIdentity, rangeOf, saltPurpose, type IdentityPlan } from './identity-plan.js';
import { decodeSealedSecrets } from './sealed-secrets.js';
import { unmaskedSecretFields, type SecretFieldRecord } from './secret-fields.js';
import { unwrapAll, wipeSettled } from './settled.js';

/** A device record as issuance left it (the `devices` columns of docs/api.md). */
export interface StoredIdentity {
  readonly product: string;
  readonly serial: string;
  /** `image_data`: the intended image with every secret-field byte 0x00. */
  readonly imageData: Uint8Array;
  /** `lock_blocks`. */
  readonly lockedBlocks: readonly number[];
  /** `secret_fields`: names, ranges and commitments. */
  readonly secretFields: readonly SecretFieldRecord[];
  /** `sealed_private_key`: the sealed non-derivable secrets (null when none, or erased). */
  readonly sealedSecrets: Uint8Array | null;
}

/** Where secrets come from: HSM derivation (master key, this device's context) and unsealing. */
export interface SecretSources {
  derive(purpose: string, lengthBytes: number): Promise<Uint8Array>;
  unseal(sealed: Uint8Array): Promise<Uint8Array>;
}

const SALT_LENGTH_BYTES = 32;

const invalidRecord = (what: string) =>
  new AppError('IDENTITY_RECORD_INVALID', `the device record does not match its layout: ${what}`);

/** See IdentityService.rematerialize. */
export async function rematerializeImage(
  record: StoredIdentity,
  layout: Layout,
  sources: SecretSources,
): Promise<OtpImage> {
  const plan = planIdentity(layout);
  assertRecordMatchesLayout(record, layout, plan);
  const settled = await Promise.allSettled([
    unsealAll(record, plan, sources),
    Promise.all(plan.derived.map((field) => sources.derive(field.name, field.sizeBytes))),
    Promise.all(plan.secret.map((field) => sources.derive(saltPurpose(field.name), SALT_LENGTH_BYTES))),
  ]);
  try {
    const [sealed, derived, salts] = unwrapAll(settled);
    const values = new Map([...sealed, ...plan.derived.map((field, i) => [field.name, derived[i]!] as const)]);
    const data = Uint8Array.from(record.imageData);
    plan.secret.forEach((field, index) => {
      const value = values.get(field.name);
      if (value?.length !== field.sizeBytes) throw invalidRecord(`no ${field.sizeBytes}-byte value for ${field.name}`);
      assertCommitted(field, value, salts[index]!, record.secretFields);
      data.set(value, field.otpOffsetBytes);
    });
    return { family: layout.family, data, lockedBlocks: [...layout.lock] };
  } finally {
    wipeSettled(settled);
  }
}

async function unsealAll(record: StoredIdentity, plan: IdentityPlan, sources: SecretSources) {
  if (plan.sealed.length === 0) return new Map<string, Uint8Array>();
  if (record.sealedSecrets === null) throw invalidRecord('its sealed secrets are missing (erased once provisioned)');
  const plaintext = await sources.unseal(record.sealedSecrets);
  try {
    const secrets = decodeSealedSecrets(plaintext);
    const names = secrets.map((secret) => secret.name).sort();
    if (
      names.join('\n') !==
      plan.sealed
        .map((field) => field.name)
        .sort()
        .join('\n')
    ) {
      for (const secret of secrets) secret.value.fill(0);
      throw invalidRecord('the sealed secrets are not the layout’s non-derivable secret fields');
    }
    return new Map(secrets.map((secret) => [secret.name, secret.value]));
  } finally {
    plaintext.fill(0);
  }
}

function assertRecordMatchesLayout(record: StoredIdentity, layout: Layout, plan: IdentityPlan): void {
  if (record.imageData.length !== otpSizeBytes(layout.profile)) throw invalidRecord('image size');
  if (record.lockedBlocks.join() !== layout.lock.join()) throw invalidRecord('lock blocks');
  const recorded = [...record.secretFields].sort((a, b) => a.offsetBytes - b.offsetBytes);
  const expected = plan.secret.map((field) => ({ name: field.name, ...rangeOf(field) }));
  const same =
    recorded.length === expected.length &&
    recorded.every(
      (field, i) =>
        field.name === expected[i]!.name &&
        field.offsetBytes === expected[i]!.offsetBytes &&
        field.lengthBytes === expected[i]!.lengthBytes,
    );
  if (!same) throw invalidRecord('secret fields');
  if (unmaskedSecretFields(record.imageData, recorded).length > 0)
    throw invalidRecord('stored secret bytes are not zeroed');
}

function assertCommitted(
  field: LayoutField,
  value: Uint8Array,
  salt: Uint8Array,
  records: readonly SecretFieldRecord[],
): void {
  const recorded = records.find((record) => record.name === field.name);
  const actual = commitSecretField({ fieldName: field.name, salt, value });
  if (recorded?.commitmentSha256.toLowerCase() !== actual) {
    throw new AppError(
      'IDENTITY_SECRET_MISMATCH',
      `the re-materialized secret field "${field.name}" does not match the commitment recorded at issuance`,
    );
  }
}
