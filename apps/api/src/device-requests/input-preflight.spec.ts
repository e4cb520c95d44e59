import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLayout, ValuesValidationError } from '#ingrain/otp';
import { AppError } from '../errors/app-error.js';
import { preflightDeviceRequest } from './input-preflight.js';

const layout = parseLayout(`
name: preflight
version: 1
family: stm32f4
fields:
  - { name: serial, block: 0, offset: 0, type: ascii, length: 16, source: input }
  - { name: gain, block: 0, offset: 16, type: f32le, source: input }
  - { name: pubkey_hash, block: 1, offset: 0, type: bytes, length: 32, source: generated, generator: device-public-key-sha256 }
lock: [0, 1]
`);
const inputs = { gain: 1.5 };

const codeOf = (code: string) => (error: unknown) =>
  (error instanceof AppError || error instanceof ValuesValidationError) && error.code === code;

void describe('preflightDeviceRequest', () => {
  test('accepts inputs that render with placeholder generated values', () => {
    preflightDeviceRequest(layout, inputs);
    preflightDeviceRequest(layout, inputs, 'SN-000001');
  });

  test('accepts a serial input that repeats the serial', () => {
    preflightDeviceRequest(layout, { ...inputs, serial: 'SN-000001' }, 'SN-000001');
  });

  test('refuses a serial input that contradicts the serial, naming both fields and no value', () => {
    for (const serial of ['SN-A', undefined]) {
      assert.throws(
        () => preflightDeviceRequest(layout, { ...inputs, serial: 'SN-B' }, serial),
        (error: unknown) =>
          codeOf('IDENTITY_FIELDS_DISAGREE')(error) &&
          (error as AppError).errors.map((issue) => issue.path).join() === 'body.serial,body.inputs.serial' &&
          !JSON.stringify((error as AppError).errors).includes('SN-B'),
      );
    }
  });

  test('renders the serial field from the serial: one that does not fit is refused, naming body.serial', () => {
    assert.throws(
      () => preflightDeviceRequest(layout, inputs, 'SN-0123456789ABCDEF'),
      (error: unknown) =>
        codeOf('VALUES_INVALID')(error) &&
        (error as ValuesValidationError).issues.map((issue) => issue.path).join() === 'body.serial',
    );
  });

  test('refuses a serial outside the identifier rule', () => {
    assert.throws(() => preflightDeviceRequest(layout, inputs, 'bad serial'), codeOf('SERIAL_INVALID'));
  });

  test('refuses an input for a generated field, naming it', () => {
    assert.throws(
      () => preflightDeviceRequest(layout, { ...inputs, pubkey_hash: '00' }),
      (error: unknown) =>
        codeOf('IDENTITY_INPUT_INVALID')(error) &&
        (error as AppError).errors.map((issue) => issue.path).join() === 'body.inputs.pubkey_hash',
    );
  });

  test('refuses inputs that do not fit, naming each by its request path', () => {
    assert.throws(
      () => preflightDeviceRequest(layout, { gain: 'high', colour: 'red' }),
      (error: unknown) => {
        if (!codeOf('VALUES_INVALID')(error)) return false;
        const paths = (error as ValuesValidationError).issues.map((issue) => issue.path).sort();
        assert.deepEqual(paths, ['body.inputs.colour', 'body.inputs.gain']);
        return true;
      },
    );
  });
});
