// Test support (not exported): an intended F4 image and station reports about it.
import { bytesToHex, type ChipFamily } from '#ingrain/otp';
import { expectedLockBytes, type IntendedImage } from '../../results/result-judgement.js';
import { parseStationReport, type StationReport, type StationReportBody } from '../station-report.js';

export const BOUND_UID = '0123456789abcdef01234567';
export const F4_PRODUCT_ID = 0x413;

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
  return {
    outcome: 'provisioned',
    chipUid: BOUND_UID,
    productId: F4_PRODUCT_ID,
    family: intended.family,
    otpData: bytesToHex(intended.dataWithSecretsZeroed),
    lockBytes: bytesToHex(expectedLockBytes(intended)),
    bytesWritten: 48,
    blocksLocked: 2,
    durationsMs: { connect: 10, identify: 5, read: 40, plan: 0.2, write: 60, verify: 40, lock: 20 },
    totalMs: 175.2,
    wire: { bytesSent: 641, bytesReceived: 1637, roundTrips: 39 },
    confirmReads: { count: 2, wire: { bytesSent: 20, bytesReceived: 600, roundTrips: 6 }, durationMs: 30 },
    error: null,
    startedAt: '2030-03-04T05:06:07.000Z',
    finishedAt: '2030-03-04T05:06:07.175Z',
    jobId: 'job-42',
    ...overrides,
  };
}

export function successReport(intended: IntendedImage, overrides: Partial<StationReportBody> = {}): StationReport {
  return parseStationReport(successBody(intended, overrides));
}

/** A parsed report with its data and lock bytes replaced (sizes unchanged). */
export function reportWith(intended: IntendedImage, data: Uint8Array, lockBytes: Uint8Array): StationReport {
  return { ...successReport(intended), otpData: data, lockBytes };
}
