import { type ChipFamily, type DeviceProfile, lockByteCount, otpSizeBytes } from '../profiles/device-profile.js';
import { getProfile } from '../profiles/index.js';
import { OtpImageError } from './errors.js';
import { BLANK_BYTE, LOCKED_BYTE, type OtpImage, type OtpState } from './otp-image.js';

/** The state of a factory-fresh device: every data byte and every lock byte 0xFF. */
export function blankState(profile: DeviceProfile): OtpState {
  return {
    data: new Uint8Array(otpSizeBytes(profile)).fill(BLANK_BYTE),
    lockBytes: new Uint8Array(lockByteCount(profile)).fill(BLANK_BYTE),
  };
}

/**
 * Builds an image from a raw data dump (for example a .bin file) and the blocks to lock.
 * The data is copied; the lock list is returned sorted.
 *
 * @throws OtpImageError (`IMAGE_INVALID`) when `data` is not exactly the family's OTP size, when a
 *   block is out of range or listed twice, or when blocks are listed for a family without lock bytes.
 */
export function imageFromRaw(family: ChipFamily, data: Uint8Array, lockedBlocks: readonly number[]): OtpImage {
  const profile = getProfile(family) as DeviceProfile | undefined;
  if (profile === undefined) throw new OtpImageError(`unknown chip family ${JSON.stringify(family)}`);
  const sorted = [...lockedBlocks].sort((a, b) => a - b);
  const image: OtpImage = { family, data: Uint8Array.from(data), lockedBlocks: Object.freeze(sorted) };
  assertImageFits(profile, image);
  return image;
}

/**
 * The state a device reaches once `image` is completely programmed and locked: what a read-back
 * of a fully provisioned device returns.
 *
 * @throws OtpImageError (`IMAGE_INVALID`) when the image does not fit the profile.
 */
export function stateFromImage(profile: DeviceProfile, image: OtpImage): OtpState {
  assertImageFits(profile, image);
  const lockBytes = new Uint8Array(lockByteCount(profile)).fill(BLANK_BYTE);
  for (const block of image.lockedBlocks) lockBytes[block] = LOCKED_BYTE;
  return { data: Uint8Array.from(image.data), lockBytes };
}

/**
 * Checks that `image` belongs to `profile`: same family, exact data size, a sorted lock list of
 * distinct existing blocks, and no locks on a family without lock bytes.
 *
 * @throws OtpImageError (`IMAGE_INVALID`) naming the first problem found.
 */
export function assertImageFits(profile: DeviceProfile, image: OtpImage): void {
  if (image.family !== profile.family) {
    throw new OtpImageError(`image is for ${image.family}, not ${profile.family}`);
  }
  assertDataSize(profile, image.data, 'image');
  if (profile.lockBaseAddress === null && image.lockedBlocks.length > 0) {
    throw new OtpImageError(`${profile.family} has no lock bytes: an image for it cannot lock blocks`);
  }
  image.lockedBlocks.forEach((block, index) => {
    if (!Number.isInteger(block) || block < 0 || block >= profile.blockCount) {
      throw new OtpImageError(`lock list: block ${block} does not exist (blocks 0-${profile.blockCount - 1})`);
    }
    const previous = image.lockedBlocks[index - 1];
    if (previous !== undefined && previous >= block) {
      throw new OtpImageError(`lock list: block ${block} is repeated or out of order`);
    }
  });
}

/**
 * Checks that `state` has the profile's data size and one lock byte per block (none without lock
 * bytes). It does not judge the lock byte values: that is the planner's job.
 *
 * @throws OtpImageError (`IMAGE_INVALID`) on a size mismatch.
 */
export function assertStateFits(profile: DeviceProfile, state: OtpState): void {
  assertDataSize(profile, state.data, 'state');
  const expected = lockByteCount(profile);
  if (state.lockBytes.length !== expected) {
    throw new OtpImageError(`state has ${state.lockBytes.length} lock bytes; ${profile.family} has ${expected}`);
  }
}

function assertDataSize(profile: DeviceProfile, data: Uint8Array, what: string): void {
  const expected = otpSizeBytes(profile);
  if (data.length !== expected) {
    throw new OtpImageError(`${what} has ${data.length} data bytes; ${profile.family} OTP has ${expected}`);
  }
}
