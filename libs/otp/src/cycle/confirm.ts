// Confirmed reads: AN3155 Read Memory, Get and Get ID replies carry no checksum (AN3155 §3.1,
// §3.3, §3.4) and a pty carries no parity (docs/hardware.md §pty), so one read proves nothing when a
// decision cannot be undone. A decision that is final, or a write, rests on two reads that agree.
import { type BootloaderClient, type WireStats } from '../bootloader/index.js';
import { type OtpState } from '../image/otp-image.js';
import { addWire, type DeviceSnapshot, wireSince } from './device-io.js';
import { UnconfirmedReadError } from './errors.js';
import { type ConfirmReadStats, type VerifyMismatch } from './types.js';
import { findMismatches } from './verify.js';

const NO_WIRE: WireStats = { bytesSent: 0, bytesReceived: 0, roundTrips: 0 };

/** Measures the confirming reads of one cycle: how many, their wire traffic and their time. */
export class ConfirmationLedger {
  private count = 0;
  private durationMs = 0;
  private wire = NO_WIRE;

  constructor(
    private readonly client: BootloaderClient,
    private readonly clock: () => number,
  ) {}

  get stats(): ConfirmReadStats {
    return { count: this.count, wire: this.wire, durationMs: this.durationMs };
  }

  /** Runs `read` as a confirming read; it is counted even when it throws. */
  async run<T>(read: () => Promise<T>): Promise<T> {
    const wireBefore = this.client.wireStats;
    const startMs = this.clock();
    try {
      return await read();
    } finally {
      this.count += 1;
      this.durationMs += this.clock() - startMs;
      this.wire = addWire(this.wire, wireSince(this.client, wireBefore));
    }
  }
}

/** Every byte of `actual` that differs from `expected`, data first, then lock bytes. */
export function stateMismatches(expected: OtpState, actual: OtpState): VerifyMismatch[] {
  return [
    ...findMismatches('data', expected.data, actual.data),
    ...findMismatches('lock', expected.lockBytes, actual.lockBytes),
  ];
}

/**
 * Throws READ_UNSTABLE when two reads of `what` differ. The message names how many bytes differ and
 * where the first one is, never a value (the bytes may be secret).
 */
export function assertSameState(what: string, first: OtpState, second: OtpState): void {
  const differences = stateMismatches(first, second);
  const head = differences[0];
  if (head === undefined) return;
  const where = head.region === 'data' ? `data offset ${head.offsetBytes}` : `lock byte ${head.offsetBytes}`;
  throw new UnconfirmedReadError(
    'READ_UNSTABLE',
    `two reads of ${what} differ in ${differences.length} byte(s), first at ${where}: the link corrupts data; nothing was written because of them`,
  );
}

/** Throws READ_UNSTABLE when two snapshots (UID, OTP data, lock bytes) differ. */
export function assertSameSnapshot(first: DeviceSnapshot, second: DeviceSnapshot): void {
  if (first.uidHex !== second.uidHex) {
    throw new UnconfirmedReadError(
      'READ_UNSTABLE',
      'two reads of the unique device ID differ: the link corrupts data; nothing was written',
    );
  }
  assertSameState('the OTP data and lock bytes', first.state, second.state);
}

/** A read-back the cycle may act on: the state read and how it differs from the expected one. */
export interface ReadBack {
  readonly state: OtpState;
  readonly mismatches: readonly VerifyMismatch[];
}

/**
 * Reads back with `read` and compares with `expected`. A read equal to `expected` is trusted as it
 * is (corruption turning wrong bytes into exactly the expected ones is not a credible event). A
 * mismatch is read again through `ledger`: two equal reads give the mismatches (a real
 * verification failure); two different reads throw READ_UNSTABLE (the link, not the chip, is in
 * doubt: the next run decides from fresh confirmed reads).
 */
export async function confirmedReadBack(
  what: string,
  read: () => Promise<OtpState>,
  expected: OtpState,
  ledger: ConfirmationLedger,
): Promise<ReadBack> {
  const state = await read();
  const mismatches = stateMismatches(expected, state);
  if (mismatches.length === 0) return { state, mismatches };
  assertSameState(what, state, await ledger.run(read));
  return { state, mismatches };
}
