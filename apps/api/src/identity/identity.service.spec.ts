import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { Hsm, type DeviceCertificateIssuer, type RandomSource } from '#ingrain/crypto';
import { parseLayout } from '#ingrain/otp';
import { automock, callsOf, type Automocked } from '../testing/automock.js';
import { PRODUCT_ID } from '../testing/fixtures.js';
import { IdentityService } from './identity.service.js';

const layout = parseLayout(
  [
    'name: unit',
    'version: 1',
    'family: stm32f4',
    'fields:',
    '  - { name: label, block: 0, offset: 0, type: ascii, length: 8, source: input }',
    '  - { name: pairing, block: 1, offset: 0, type: bytes, length: 16, source: generated, generator: derived-secret }',
    '',
  ].join('\n'),
);

/** The refusals issue() makes before any HSM work (the HSM paths are test/integration/identity-service). */
describe('IdentityService (decisions before the HSM)', () => {
  let hsm: Automocked<Hsm>;
  let identities: IdentityService;

  beforeEach(() => {
    hsm = automock(Hsm); // strict: any HSM call would throw "not mocked"
    identities = new IdentityService({
      hsm,
      issuer: {} as DeviceCertificateIssuer,
      random: {} as RandomSource,
    });
  });

  const issue = (serial: string, inputs: Record<string, unknown>) =>
    identities.issue({ product: PRODUCT_ID, serial, layout, inputs });

  test('a malformed serial: SERIAL_INVALID', async () => {
    await assert.rejects(issue('-bad serial', { label: 'A' }), { code: 'SERIAL_INVALID' });
    assert.equal(callsOf(hsm, 'generateDeviceKeyPair').length, 0);
  });

  test('an input for a generated field: IDENTITY_INPUT_INVALID', async () => {
    await assert.rejects(issue('SN1', { label: 'A', pairing: '00'.repeat(16) }), { code: 'IDENTITY_INPUT_INVALID' });
    assert.equal(callsOf(hsm, 'generateDeviceKeyPair').length, 0);
  });

  test('inputs that do not fit the layout: VALUES_INVALID', async () => {
    await assert.rejects(issue('SN1', { label: 'far too long for eight bytes' }), { code: 'VALUES_INVALID' });
    assert.equal(callsOf(hsm, 'generateDeviceKeyPair').length, 0);
  });
});
