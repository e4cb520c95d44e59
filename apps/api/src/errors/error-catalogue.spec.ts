import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContractErrorCode } from '#ingrain/contracts';
import { ConfigError } from '../config/config-error.js';
import type { TrustErrorCode } from '../trust/trust-error.js';
import { ERROR_CATALOGUE, isErrorCode } from './error-catalogue.js';

// Every code of the start-up errors, listed so that the compiler flags a code added to TrustError.
const START_UP_CODES = {
  TRUST_KEY_MISSING: true,
  TRUST_KEY_INVALID: true,
  TRUST_CA_CERTIFICATE_MISSING: true,
  TRUST_CA_CERTIFICATE_MISMATCH: true,
  TRUST_CA_CERTIFICATE_EXPIRED: true,
  TRUST_ENVELOPE_NOT_NORMAL: true,
  TRUST_BUNDLE_INCOMPLETE: true,
} as const satisfies Record<TrustErrorCode, true>;

// The libs/contracts codes the API answers; the others (job payloads) never reach a client.
const CONTRACT_ANSWERS = {
  STATION_REPORT_INVALID: true,
  DEVICE_STATE_CONFLICT: true,
  DEVICE_RELEASE_REFUSED: true,
  JOB_PAYLOAD_INVALID: false,
  JOB_LINE_INVALID: false,
  CLAIM_SECRETS_INVALID: false,
} as const satisfies Record<ContractErrorCode, boolean>;

describe('ERROR_CATALOGUE', () => {
  test('lists every start-up code as not an HTTP answer', () => {
    const codes = [...Object.keys(START_UP_CODES), new ConfigError('x').code];
    for (const code of codes) {
      assert.ok(isErrorCode(code), code);
      assert.equal(ERROR_CATALOGUE[code].status, null, code);
    }
  });

  test('lists the libs/contracts codes the API answers, with a status', () => {
    for (const [code, answered] of Object.entries(CONTRACT_ANSWERS)) {
      assert.equal(isErrorCode(code) && ERROR_CATALOGUE[code].status !== null, answered, code);
    }
  });

  test('every entry says what it means and what to do', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      assert.match(code, /^[A-Z][A-Z0-9_]+$/);
      assert.ok(entry.title.length > 0 && entry.meaning.length > 0 && entry.action.length > 0, code);
    }
  });
});
