import { Inject, Injectable } from '@nestjs/common';
import { type Layout } from '#ingrain/otp';
import { bytesToHex } from '#ingrain/encoding';
import type { Principal } from '../auth/principal.js';
import { LayoutCache, type ResolvedLayout } from '../catalogue/layout-cache.js';
import {
  bindingNotFound,
  chipAlreadyBound,
  deviceNotFound,
  deviceStateConflict,
  identityBoundElsewhere,
} from '../device-requests/provisioning-errors.js';
import { AppError } from '../errors/app-error.js';
import { IdentityService } from '../identity/identity.service.js';
import { storedIdentityOf } from '../identity/stored-device.js';
import type { ClaimedDevice, ClaimedImage } from '../repositories/device-records.js';
import { DeviceRepository } from '../repositories/device-repository.js';
import { expectedLockBytes } from '../results/result-judgement.js';
import { sealClaimedImage } from './claim-sealing.js';
import type { ChipBinding, ClaimRequest, DeviceClaim } from './claims.schemas.js';
import { assertOnLine, type ClaimingStation, deviceOtherLine, StationScope } from './station-scope.js';

/**
 * The station's claim (docs/api.md, "Device state machine"): binds a queued identity to the chip
 * the station holds — one conditional UPDATE guarded by the unique chip UID, so it holds across API
 * processes — and hands over the intended image with its secrets re-derived now and sealed to the
 * claiming station's key (docs/sealing.md), the only place they ever travel. The binding is the fence that makes an at-least-once job queue safe. A station
 * claims and looks up only devices of its own line ({@link StationScope}); the same chip at another
 * station of the line takes the device over (a `handed-over` event names both stations).
 */
@Injectable()
export class ClaimsService {
  constructor(
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(IdentityService) private readonly identities: IdentityService,
    @Inject(LayoutCache) private readonly layouts: LayoutCache,
    @Inject(StationScope) private readonly scope: StationScope,
  ) {}

  /**
   * Binds the device to the chip (or confirms the binding when this chip already holds it) and
   * returns the image: its public part in clear, its secret ranges sealed to the station, bound to
   * device, chip UID, the station's `claimId` and station. A claim that is refused changes nothing.
   *
   * @throws AppError STATION_TOKEN_REQUIRED, STATION_SEALING_KEY_MISSING, DEVICE_NOT_FOUND,
   *   DEVICE_OTHER_LINE (nothing bound or handed out); IDENTITY_BOUND_ELSEWHERE (another chip holds the
   *   identity), CHIP_ALREADY_BOUND (`deviceId`: the chip holds another identity), DEVICE_STATE_CONFLICT
   *   (`state`: provisioned, quarantined or scrapped); AppError IDENTITY_RECORD_INVALID, CertificateError
   *   or HsmError when the first claim's certificate cannot be issued (nothing bound); AppError
   *   IDENTITY_RECORD_INVALID / IDENTITY_SECRET_MISMATCH and HsmError when the secrets cannot be
   *   re-materialized (the binding stays; the device must then be investigated, released or
   *   scrapped — never written).
   */
  async claim(deviceId: string, request: ClaimRequest, principal: Principal): Promise<DeviceClaim> {
    const station = await this.scope.claimingStationOf(principal);
    const chipUid = Buffer.from(request.chipUid, 'hex');
    const result = await this.devices.claim(deviceId, chipUid, station.id, {
      line: station.line,
      certify: (device) => this.#certify(device, bytesToHex(chipUid)),
    });
    switch (result.outcome) {
      case 'claimed':
      case 'already-claimed-by-this-chip':
      case 'handed-over':
        return this.#withImage(result, station, request);
      case 'other-line':
        throw deviceOtherLine(deviceId);
      case 'bound-to-other-chip':
        throw identityBoundElsewhere(deviceId);
      case 'chip-bound-to-other-device':
        throw chipAlreadyBound(result.deviceId);
      case 'not-claimable':
        throw deviceStateConflict(
          result.state,
          'claim',
          `device ${deviceId} is ${result.state}: it can no longer be claimed`,
        );
      case 'not-found':
        throw deviceNotFound(deviceId);
    }
  }

