import { OtpError } from '../errors.js';

/**
 * An OTP image or device state does not fit its profile: wrong size, a lock list with an unknown,
 * repeated or unsorted block, locks on a family without lock bytes, or a family mismatch.
 * Code `IMAGE_INVALID`. It signals a programming or file error, never a device condition.
 */
export class OtpImageError extends OtpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IMAGE_INVALID', message, options);
  }
}
