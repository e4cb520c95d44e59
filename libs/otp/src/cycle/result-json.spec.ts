import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cycleResultToJson, deviceReadoutToJson } from './result-json.js';
import { type CycleResult } from './types.js';
import { findMismatches } from './verify.js';

const base: CycleResult = {
  outcome: 'verify-failed',
  family: 'stm32f4',
  productId: 0x413,
  bootloaderVersion: 0x31,
  uid: 'a0a1a2a3a4a5a6a7a8a9aaab',
  otpData: Uint8Array.of(0x01, 0xab, 0xcd, 0xff),
  lockBytes: Uint8Array.of(0x00, 0xff),
  bytesWritten: 3,
  blocksLocked: 0,
  plan: { kind: 'write', dataChunks: 1, bytesToProgram: 3, blocksToLock: [0], lockChunks: 1, conflicts: 0 },
  conflicts: [{ reason: 'byte-conflict', block: 0, offsetBytes: 2, expected: 0x11, actual: 0xcd }],
  mismatches: [
    { region: 'data', offsetBytes: 0, expected: 0x00, actual: 0x01 },
    { region: 'data', offsetBytes: 2, expected: 0x11, actual: 0xcd },
    { region: 'lock', offsetBytes: 1, expected: 0x00, actual: 0xff },
  ],
  error: undefined,
  durationsMs: { connect: 1, identify: 1, read: 1, plan: 0, write: 2, verify: 1, lock: 0 },
  totalMs: 6,
  wire: { bytesSent: 10, bytesReceived: 20, roundTrips: 4 },
  confirmReads: { count: 2, wire: { bytesSent: 3, bytesReceived: 8, roundTrips: 2 }, durationMs: 1.5 },
};

describe('cycleResultToJson', () => {
  test('renders bytes as hex and absent values as null; survives JSON.stringify', () => {
    const json = cycleResultToJson({ ...base, uid: undefined, error: undefined });
    assert.equal(json.otpData, '01abcdff');
    assert.equal(json.lockBytes, '00ff');
    assert.equal(json.uid, null);
    assert.equal(json.error, null);
    const parsed = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
    assert.equal(parsed.otpData, '01abcdff');
    assert.deepEqual(parsed.wire, { bytesSent: 10, bytesReceived: 20, roundTrips: 4 });
    assert.deepEqual(parsed.confirmReads, {
      count: 2,
      wire: { bytesSent: 3, bytesReceived: 8, roundTrips: 2 },
      durationMs: 1.5,
    });
  });

  test('never-read OTP renders as null', () => {
    const json = cycleResultToJson({ ...base, otpData: undefined, lockBytes: undefined, plan: undefined });
    assert.equal(json.otpData, null);
    assert.equal(json.lockBytes, null);
    assert.equal(json.plan, null);
  });

  test('redacted ranges hide data bytes, mismatch values and conflict values', () => {
    const json = cycleResultToJson(base, { redact: [{ offsetBytes: 1, lengthBytes: 2 }] });
    assert.equal(json.otpData, '01****ff');
    assert.deepEqual(json.mismatches, [
      { region: 'data', offsetBytes: 0, expected: 0x00, actual: 0x01 },
      { region: 'data', offsetBytes: 2, expected: null, actual: null },
      { region: 'lock', offsetBytes: 1, expected: 0x00, actual: 0xff },
    ]);
    assert.deepEqual(json.conflicts, [
      { reason: 'byte-conflict', block: 0, offsetBytes: 2, expected: null, actual: null },
    ]);
    assert.ok(!JSON.stringify(json).includes('cd'));
  });
});

describe('deviceReadoutToJson', () => {
  test('renders and redacts the same way', () => {
    const json = deviceReadoutToJson(
      {
        family: 'stm32f4',
        productId: 0x413,
        bootloaderVersion: 0x31,
        uid: 'aa',
        otpData: Uint8Array.of(1, 2, 3),
        lockBytes: Uint8Array.of(0xff),
        wire: { bytesSent: 1, bytesReceived: 2, roundTrips: 1 },
      },
      { redact: [{ offsetBytes: 0, lengthBytes: 1 }] },
    );
    assert.equal(json.otpData, '**0203');
    assert.equal(json.lockBytes, 'ff');
  });
});

describe('findMismatches', () => {
  test('lists every differing offset, and length differences', () => {
    assert.deepEqual(findMismatches('data', Uint8Array.of(1, 2, 3), Uint8Array.of(1, 9, 3)), [
      { region: 'data', offsetBytes: 1, expected: 2, actual: 9 },
    ]);
    assert.deepEqual(findMismatches('lock', Uint8Array.of(0), Uint8Array.of()), [
      { region: 'lock', offsetBytes: 0, expected: 0, actual: -1 },
    ]);
    assert.deepEqual(findMismatches('data', Uint8Array.of(), Uint8Array.of()), []);
  });
});
