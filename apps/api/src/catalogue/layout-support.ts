// Which layouts this service can provision: a layout may be valid for libs/otp and still use a chip
// family no station here drives or a generator IdentityService does not implement. Such a layout
// is refused when it is added, not when the first device of it is requested.
import { CHIP_FAMILIES, GENERATORS, type ChipFamily, type Generator, type Layout } from '#ingrain/otp';
import { AppError, type FieldIssue } from '../errors/app-error.js';

/** The chip families and generators a service supports. */
export interface LayoutSupport {
  readonly families: ReadonlySet<ChipFamily>;
  readonly generators: ReadonlySet<Generator>;
}

/**
 * What this API supports: every family libs/otp profiles (the station drives them all over AN3155)
 * and every generator IdentityService implements (apps/api/src/identity/identity-plan.ts).
 */
export const SERVICE_LAYOUT_SUPPORT: LayoutSupport = {
  families: new Set(CHIP_FAMILIES),
  generators: new Set(GENERATORS),
};

/** One issue per unsupported family or generator, named like layout validation issues. */
export function unsupportedLayoutIssues(layout: Layout, support: LayoutSupport): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!support.families.has(layout.family)) {
    issues.push({ path: 'family', message: `family ${layout.family} is not supported by this service` });
  }
  for (const field of layout.fields) {
    if (field.source === 'generated' && !support.generators.has(field.generator)) {
      issues.push({
        path: `fields.${field.name}.generator`,
        message: `field "${field.name}": generator ${field.generator} is not supported by this service`,
      });
    }
  }
  return issues;
}

/**
 * Refuses a layout this service could not provision.
 *
 * @throws AppError LAYOUT_UNSUPPORTED listing every unsupported family and generator.
 */
export function assertLayoutSupported(layout: Layout, support: LayoutSupport = SERVICE_LAYOUT_SUPPORT): void {
  const errors = unsupportedLayoutIssues(layout, support);
  if (errors.length === 0) return;
  throw new AppError('LAYOUT_UNSUPPORTED', 'the layout uses features this service does not support', { errors });
}