  /**
   * The device a chip is bound to, if it is of the station's line (any station of the line may
   * finish a moved chip). @throws AppError BINDING_NOT_FOUND, DEVICE_OTHER_LINE.
   */
  async binding(chipUid: string, principal: Principal): Promise<ChipBinding> {
    const station = await this.scope.stationOf(principal);
    const bound = await this.devices.bindingOf(Buffer.from(chipUid, 'hex'));
    if (bound === undefined) throw bindingNotFound();
    assertOnLine(station, bound.id, bound.line);
    return { deviceId: bound.id, state: bound.state };
  }

  /**
   * The chip-bound certificate of a device claimed for the first time (docs/certificates.md, "When
   * the certificate is issued"): the repository calls this under the claim's row lock and stores
   * it in the claim's transaction, so it is issued once and reused by every re-claim (a job run
   * twice, a station crash, a hand-over); a device requested before chip binding keeps the
   * certificate it has, and a failed issuance leaves the device unclaimed.
   */
  async #certify(device: ClaimedDevice, chipUidHex: string): Promise<{ der: Uint8Array; sha256: Uint8Array }> {
    if (device.publicKeySpki === null) {
      throw new AppError('IDENTITY_RECORD_INVALID', `device ${device.id} has no public key on record`);
    }
    const certificate = await this.identities.certify({
      product: device.productId,
      serial: device.serial,
      publicKeySpkiDer: device.publicKeySpki,
      chipUidHex,
    });
    return { der: certificate.der, sha256: Buffer.from(certificate.fingerprintSha256, 'hex') };
  }

  async #withImage(
    { device, sealedPrivateKey }: ClaimedImage,
    station: ClaimingStation,
    request: ClaimRequest,
  ): Promise<DeviceClaim> {
    try {
      const resolved = await this.layouts.get(device.productId, device.layoutVersion);
      const image = await this.identities.rematerialize(
        storedIdentityOf(device, sealedPrivateKey ?? undefined),
        resolved.layout,
      );
      try {
        const secretRanges = secretRangesOf(resolved.layout);
        const { publicData, sealedSecrets } = sealClaimedImage(image.data, secretRanges, station.sealingPublicKey, {
          deviceId: device.id,
          chipUid: request.chipUid,
          claimId: request.claimId,
          stationId: station.id,
        });
        return { ...claimView(device, resolved, publicData, secretRanges), claimId: request.claimId, sealedSecrets };
      } finally {
        image.data.fill(0);
      }
    } finally {
      sealedPrivateKey?.fill(0);
    }
  }
}

function claimView(
  device: ClaimedDevice,
  { record, layout }: ResolvedLayout,
  publicData: Uint8Array,
  secretRanges: DeviceClaim['secretRanges'],
): Omit<DeviceClaim, 'claimId' | 'sealedSecrets'> {
  return {
    deviceId: device.id,
    productId: device.productId,
    serial: device.serial,
    layoutVersion: device.layoutVersion,
    state: 'claimed',
    chipUid: bytesToHex(device.chipUid ?? new Uint8Array()),
    stationId: device.stationId,
    jobId: device.jobId,
    layout: { name: layout.name, version: record.version, digestSha256: record.digest },
    image: {
      family: layout.family,
      dataHex: bytesToHex(publicData),
      lockedBlocks: [...device.lockBlocks],
      lockBytesHex: bytesToHex(expectedLockBytes({ family: layout.family, lockedBlocks: device.lockBlocks })),
    },
    secretRanges,
  };
}

function secretRangesOf(layout: Layout): DeviceClaim['secretRanges'] {
  return layout.fields
    .filter((field) => field.secret)
    .map((field) => ({ name: field.name, offsetBytes: field.otpOffsetBytes, lengthBytes: field.sizeBytes }));
}
