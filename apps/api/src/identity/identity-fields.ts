// Identity values the API owns and a layout may store: one source for each (docs/layouts.md,
// "Identity fields"). Pure.
import { type InputField, type Layout } from '#ingrain/otp';
import { AppError } from '../errors/app-error.js';

/**
 * The identity values, by the name of the layout input field that stores one, with the request
 * field that is their one source. The serial is the only one today: it is in the certificate,
 * the attestation, the derivation context and the device search, so the chip must hold the same.
 */
export const IDENTITY_FIELDS = { serial: 'body.serial' } as const;
export type IdentityFieldName = keyof typeof IDENTITY_FIELDS;

/** The device's identity values, by the name of the field that stores each. */
export type IdentityValues = Readonly<Record<IdentityFieldName, string>>;

const NAMES = Object.keys(IDENTITY_FIELDS) as IdentityFieldName[];

/** The layout's input fields that store an identity value. */
export function identityFieldsOf(layout: Layout): InputField[] {
  return layout.fields.filter(
    (field): field is InputField => field.source === 'input' && (NAMES as string[]).includes(field.name),
  );
}

/**
 * Checks that the inputs do not contradict the identity values: an input for an identity field is
 * allowed only when it repeats the value exactly. `values` undefined: the value is not known yet
 * (the serial comes from the product sequence), so any input for it contradicts it.
 *
 * @throws AppError `IDENTITY_FIELDS_DISAGREE` naming both request fields (never their values).
 */
export function assertIdentityAgrees(
  layout: Layout,
  inputs: Readonly<Record<string, unknown>>,
  values: Partial<IdentityValues>,
): void {
  const disagreeing = identityFieldsOf(layout).filter(
    (field) => Object.hasOwn(inputs, field.name) && inputs[field.name] !== values[field.name as IdentityFieldName],
  );
  if (disagreeing.length === 0) return;
  throw new AppError('IDENTITY_FIELDS_DISAGREE', 'inputs contradict the identity the service issues', {
    errors: disagreeing.flatMap((field) => {
      const source = IDENTITY_FIELDS[field.name as IdentityFieldName];
      const given = values[field.name as IdentityFieldName] !== undefined;
      const reason = given ? 'differs from' : 'is given but the value comes from the product sequence, not';
      return [
        { path: source, message: `the device's ${field.name}: the layout field "${field.name}" stores it` },
        {
          path: `body.inputs.${field.name}`,
          message: `${reason} ${source}: leave it out (the service writes ${source} into the field) or make it equal`,
        },
      ];
    }),
  });
}

/** The inputs with every identity field of the layout set from its one source. */
export function withIdentityValues(
  layout: Layout,
  inputs: Readonly<Record<string, unknown>>,
  values: IdentityValues,
): Record<string, unknown> {
  const bound = Object.fromEntries(
    identityFieldsOf(layout).map((field) => [field.name, values[field.name as IdentityFieldName]]),
  );
  return { ...inputs, ...bound };
}
