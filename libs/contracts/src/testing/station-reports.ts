// Test support: station report bodies about a known F4 chip, for the tests of the contract and of
// both apps (the API's judgement specs build theirs on top).
import { bytesToHex } from '#ingrain/encoding';
import { type ChipFamily } from '#ingrain/otp';
import { type StationReportBody } from '../station-report.js';

export const BOUND_UID = '0123456789abcdef01234567';
export const F4_PRODUCT_ID = 0x413;

/** What a station read back from a chip: OTP data (secret bytes zeroed) and lock bytes. */
export interface ReadBack {
  readonly family: ChipFamily;
  readonly otpData: Uint8Array;
  readonly lockBytes: Uint8Array;
}

/** 512 bytes of F4 OTP: blocks 0-1 hold data, a secret field at bytes 32-47 (zeroed), rest blank; blocks 0-1 locked. */
export function f4ReadBack(): ReadBack {
  const otpData = new Uint8Array(512).fill(0xff);
  for (let i = 0; i < 32; i++) otpData[i] = (i * 7 + 3) & 0x7f;
  otpData.fill(0x00, 32, 48);
  const lockBytes = new Uint8Array(16).fill(0xff);
  lockBytes.fill(0x00, 0, 2);
  return { family: 'stm32f4', otpData, lockBytes };
}

/** A report body saying the chip now holds exactly `readBack` (override any member). */
export function successReportBody(readBack: ReadBack, overrides: Partial<StationReportBody> = {}): StationReportBody {
  return {
    outcome: 'provisioned',
    chipUid: BOUND_UID,
    productId: F4_PRODUCT_ID,
    family: readBack.family,
    otpData: bytesToHex(readBack.otpData),
    lockBytes: bytesToHex(readBack.lockBytes),
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
