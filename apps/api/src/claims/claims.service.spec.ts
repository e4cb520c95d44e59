import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { mergeClaimSecrets } from '#ingrain/contracts';
import { openAsStation } from '#ingrain/crypto';
import { testStationKey } from '#ingrain/crypto/testing';
import { type OtpImage, parseLayout } from '#ingrain/otp';
import { LayoutCache } from '../catalogue/layout-cache.js';
import { IdentityService } from '../identity/identity.service.js';
import type { ClaimedDevice } from '../repositories/device-records.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { automock, type Automocked, callsOf, resolves, stub } from '../testing/automock.js';
import { stationTokenRequired } from '../device-requests/provisioning-errors.js';
import {
  CHIP_UID,
  claimedDevice,
  DEVICE_ID,
  mesPrincipal,
  OTHER_DEVICE_ID,
  layoutRecord,
  resolvedLayout,
  STATION_ID,
  stationPrincipal,
} from '../testing/fixtures.js';
import { ClaimsService } from './claims.service.js';
import { AppError } from '../errors/app-error.js';
import { StationScope } from './station-scope.js';

const CHIP_HEX = Buffer.from(CHIP_UID).toString('hex');
const CLAIM_ID = 'claim-1';
const REQUEST = { chipUid: CHIP_HEX, claimId: CLAIM_ID };
const STATION_KEY = testStationKey();
const ACTING = { id: STATION_ID, line: 'line-1' };
const STATION = { ...ACTING, sealingPublicKey: STATION_KEY.publicKey };
const CERT = { der: Uint8Array.of(0x30, 0x01), sha256: new Uint8Array(32).fill(0xc1) };
const SPKI = Uint8Array.of(0x30, 0x59);
/** A claimed device whose chip-bound certificate was stored at its first claim. */
const certifiedDevice = (overrides: Parameters<typeof claimedDevice>[0] = {}) => ({
  ...claimedDevice({ publicKeySpki: SPKI, certificateDer: CERT.der, certificateSha256: CERT.sha256, ...overrides }),
  certified: true,
});
/** What the repository's claim hands over: the device and its sealed key (none by default). */
const image = (device: ClaimedDevice, sealedPrivateKey: Uint8Array | null = null) => ({ device, sealedPrivateKey });

