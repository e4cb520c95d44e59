import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { AttestationProblem, decodeAttestationPayload } from './attestation.js';
import { canonicalJson } from './jcs.js';
import { makeRealBundles } from './testing/real-bundles.js';

describe('decodeAttestationPayload: the v1 rules on a real payload', () => {
  let statement: Record<string, unknown>;
  const encode = (value: unknown) => new TextEncoder().encode(canonicalJson(value));
  const code = async (bytes: Uint8Array) =>
    decodeAttestationPayload(bytes).then(
      () => 'accepted',
      (error: unknown) => (error instanceof AttestationProblem ? `${error.code}: ${error.message}` : String(error)),
    );

  before(async () => {
    const real = await makeRealBundles();
    const leaf = await real.addDevice({ serial: 'SN9' });
    await real.checkpoint();
    const bundle = (await real.bundleOf(leaf)) as { attestation: { payload: string } };
    statement = JSON.parse(Buffer.from(bundle.attestation.payload, 'base64').toString('utf8')) as Record<
      string,
      unknown
    >;
  });

  it('accepts the payload as produced, and refuses it when not canonical', async () => {
    assert.equal(await code(encode(statement)), 'accepted');
    assert.match(
      await code(new TextEncoder().encode(JSON.stringify(statement, null, 1))),
      /ATTESTATION_MALFORMED: .*canonical/,
    );
  });

  it('refuses an unknown field, a missing field, a wrong digest and unmasked secret bytes', async () => {
    assert.match(await code(encode({ ...statement, extra: 1 })), /ATTESTATION_MALFORMED: .*extra/);
    const { jobId: _omitted, ...missing } = statement;
    assert.match(await code(encode(missing)), /ATTESTATION_MALFORMED: .*jobId/);
    const otp = statement['otp'] as Record<string, unknown>;
    assert.match(await code(encode({ ...statement, otp: { ...otp, dataSha256: '00'.repeat(32) } })), /dataSha256/);
    const dataHex = otp['dataHex'] as string;
    const unmasked = `${dataHex.slice(0, 64)}ff${dataHex.slice(66)}`; // byte 32: inside the secret field
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', Buffer.from(unmasked, 'hex'))).toString('hex');
    assert.match(
      await code(encode({ ...statement, otp: { ...otp, dataHex: unmasked, dataSha256: digest } })),
      /ATTESTATION_SECRET_BYTES_PRESENT/,
    );
    assert.match(await code(encode({ ...statement, formatVersion: 2 })), /ATTESTATION_UNSUPPORTED_VERSION/);
  });

  it('refuses fields outside their rules (identifiers, times, ranges)', async () => {
    assert.match(await code(encode({ ...statement, serial: 'SN 1' })), /serial does not follow/);
    assert.match(await code(encode({ ...statement, provisionedAt: '2030-03-04T05:06:07Z' })), /provisionedAt/);
    const chip = statement['chip'] as Record<string, unknown>;
    assert.match(await code(encode({ ...statement, chip: { ...chip, productId: 0x10000 } })), /chip.productId/);
    assert.match(await code(encode({ ...statement, chip: { ...chip, uidHex: '' } })), /chip.uidHex/);
  });
});
