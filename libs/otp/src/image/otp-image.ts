import { type ChipFamily } from '../profiles/device-profile.js';

/** The blank value of an OTP byte and of an open lock byte. */
export const BLANK_BYTE = 0xff;
/** The value of a lock byte that locks its block. The only other legal lock value is 0xFF. */
export const LOCKED_BYTE = 0x00;

/**
 * What a device should permanently hold: every OTP data byte (0xFF = stays blank) and the blocks
 * to lock. Produced by the layout encoder or read from a raw image file.
 */
export interface OtpImage {
  readonly family: ChipFamily;
  /** Exactly otpSizeBytes(profile) bytes. */
  readonly data: Uint8Array;
  /** Sorted, unique block indexes to lock. */
  readonly lockedBlocks: readonly number[];
}

/** What a device holds now, as read back over the bootloader. */
export interface OtpState {
  /** Exactly otpSizeBytes(profile) bytes. */
  readonly data: Uint8Array;
  /** One byte per block (0x00 locked, 0xFF open, anything else is illegal); empty without lock bytes. */
  readonly lockBytes: Uint8Array;
}
