import { getProfile, imageFromRaw, type ChipFamily, type OtpImage } from '#ingrain/otp';

/**
 * A deterministic target image filling `blocks` with a pattern that never contains 0xFF, locking
 * them all (or `lockedBlocks`). Distinct `seed`s give images that conflict with each other.
 */
export function patternImage(family: ChipFamily, blocks: readonly number[], seed = 1, lockedBlocks = blocks): OtpImage {
  const profile = getProfile(family);
  const data = new Uint8Array(profile.blockCount * profile.blockSizeBytes).fill(0xff);
  for (const block of blocks) {
    for (let i = 0; i < profile.blockSizeBytes; i++) {
      const offset = block * profile.blockSizeBytes + i;
      data[offset] = (offset * 7 + seed * 13) % 0xfe;
    }
  }
  return imageFromRaw(family, data, [...lockedBlocks]);
}

/** Every block of a family's OTP, for full-image cycles. */
export function allBlocks(family: ChipFamily): number[] {
  return Array.from({ length: getProfile(family).blockCount }, (_, block) => block);
}
