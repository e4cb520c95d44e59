// Glue until the API's error catalogue (issue 8, item 2) takes it over: libs/contracts throws a
// framework-free ContractError; the API answers it exactly as it answered the DomainError it threw
// before the contracts moved to the lib (same status, code, detail, errors and extensions).
import { ContractError } from '#ingrain/contracts';
import { DOMAIN_ERROR_STATUS, DomainError, type DomainErrorCode } from '../domain/errors.js';

function isDomainErrorCode(code: string): code is DomainErrorCode {
  return Object.hasOwn(DOMAIN_ERROR_STATUS, code);
}

/**
 * The DomainError a ContractError stands for (STATION_REPORT_INVALID 400 with its field errors,
 * DEVICE_STATE_CONFLICT 409 with `{ state, action }`, DEVICE_RELEASE_REFUSED 409), or undefined
 * for anything else (a contract error with no API meaning stays an internal error).
 */
export function domainErrorOf(error: unknown): DomainError | undefined {
  if (!(error instanceof ContractError) || !isDomainErrorCode(error.code)) return undefined;
  return new DomainError(error.code, error.message, {
    errors: error.issues,
    extensions: error.details,
    cause: error,
  });
}
