import { type DeviceProfile, otpSizeBytes } from '../../profiles/device-profile.js';
import { type FieldSpec } from './field-rules.js';
import { type IssueCollector } from './issues.js';

/** A field that fits the profile: inside the OTP, starting in its block, never half locked. */
export interface PlacedField extends FieldSpec {
  readonly otpOffsetBytes: number;
  readonly address: number;
}

/**
 * The blocks a field touches, from its own block to the block of its last byte, limited to the
 * blocks that exist (lock-rules uses this to know which blocks hold a field).
 */
export function blocksTouched(spec: FieldSpec, profile: DeviceProfile): number[] {
  const lastByte = spec.block * profile.blockSizeBytes + spec.offsetBytes + spec.sizeBytes - 1;
  const lastBlock = Math.min(Math.floor(lastByte / profile.blockSizeBytes), profile.blockCount - 1);
  const blocks: number[] = [];
  for (let block = spec.block; block <= lastBlock; block += 1) blocks.push(block);
  return blocks;
}

/**
 * Places every field on the profile and checks the rules between fields: each field starts inside
 * its block and ends inside the OTP; a field spanning several blocks has all of them in `lock` or
 * none (it can never be half locked); no two fields overlap; and on write-once-unit families (L4)
 * no two fields share a unit. Returns the fields that fit (sorted by OTP offset).
 */
export function placeFields(
  specs: readonly FieldSpec[],
  profile: DeviceProfile,
  lock: readonly number[],
  issues: IssueCollector,
): PlacedField[] {
  const locked = new Set(lock);
  const placed = specs
    .map((spec) => placeField(spec, profile, locked, issues))
    .filter((field): field is PlacedField => field !== undefined)
    .sort((a, b) => a.otpOffsetBytes - b.otpOffsetBytes);
  checkOverlaps(placed, profile, issues);
  return placed;
}

function placeField(
  spec: FieldSpec,
  profile: DeviceProfile,
  locked: ReadonlySet<number>,
  issues: IssueCollector,
): PlacedField | undefined {
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
  if (spec.offsetBytes >= blockBytes) {
    const hint = `use block ${spec.block + Math.floor(spec.offsetBytes / blockBytes)}, offset ${spec.offsetBytes % blockBytes}`;
    issues.add(
      `${path}.offset`,
      `${prefix}offset ${spec.offsetBytes} is outside block ${spec.block} (${profile.family} blocks are ${blockBytes} bytes): ${hint}`,
    );
    return undefined;
  }
  const otpOffsetBytes = spec.block * blockBytes + spec.offsetBytes;
  if (otpOffsetBytes + spec.sizeBytes > otpSizeBytes(profile)) {
    issues.add(`${path}.offset`, `${prefix}${describeRange(spec, profile)} run past the end of OTP`);
    return undefined;
  }
  if (!checkLockSpan(spec, profile, locked, issues)) return undefined;
  return { ...spec, otpOffsetBytes, address: profile.otpBaseAddress + otpOffsetBytes };
}

/**
 * A field spanning blocks must have all of them locked or none: a half-locked field could still
 * have bits cleared in its open part after the rest was frozen, which defeats the lock.
 */
function checkLockSpan(
  spec: FieldSpec,
  profile: DeviceProfile,
  locked: ReadonlySet<number>,
  issues: IssueCollector,
): boolean {
  const blocks = blocksTouched(spec, profile);
  if (blocks.length < 2 || profile.lockBaseAddress === null) return true;
  const inLock = blocks.filter((block) => locked.has(block));
  if (inLock.length === 0 || inLock.length === blocks.length) return true;
  const open = blocks.filter((block) => !locked.has(block));
  issues.add(
    `fields[${spec.index}]`,
    `field "${spec.name}" spans blocks ${listBlocks(blocks)} but only ${some(inLock)} in the lock list ` +
      `(${some(open)} not): lock all of blocks ${listBlocks(blocks)} or none, so the field can never be half locked`,
  );
  return false;
}

/** "block 4 is" / "blocks 2-3 are". */
const some = (blocks: readonly number[]): string =>
  blocks.length === 1 ? `block ${listBlocks(blocks)} is` : `blocks ${listBlocks(blocks)} are`;
const listBlocks = (blocks: readonly number[]): string => {
  const [first, ...rest] = blocks;
  const last = rest.at(-1);
  const consecutive = last !== undefined && first !== undefined && last - first === rest.length;
  return consecutive ? `${first}-${last}` : blocks.join(', ');
};

function describeRange(spec: FieldSpec, profile: DeviceProfile): string {
  const last = spec.offsetBytes + spec.sizeBytes - 1;
  return `bytes ${spec.offsetBytes}-${last} from block ${spec.block} (blocks are ${profile.blockSizeBytes} bytes)`;
}

/** "bytes 14-15 of block 0", or "bytes 30 of block 0 to 3 of block 1" for a range over a boundary. */
function describeOtpRange(fromBytes: number, toBytes: number, profile: DeviceProfile): string {
  const size = profile.blockSizeBytes;
  const [fromBlock, toBlock] = [Math.floor(fromBytes / size), Math.floor(toBytes / size)];
  if (fromBlock === toBlock) return `bytes ${fromBytes % size}-${toBytes % size} of block ${fromBlock}`;
  return `bytes ${fromBytes % size} of block ${fromBlock} to ${toBytes % size} of block ${toBlock}`;
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
        const to = Math.min(a.otpOffsetBytes + a.sizeBytes, b.otpOffsetBytes + b.sizeBytes) - 1;
        const where = describeOtpRange(b.otpOffsetBytes, to, profile);
        issues.add(path, `field "${second.name}" overlaps field "${first.name}" at ${where}`);
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
