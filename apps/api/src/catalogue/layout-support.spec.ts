import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLayout } from '#ingrain/otp';
import { AppError } from '../errors/app-error.js';
import { ERROR_CATALOGUE } from '../errors/error-catalogue.js';
import { assertLayoutSupported, SERVICE_LAYOUT_SUPPORT, unsupportedLayoutIssues } from './layout-support.js';

const LAYOUT = parseLayout(`
name: s
version: 1
family: stm32f7
fields:
  - { name: pk, block: 0, offset: 0, type: bytes, length: 65, source: generated, generator: device-public-key }
  - { name: key, block: 2, offset: 0, type: bytes, length: 32, source: generated, generator: device-private-key }
  - { name: serial, block: 3, offset: 0, type: ascii, length: 8, source: input }
`);

describe('layout support', () => {
  test('the service supports every family and generator libs/otp defines', () => {
    assert.deepEqual(unsupportedLayoutIssues(LAYOUT, SERVICE_LAYOUT_SUPPORT), []);
    assert.doesNotThrow(() => assertLayoutSupported(LAYOUT));
  });

  test('names the family and every generated field a narrower service does not support', () => {
    const support = { families: new Set(['stm32f4'] as const), generators: new Set(['device-public-key'] as const) };
    assert.deepEqual(unsupportedLayoutIssues(LAYOUT, support), [
      { path: 'family', message: 'family stm32f7 is not supported by this service' },
      {
        path: 'fields.key.generator',
        message: 'field "key": generator device-private-key is not supported by this service',
      },
    ]);
    assert.throws(
      () => assertLayoutSupported(LAYOUT, support),
      (error: unknown) =>
        error instanceof AppError &&
        ERROR_CATALOGUE[error.code].status === 422 &&
        error.code === 'LAYOUT_UNSUPPORTED' &&
        error.errors.length === 2,
    );
  });
});
