// Test support (not exported): an intended F4 image and station reports about it, built on the
// contract's report fixtures.
import { parseStationReport, type StationReport, type StationReportBody } from '#ingrain/contracts';
import { successReportBody } from '#ingrain/contracts/testing';
import { type ChipFamily } from '#ingrain/otp';
import { expectedLockBytes, type IntendedImage } from '../result-judgement.js';

export { BOUND_UID, F4_PRODUCT_ID } from '#ingrain/contracts/testing';

/** 512 bytes of F4 OTP: blocks 0-1 hold data, a secret field at bytes 32-47 (zeroed), rest blank. */
export function intendedF4(): IntendedImage {
  const data = new Uint8Array(512).fill(0xff);
  for (let i = 0; i < 32; i++) data[i] = (i * 7 + 3) & 0x7f;
  data.fill(0x00, 32, 48);
  return {
    family: 'stm32f4' satisfies ChipFamily,
    dataWithSecretsZeroed: data,
    lockedBlocks: [0, 1],
    secretRanges: [{ name: 'pairing_key', offsetBytes: 32, lengthBytes: 16 }],
  };
}

/** A report body saying the chip now holds exactly `intended` (override any member). */
export function successBody(intended: IntendedImage, overrides: Partial<StationReportBody> = {}): StationReportBody {
  const readBack = {
    family: intended.family,
    otpData: intended.dataWithSecretsZeroed,
    lockBytes: expectedLockBytes(intended),
  };
  return successReportBody(readBack, overrides);
}

export function successReport(intended: IntendedImage, overrides: Partial<StationReportBody> = {}): StationReport {
  return parseStationReport(successBody(intended, overrides));
}

/** A parsed report with its data and lock bytes replaced (sizes unchanged). */
export function reportWith(intended: IntendedImage, data: Uint8Array, lockBytes: Uint8Array): StationReport {
  return { ...successReport(intended), otpData: data, lockBytes };
}
