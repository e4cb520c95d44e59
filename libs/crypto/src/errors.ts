/**
 * Base class of every error libs/crypto throws. `code` is stable and documented in docs/errors.md;
 * messages never contain PINs, key material or secret field values.
 */
export class CryptoError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
