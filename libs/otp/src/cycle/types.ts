import { type ProtocolStage, type WireStats } from '../bootloader/index.js';
import { type OtpImage } from '../image/otp-image.js';
import { type Plan, type PlanConflict } from '../planner/plan.js';
import { type ChipFamily, type DeviceProfile } from '../profiles/index.js';

/** How a provisioning cycle ended. Every device-caused failure is one of these, never an exception. */
export type CycleOutcome =
  /** Data written, verified by read-back, locks written and verified. */
  | 'provisioned'
  /** The device already holds exactly the target (data and locks): nothing was written. */
  | 'already-provisioned'
  /** Dry run: the plan was made, nothing was written. */
  | 'planned'
  /** The device holds data or locks incompatible with the target: nothing was written, ever. */
  | 'conflict'
  /** A read-back differed from the target: nothing more was written (no lock, no retry). */
  | 'verify-failed'
  /** Get ID (or Get's command list) shows a chip the target is not for: nothing was written. */
  | 'wrong-device'
  /** The link or the protocol failed; the device is left resumable (run the cycle again). */
  | 'link-error';

/** Steps of a cycle, in order; each has a duration in the result. */
export type CyclePhase = 'connect' | 'identify' | 'read' | 'plan' | 'write' | 'verify' | 'lock';
export const CYCLE_PHASES: readonly CyclePhase[] = ['connect', 'identify', 'read', 'plan', 'write', 'verify', 'lock'];

export type CycleProgressEvent =
  | { readonly type: 'phase-start'; readonly phase: CyclePhase }
  | { readonly type: 'phase-end'; readonly phase: CyclePhase; readonly durationMs: number }
  | {
      /** A Write Memory chunk was ACKed (which proves nothing until the read-back). */
      readonly type: 'chunk-written';
      readonly phase: 'write' | 'lock';
      readonly index: number;
      readonly count: number;
      readonly address: number;
      readonly lengthBytes: number;
    };

export interface CycleOptions {
  /** Where the OTP is and how it is written; must be the target's family. */
  readonly profile: DeviceProfile;
  /** What the device must end up holding. */
  readonly target: OtpImage;
  /** Stop after planning (outcome 'planned'); nothing is written. */
  readonly dryRun?: boolean;
  /**
   * Called with the UID (hex) after a write plan is made and before the first write: the station's
   * claim hook. Throwing aborts the cycle: nothing is written and the error propagates unchanged.
   */
  readonly beforeWrite?: (uidHex: string) => Promise<void>;
  /** Progress events, called synchronously. Must not throw. */
  readonly onProgress?: (event: CycleProgressEvent) => void;
  /** Milliseconds from an arbitrary origin; default performance.now. */
  readonly clock?: () => number;
  /** Passed to the planner (see PlanOptions.mergeGapBytes). */
  readonly mergeGapBytes?: number;
}

/** What the plan was, without the bytes. */
export interface PlanSummary {
  readonly kind: Plan['kind'];
  readonly dataChunks: number;
  readonly bytesToProgram: number;
  readonly blocksToLock: readonly number[];
  readonly lockChunks: number;
  readonly conflicts: number;
}

/** One byte a read-back found different from the target. Data offsets are from OTP byte 0; lock offsets are block indexes. */
export interface VerifyMismatch {
  readonly region: 'data' | 'lock';
  readonly offsetBytes: number;
  readonly expected: number;
  readonly actual: number;
}

/** Why a cycle ended in 'link-error' or 'wrong-device'. */
export interface CycleError {
  /** Stable code, e.g. BOOTLOADER_TIMEOUT, BOOTLOADER_NACK, WRONG_DEVICE. */
  readonly code: string;
  readonly message: string;
  /** The cycle phase it happened in. */
  readonly phase: CyclePhase;
  /** The AN3155 stage, for protocol errors. */
  readonly stage: ProtocolStage | null;
}

export interface CycleResult {
  readonly outcome: CycleOutcome;
  /** Family of the chip Get ID reported (undefined if unknown or never identified). */
  readonly family: ChipFamily | undefined;
  readonly productId: number | undefined;
  /** Bootloader protocol version byte from Get, e.g. 0x31. */
  readonly bootloaderVersion: number | undefined;
  /** Unique device ID as read, lower-case hex in memory order. */
  readonly uid: string | undefined;
  /** OTP data as last read from the device (undefined if never read). */
  readonly otpData: Uint8Array | undefined;
  /** Lock bytes as last read (empty for families without them; undefined if never read). */
  readonly lockBytes: Uint8Array | undefined;
  /** OTP data bytes programmed by this run (non-0xFF bytes of ACKed data chunks). */
  readonly bytesWritten: number;
  /** Blocks this run locked, as confirmed by the final read-back. */
  readonly blocksLocked: number;
  readonly plan: PlanSummary | undefined;
  /** For 'conflict'. */
  readonly conflicts: readonly PlanConflict[];
  /** For 'verify-failed'. */
  readonly mismatches: readonly VerifyMismatch[];
  /** For 'link-error' and 'wrong-device'. */
  readonly error: CycleError | undefined;
  readonly durationsMs: Readonly<Record<CyclePhase, number>>;
  readonly totalMs: number;
  /** Wire traffic of this cycle. */
  readonly wire: WireStats;
}
