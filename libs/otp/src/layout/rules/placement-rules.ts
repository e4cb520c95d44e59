import { type DeviceProfile } from '../../profiles/device-profile.js';
import { type FieldSpec } from './field-rules.js';
import { type IssueCollector } from './issues.js';

/** A field that fits the profile: inside one existing block. */
export interface PlacedField extends FieldSpec {
  readonly otpOffsetBytes: number;
  readonly address: number;
}

/**
 * Places every field on the profile and checks the rules between fields: each field inside one
 * block of the OTP, no two fields overlapping, and on write-once-unit families (L4) no two fields
 * sharing a unit. Returns the fields that fit (sorted by OTP offset).
 */
export function placeFields(
  specs: readonly FieldSpec[],
  profile: DeviceProfile,
  issues: IssueCollector,
): PlacedField[] {
  const placed = specs
    .map((spec) => placeField(spec, profile, issues))
    .filter((field): field is PlacedField => field !== undefined)
    .sort((a, b) => a.otpOffsetBytes - b.otpOffsetBytes);
  checkOverlaps(placed, profile, issues);
  return placed;
}

function placeField(spec: FieldSpec, profile: DeviceProfile, issues: IssueCollector): PlacedField | undefined {
  const path = `fields[${spec.index}]`;
  const prefix = `field "${spec.name}": `;
  const blockBytes = profile.blockSizeBytes;
  if (spec.block >= profile.blockCount) {
    issues.add(
      `${path}.block`,
      `${prefix}block ${spec.block} does not exist on ${profile.family} (blocks 0-${profile.blockCount - 1})`,
    );
    return undefined;
  }
  if (spec.sizeBytes > blockBytes) {
    const generator = spec.origin.source === 'generated' ? spec.origin.generator : undefined;
    const hint = generator === 'device-public-key' ? '; store device-public-key-sha256 instead' : '';
    issues.add(
      `${path}.${generator === undefined ? 'length' : 'generator'}`,
      `${prefix}needs ${spec.sizeBytes} bytes but a ${profile.family} block holds ${blockBytes}: a field must fit inside one block${hint}`,
    );
    return undefined;
  }
  const endBytes = spec.offsetBytes + spec.sizeBytes;
  if (endBytes > blockBytes) {
    issues.add(`${path}.offset`, `${prefix}${describeOverrun(spec, profile)}`);
    return undefined;
  }
  const otpOffsetBytes = spec.block * blockBytes + spec.offsetBytes;
  return { ...spec, otpOffsetBytes, address: profile.otpBaseAddress + otpOffsetBytes };
}

function describeOverrun(spec: FieldSpec, profile: DeviceProfile): string {
  const last = spec.offsetBytes + spec.sizeBytes - 1;
  const where = `bytes ${spec.offsetBytes}-${last} of block ${spec.block} (blocks are ${profile.blockSizeBytes} bytes)`;
  if (spec.block === profile.blockCount - 1) return `${where} run past the end of OTP`;
  return `${where} cross into block ${spec.block + 1}: a field must stay inside one block, the unit of locking`;
}

function checkOverlaps(placed: readonly PlacedField[], profile: DeviceProfile, issues: IssueCollector): void {
  const unitBytes = profile.writeOnceUnitBytes;
  for (let i = 0; i < placed.length; i += 1) {
    for (let j = i + 1; j < placed.length; j += 1) {
      const a = placed[i];
      const b = placed[j];
      if (a === undefined || b === undefined) continue;
      const [first, second] = a.index < b.index ? [a, b] : [b, a];
      const path = `fields[${second.index}].offset`;
      if (b.otpOffsetBytes < a.otpOffsetBytes + a.sizeBytes) {
        const from = Math.max(a.offsetBytes, b.offsetBytes);
        const to = Math.min(a.offsetBytes + a.sizeBytes, b.offsetBytes + b.sizeBytes) - 1;
        issues.add(
          path,
          `field "${second.name}" overlaps field "${first.name}" at bytes ${from}-${to} of block ${a.block}`,
        );
      } else if (unitBytes > 1 && sharesUnit(a, b, unitBytes)) {
        issues.add(path, describeSharedUnit(first, second, b, profile));
      }
    }
  }
}

function sharesUnit(a: PlacedField, b: PlacedField, unitBytes: number): boolean {
  const lastUnitOfA = Math.floor((a.otpOffsetBytes + a.sizeBytes - 1) / unitBytes);
  return Math.floor(b.otpOffsetBytes / unitBytes) <= lastUnitOfA;
}

function describeSharedUnit(
  first: PlacedField,
  second: PlacedField,
  later: PlacedField,
  profile: DeviceProfile,
): string {
  const unitBytes = profile.writeOnceUnitBytes;
  const unitStart = Math.floor(later.offsetBytes / unitBytes) * unitBytes;
  return (
    `field "${second.name}" shares the ${unitBytes}-byte double-word at bytes ${unitStart}-${unitStart + unitBytes - 1}` +
    ` of block ${later.block} with field "${first.name}": on ${profile.family} a double-word is written exactly once,` +
    ` so each double-word may hold only one field (start "${later.name}" at offset ${unitStart + unitBytes})`
  );
}