describe('ClaimsService', () => {
  let devices: Automocked<DeviceRepository>;
  let identities: Automocked<IdentityService>;
  let layouts: Automocked<LayoutCache>;
  let scope: Automocked<StationScope>;
  let service: ClaimsService;
  let data: Uint8Array;

  beforeEach(() => {
    devices = automock(DeviceRepository);
    identities = automock(IdentityService);
    layouts = automock(LayoutCache);
    scope = automock(StationScope);
    service = new ClaimsService(devices, identities, layouts, scope);
    data = new Uint8Array(512).fill(0x5a);
    resolves(layouts, 'get', resolvedLayout());
    resolves(identities, 'rematerialize', { data } as unknown as OtpImage);
    resolves(scope, 'claimingStationOf', STATION);
    resolves(scope, 'stationOf', ACTING);
  });

  test('only a station token may claim', async () => {
    stub(scope, 'claimingStationOf', () => Promise.reject(stationTokenRequired()));
    await assert.rejects(service.claim(DEVICE_ID, REQUEST, mesPrincipal()), { code: 'STATION_TOKEN_REQUIRED' });
    assert.equal(callsOf(devices, 'claim').length, 0);
  });

  test('a station without a sealing key: STATION_SEALING_KEY_MISSING before anything is bound', async () => {
    stub(scope, 'claimingStationOf', () =>
      Promise.reject(new AppError('STATION_SEALING_KEY_MISSING', 'no key', { extensions: { stationId: STATION_ID } })),
    );
    await assert.rejects(service.claim(DEVICE_ID, REQUEST, stationPrincipal()), {
      code: 'STATION_SEALING_KEY_MISSING',
    });
    assert.equal(callsOf(devices, 'claim').length, 0);
    assert.equal(callsOf(identities, 'rematerialize').length, 0);
  });

  test('secret ranges leave zeroed in clear and sealed to the station, bound to device, chip, claim and station', async () => {
    const layout = parseLayout(
      'name: unit\nversion: 1\nfamily: stm32f4\nfields:\n' +
        '  - { name: label, block: 0, offset: 0, type: ascii, length: 8, source: input }\n' +
        '  - { name: pin, block: 1, offset: 0, type: ascii, length: 8, source: input, secret: true }\nlock: [0]\n',
    );
    resolves(layouts, 'get', { record: layoutRecord(), layout });
    data.fill(0x5a);
    data.fill(0xa7, 32, 40);
    resolves(devices, 'claim', { outcome: 'claimed', ...image(certifiedDevice()) });
    const claim = await service.claim(DEVICE_ID, REQUEST, stationPrincipal());
    assert.deepEqual(claim.secretRanges, [{ name: 'pin', offsetBytes: 32, lengthBytes: 8 }]);
    assert.equal(claim.claimId, CLAIM_ID);
    assert.equal(claim.image.dataHex, `${'5a'.repeat(32)}${'00'.repeat(8)}${'5a'.repeat(472)}`);
    assert.doesNotMatch(JSON.stringify(claim), /a7a7|p6en/i, 'no secret byte in clear (hex or base64)');
    const binding = { deviceId: DEVICE_ID, chipUid: CHIP_HEX, claimId: CLAIM_ID, stationId: STATION_ID };
    const plaintext = openAsStation({
      stationPrivateKey: STATION_KEY.privateKey,
      envelope: claim.sealedSecrets,
      binding,
    });
    const merged = Uint8Array.from(Buffer.from(claim.image.dataHex, 'hex'));
    mergeClaimSecrets(merged, plaintext, claim.secretRanges);
    assert.deepEqual(
      merged.subarray(30, 42),
      Uint8Array.from([0x5a, 0x5a, ...new Array<number>(8).fill(0xa7), 0x5a, 0x5a]),
    );
    assert.throws(
      () =>
        openAsStation({
          stationPrivateKey: STATION_KEY.privateKey,
          envelope: claim.sealedSecrets,
          binding: { ...binding, claimId: 'claim-2' },
        }),
      { code: 'SEAL_OPEN_FAILED' },
    );
  });

  test("a device of another line: DEVICE_OTHER_LINE, the claim bound to the station's line, nothing re-materialized", async () => {
    resolves(devices, 'claim', { outcome: 'other-line' });
    await assert.rejects(service.claim(DEVICE_ID, REQUEST, stationPrincipal()), { code: 'DEVICE_OTHER_LINE' });
    assert.equal(callsOf(devices, 'claim')[0]?.[3]?.line, 'line-1');
    assert.equal(callsOf(identities, 'rematerialize').length, 0);
    assert.equal(callsOf(identities, 'certify').length, 0);
  });

  test('the same chip at another station of the line: handed over, with its image', async () => {
    resolves(devices, 'claim', {
      outcome: 'handed-over',
      ...image(certifiedDevice({ stationId: 'st-2' })),
      fromStationId: STATION_ID,
    });
    const claim = await service.claim(DEVICE_ID, REQUEST, stationPrincipal('st-2'));
    assert.equal(claim.stationId, 'st-2');
    assert.equal(claim.image.dataHex, '5a'.repeat(512));
  });

  test('a claimed device is handed over with its image, then the image is zeroed', async () => {
    resolves(devices, 'claim', { outcome: 'claimed', ...image(certifiedDevice()) });
    const claim = await service.claim(DEVICE_ID, REQUEST, stationPrincipal());
    const [[id, chipUid, stationId, options]] = callsOf(devices, 'claim') as [Parameters<DeviceRepository['claim']>];
    assert.deepEqual(
      [id, chipUid, stationId, options?.line],
      [DEVICE_ID, Buffer.from(CHIP_HEX, 'hex'), STATION_ID, 'line-1'],
    );
    assert.equal(claim.state, 'claimed');
    assert.equal(claim.chipUid, CHIP_HEX);
    assert.equal(claim.image.dataHex, '5a'.repeat(512));
    assert.ok(
      data.every((byte) => byte === 0),
      'the re-materialized image is zeroed after use',
    );
    assert.equal(callsOf(identities, 'rematerialize')[0]?.[0].sealedSecrets, null, 'no sealed key');
  });

  test('a repeated claim by the same chip is handed over again, with the sealed key read and zeroed', async () => {
    const sealed = new Uint8Array([1, 2, 3]);
    resolves(devices, 'claim', { outcome: 'already-claimed-by-this-chip', ...image(certifiedDevice(), sealed) });
    await service.claim(DEVICE_ID, REQUEST, stationPrincipal());
    assert.deepEqual(callsOf(identities, 'rematerialize')[0]?.[0].sealedSecrets, sealed);
    assert.deepEqual(sealed, new Uint8Array(3));
  });

  test('the sealed key is zeroed when re-materializing fails too', async () => {
    const sealed = new Uint8Array([1, 2, 3]);
    resolves(devices, 'claim', { outcome: 'claimed', ...image(certifiedDevice(), sealed) });
    stub(identities, 'rematerialize', () => Promise.reject(new AppError('IDENTITY_SECRET_MISMATCH', 'x')));
    await assert.rejects(service.claim(DEVICE_ID, REQUEST, stationPrincipal()), { code: 'IDENTITY_SECRET_MISMATCH' });
    assert.deepEqual(sealed, new Uint8Array(3));
  });

  const refusals = [
    [{ outcome: 'not-found' }, 'DEVICE_NOT_FOUND'],
    [{ outcome: 'bound-to-other-chip' }, 'IDENTITY_BOUND_ELSEWHERE'],
    [{ outcome: 'chip-bound-to-other-device', deviceId: OTHER_DEVICE_ID }, 'CHIP_ALREADY_BOUND'],
    [{ outcome: 'not-claimable', state: 'provisioned' }, 'DEVICE_STATE_CONFLICT'],
  ] as const;
  for (const [result, code] of refusals) {
    test(`claim outcome ${result.outcome}: ${code}, nothing handed over`, async () => {
      resolves(devices, 'claim', result);
      await assert.rejects(service.claim(DEVICE_ID, REQUEST, stationPrincipal()), { code });
      assert.equal(callsOf(identities, 'rematerialize').length, 0);
    });
  }

  test('binding: the device a chip is bound to, or BINDING_NOT_FOUND', async () => {
    resolves(devices, 'bindingOf', { id: DEVICE_ID, state: 'claimed', line: ACTING.line });
    assert.deepEqual(await service.binding(CHIP_HEX, stationPrincipal()), { deviceId: DEVICE_ID, state: 'claimed' });
    assert.deepEqual(callsOf(devices, 'bindingOf'), [[Buffer.from(CHIP_HEX, 'hex')]]);
    resolves(devices, 'bindingOf', undefined);
    await assert.rejects(service.binding(CHIP_HEX, stationPrincipal()), { code: 'BINDING_NOT_FOUND' });
  });

  test("binding: a chip holding a device of another line is not the station's to see", async () => {
    resolves(devices, 'bindingOf', { id: DEVICE_ID, state: 'claimed', line: 'line-2' });
    await assert.rejects(service.binding(CHIP_HEX, stationPrincipal()), {
      code: 'DEVICE_OTHER_LINE',
      extensions: { deviceId: DEVICE_ID },
    });
  });

  describe('chip-bound certificate (docs/certificates.md)', () => {
    const issued = { der: Uint8Array.of(0x30, 0x02), fingerprintSha256: 'ab'.repeat(32) };

    test('the first claim issues the certificate for the claimed chip, for the repository to store under its lock', async () => {
      const fresh = { ...claimedDevice({ publicKeySpki: SPKI }), certified: false };
      resolves(identities, 'certify', issued as never);
      const stored: unknown[] = [];
      stub(devices, 'claim', async (_id, _chip, _station, options) => {
        assert.ok(options?.certify);
        stored.push(await options.certify(fresh));
        return { outcome: 'claimed', ...image({ ...fresh, certified: true }) };
      });
      await service.claim(DEVICE_ID, REQUEST, stationPrincipal());
      assert.deepEqual(callsOf(identities, 'certify'), [
        [{ product: fresh.productId, serial: fresh.serial, publicKeySpkiDer: SPKI, chipUidHex: CHIP_HEX }],
      ]);
      assert.deepEqual(stored, [{ der: issued.der, sha256: Buffer.from(issued.fingerprintSha256, 'hex') }]);
    });

    test('a re-claim by the same chip (job run twice, station crash) reuses the stored certificate', async () => {
      resolves(devices, 'claim', { outcome: 'already-claimed-by-this-chip', ...image(certifiedDevice()) });
      await service.claim(DEVICE_ID, REQUEST, stationPrincipal());
      resolves(devices, 'claim', { outcome: 'handed-over', ...image(certifiedDevice()), fromStationId: 'st-2' });
      await service.claim(DEVICE_ID, REQUEST, stationPrincipal());
      assert.equal(callsOf(identities, 'certify').length, 0, 'never a second certificate');
    });

    test('a claim by another chip keeps the refusal and issues nothing', async () => {
      resolves(devices, 'claim', { outcome: 'bound-to-other-chip' });
      await assert.rejects(service.claim(DEVICE_ID, REQUEST, stationPrincipal()), { code: 'IDENTITY_BOUND_ELSEWHERE' });
      assert.equal(callsOf(identities, 'certify').length, 0);
    });

    test('a device without a public key on record: IDENTITY_RECORD_INVALID, nothing issued or handed out', async () => {
      stub(devices, 'claim', async (_id, _chip, _station, options) => {
        await options?.certify?.({ ...claimedDevice(), certified: false });
        return { outcome: 'claimed', ...image(certifiedDevice()) };
      });
      await assert.rejects(service.claim(DEVICE_ID, REQUEST, stationPrincipal()), { code: 'IDENTITY_RECORD_INVALID' });
      assert.equal(callsOf(identities, 'certify').length, 0);
      assert.equal(callsOf(identities, 'rematerialize').length, 0);
    });
  });
});
