import { CryptoError } from '../errors.js';
import { pkcs11 } from './pkcs11.js';

/** Stable codes of {@link HsmError}; docs/hsm.md has the table with what the user should do. */
export type HsmErrorCode =
  | 'HSM_CONFIG_INVALID'
  | 'HSM_MODULE_LOAD_FAILED'
  | 'HSM_TOKEN_NOT_FOUND'
  | 'HSM_LOGIN_FAILED'
  | 'HSM_CAPABILITY_MISSING'
  | 'HSM_KEY_NOT_FOUND'
  | 'HSM_KEY_CONFLICT'
  | 'HSM_KEY_POLICY_VIOLATION'
  | 'HSM_INVALID_ARGUMENT'
  | 'HSM_UNSEAL_FAILED'
  | 'HSM_OPERATION_FAILED'
  | 'HSM_CLOSED';

/**
 * Error thrown by the HSM access layer. `cause` is the pkcs11js error when PKCS#11 returned one
 * (its message is the return value name, e.g. `CKR_PIN_INCORRECT`), also exposed as
 * {@link HsmError.returnValue}. Messages name labels, slots and variables, never a PIN or key material.
 */
export class HsmError extends CryptoError {
  declare readonly code: HsmErrorCode;

  constructor(code: HsmErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }

  /** The PKCS#11 return value name (`CKR_…`) behind this error, when there is one. */
  get returnValue(): string | undefined {
    return returnValueName(this.cause);
  }
}

/** The `CKR_…` name of a pkcs11js error, or undefined for anything else. */
export function returnValueName(error: unknown): string | undefined {
  if (!(error instanceof pkcs11.Pkcs11Error)) return undefined;
  return /^CKR_[A-Z0-9_]+$/.test(error.message) ? error.message : `CKR_0x${error.code.toString(16)}`;
}

/** True when `error` is the PKCS#11 return value `name` (e.g. 'CKR_USER_ALREADY_LOGGED_IN'). */
export function isReturnValue(error: unknown, name: string): boolean {
  return returnValueName(error) === name;
}

/**
 * Wraps a failure of a PKCS#11 call: the message names the operation and the return value, the
 * original error travels as `cause`. An {@link HsmError} passes through unchanged.
 */
export function wrapPkcs11Error(error: unknown, code: HsmErrorCode, what: string): HsmError {
  if (error instanceof HsmError) return error;
  const rv = returnValueName(error) ?? (error instanceof Error ? error.name : 'unknown error');
  return new HsmError(code, `${what} failed (${rv})`, { cause: error });
}
