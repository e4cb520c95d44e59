// The checks identity issuance makes before any HSM work, made even earlier: before a serial is
// taken from the product's sequence, so a request with bad inputs consumes nothing at all.
import { encodeImage, ValuesValidationError, type Layout } from '#ingrain/otp';
import { assertValidSerial } from '../catalogue/serials.js';
import { AppError } from '../errors/app-error.js';
import { placeholderValues, planIdentity } from '../identity/identity-plan.js';

/**
 * Checks a device request's serial (when given) and inputs against the layout: no input may set a
 * generated field, and the inputs must render (with zero-filled placeholders for generated fields).
 *
 * @throws AppError `SERIAL_INVALID`, `IDENTITY_INPUT_INVALID` (field paths `body.inputs.<name>`);
 *   ValuesValidationError `VALUES_INVALID` (libs/otp) naming each field. Messages hold no values.
 */
export function preflightDeviceRequest(
  layout: Layout,
  inputs: Readonly<Record<string, unknown>>,
  serial?: string,
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
  try {
    // The rendered image may hold secret inputs: it is only a check, zero it at once.
    encodeImage(layout, { ...inputs, ...placeholderValues(plan) }).data.fill(0);
  } catch (error) {
    if (!(error instanceof ValuesValidationError)) throw error;
    // libs/otp names fields; the API names request paths.
    throw new ValuesValidationError(
      error.issues.map((issue) => ({
        path: issue.path === '' ? 'body.inputs' : `body.inputs.${issue.path}`,
        message: issue.message,
      })),
    );
  }
}
