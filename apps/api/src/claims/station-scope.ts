import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { deviceNotFound, stationTokenRequired } from '../device-requests/provisioning-errors.js';
import { AppError } from '../errors/app-error.js';
import type { DeviceRecord } from '../repositories/device-records.js';

/** The station a station token acts for, with its line. */
export interface ActingStation {
  readonly id: string;
  readonly line: string;
}

/** A station that may claim: it has a sealing public key registered (docs/sealing.md). */
export interface ClaimingStation extends ActingStation {
  /** The 65-byte uncompressed P-256 point the claim's secrets are sealed to. */
  readonly sealingPublicKey: Uint8Array;
}

/** The station a principal acts for. @throws AppError STATION_TOKEN_REQUIRED. */
export function stationOf(principal: Principal): string {
  if (principal.role !== 'station' || principal.stationId === null) throw stationTokenRequired();
  return principal.stationId;
}

/** DEVICE_OTHER_LINE: the device's product is made on another line than the station's. */
export function deviceOtherLine(deviceId: string): AppError {
  return new AppError('DEVICE_OTHER_LINE', `device ${deviceId} is made on another line than this station's`, {
    extensions: { deviceId },
  });
}

/** DEVICE_CLAIMED_BY_OTHER_STATION: only the station holding the device reports for it. */
export function deviceClaimedByOtherStation(deviceId: string): AppError {
  return new AppError(
    'DEVICE_CLAIMED_BY_OTHER_STATION',
    `device ${deviceId} is claimed by another station: claim it with its chip here first (a hand-over)`,
    { extensions: { deviceId } },
  );
}

/**
 * The scope of a station's actions (docs/api-domain.md, "Station scope"): a station belongs to one
 * line and acts only on devices of that line — claims, binding lookups and reports — and reports
 * only for a device it holds (claimed itself, or took over with the same chip). A device's line is
 * its product's. Each check runs before anything is bound, re-materialized or recorded.
 */
@Injectable()
export class StationScope {
  /**
   * The calling station and its line, as the token lookup read them (no query of its own).
   * @throws AppError STATION_TOKEN_REQUIRED (not a station token, or its station is not registered).
   */
  stationOf(principal: Principal): Promise<ActingStation> {
    // A throw in the executor rejects the promise, as an async method's would.
    return new Promise((resolve) => {
      const id = stationOf(principal);
      if (principal.stationLine === null) throw stationTokenRequired();
      resolve({ id, line: principal.stationLine });
    });
  }

  /**
   * The calling station, its line and its sealing public key: a station without one never gets a
   * claim answered (its secrets would travel in clear).
   * @throws AppError STATION_TOKEN_REQUIRED, STATION_SEALING_KEY_MISSING.
   */
  async claimingStationOf(principal: Principal): Promise<ClaimingStation> {
    const station = await this.stationOf(principal);
    if (principal.stationSealingKey === null) {
      throw new AppError(
        'STATION_SEALING_KEY_MISSING',
        `station ${station.id} has no sealing public key registered: nothing is bound or handed out`,
        { extensions: { stationId: station.id } },
      );
    }
    return { ...station, sealingPublicKey: principal.stationSealingKey };
  }
}

/**
 * A device's line (its product's, read with the device: undefined for an unknown device) checked
 * against the acting station's. @throws AppError DEVICE_NOT_FOUND, DEVICE_OTHER_LINE.
 */
export function assertOnLine(station: ActingStation, deviceId: string, line: string | undefined): void {
  if (line === undefined) throw deviceNotFound(deviceId);
  if (line !== station.line) throw deviceOtherLine(deviceId);
}

/** @throws AppError DEVICE_CLAIMED_BY_OTHER_STATION unless the station `stationId` holds the device. */
export function assertHeldBy(stationId: string, device: Pick<DeviceRecord, 'id' | 'stationId'>): void {
  if (device.stationId !== stationId) throw deviceClaimedByOtherStation(device.id);
}
