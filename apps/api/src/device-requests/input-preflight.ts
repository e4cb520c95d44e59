// The checks identity issuance makes before any HSM work, made even earlier: before a serial is
// taken from the product's sequence, so a request with bad inputs consumes nothing at all.
import { encodeImage, ValuesValidationError, type Layout } from '#ingrain/otp';
import { assertValidSerial } from '../catalogue/serials.js';
import { AppError } from '../errors/app-error.js';
import { assertIdentityAgrees, IDENTITY_FIELDS, withIdentityValues } from '../identity/identity-fields.js';
import { placeholderValues, planIdentity } from '../identity/identity-plan.js';

/**
 * Checks a device request's serial (when given) and inputs against the layout: no input may set a
 * generated field, no input may contradict an identity field (identity-fields.ts: the serial),
 * and the inputs must render (with zero-filled placeholders for generated fields, and the serial,
 * or `sequencedSerial` standing in for the one the product sequence will give).
 *
 * @throws AppError `SERIAL_INVALID`, `IDENTITY_INPUT_INVALID` (field paths `body.inputs.<name>`),
 *   `IDENTITY_FIELDS_DISAGREE` (`body.serial` and `body.inputs.serial`); ValuesValidationError
 *   `VALUES_INVALID` (libs/otp) naming each field. Messages hold no values.
 */
export function preflightDeviceRequest(
  layout: Layout,
  inputs: Readonly<Record<string, unknown>>,
  serial?: string,
  sequencedSerial = 'SN-000001',
): void {
  if (serial !== undefined) assertValidSerial(serial);
  const plan = planIdentity(layout);
  const generated = plan.generated.filter((field) => Object.hasOwn(inputs, field.name));
  if (generated.length > 0) {
    throw new AppError('IDENTITY_INPUT_INVALID', 'inputs must not set generated fields: the service generates them', {
      errors: generated.map((field) => ({
        path: `body.inputs.${field.name}`,
        message: `field "${field.name}" is generated (${field.generator}): remove it from the inputs`,
      })),
    });
  }
  assertIdentityAgrees(layout, inputs, { serial });
  const values = withIdentityValues(layout, inputs, { serial: serial ?? sequencedSerial });
  try {
    // The rendered image may hold secret inputs: it is only a check, zero it at once.
    encodeImage(layout, { ...values, ...placeholderValues(plan) }).data.fill(0);
  } catch (error) {
    if (!(error instanceof ValuesValidationError)) throw error;
    // libs/otp names fields; the API names request paths.
    throw new ValuesValidationError(
      error.issues.map((issue) => ({ path: requestPath(issue.path), message: issue.message })),
    );
  }
}

/** The request field a value issue is about: an identity field's value comes from its source. */
function requestPath(fieldPath: string): string {
  if (fieldPath === '') return 'body.inputs';
  return Object.hasOwn(IDENTITY_FIELDS, fieldPath)
    ? IDENTITY_FIELDS[fieldPath as keyof typeof IDENTITY_FIELDS]
    : `body.inputs.${fieldPath}`;
}
