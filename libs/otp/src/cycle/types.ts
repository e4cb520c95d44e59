import { type ProtocolStage, type WireStats } from '../bootloader/index.js';
import { type OtpImage } from '../image/otp-image.js';
import { type Plan, type PlanConflict } from '../planner/plan.js';
import { type ChipFamily, type DeviceProfile } from '../profiles/index.js';

/** How a provisioning cycle ended. Every device-caused failure is one of these, never an exception. */
export type CycleOutcome =
  /** Data written, verified by read-back, locks written and verified. */
  | 'provisioned'
  /** The device already holds exactly the target (data and locks, read twice alike): nothing was written. */
  | 'already-provisioned'
  /** Dry run: the plan was made, nothing was written. */
  | 'planned'
  /** The device holds data or locks incompatible with the target (read twice alike): nothing was written, ever. */
  | 'conflict'
  /** Two equal read-backs differed from the target: nothing more was written (no lock, no retry). */
  | 'verify-failed'
  /** Two equal Get ID (or Get) answers show a chip the target is not for: nothing was written. */
  | 'wrong-device'
  /**
   * The bootloader answers Get and Get ID but refused Read Memory twice: readout protection is
   * active (AN3155 §3.4). Nothing was read or written; final (only a mass erase lowers RDP level 1).
   */
  | 'protected'
  /**
   * The link or the protocol failed, or two reads of the same thing disagreed (READ_UNSTABLE,
   * BOOTLOADER_INCONSISTENT_REPLY); the device is left resumable (run the cycle again).
   */
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

/**
 * The second reads a cycle made to confirm a first one (Get ID, UID, OTP data and lock bytes, and a
 * mismatching read-back): their cost, already included in `CycleResult.wire` and `durationsMs`.
 */
export interface ConfirmReadStats {
  /** Confirming reads made (a ranged read of several Read Memory commands counts once). */
  readonly count: number;
  /** Their wire traffic. */
  readonly wire: WireStats;
  /** Their duration, by the cycle's clock. */
  readonly durationMs: number;
}

/** Why a cycle ended in 'link-error', 'wrong-device' or 'protected'. */
export interface CycleError {
  /** Stable code, e.g. BOOTLOADER_TIMEOUT, BOOTLOADER_NACK, READ_UNSTABLE, WRONG_DEVICE, CHIP_READOUT_PROTECTED. */
  readonly code: string;
  readonly message: string;
  /** The cycle phase it happened in. */
  readonly phase: CyclePhase;
  /** The AN3155 stage, for protocol errors (null for device outcomes and disagreeing reads). */
  readonly stage: ProtocolStage | null;
}

export interface CycleResult {
  readonly outcome: CycleOutcome;
  /** Family of the chip Get ID reported (undefined if unknown or never identified). */
  readonly family: ChipFamily | undefined;
  /** The PID two equal Get ID answers gave (undefined if they differed or never asked). */
  readonly productId: number | undefined;
  /** Bootloader protocol version byte from Get, e.g. 0x31 (informational, not confirmed). */
  readonly bootloaderVersion: number | undefined;
  /** Unique device ID, confirmed by two equal reads; lower-case hex in memory order. */
  readonly uid: string | undefined;
  /**
   * OTP data from the last read the cycle trusted: a confirmed pair of reads, or a read-back equal
   * to the target (undefined if none). Reads that disagreed are never recorded.
   */
  readonly otpData: Uint8Array | undefined;
  /** Lock bytes from the same read (empty for families without them; undefined if none). */
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
  /** For 'link-error', 'wrong-device' and 'protected'. */
  readonly error: CycleError | undefined;
  readonly durationsMs: Readonly<Record<CyclePhase, number>>;
  readonly totalMs: number;
  /** Wire traffic of this cycle (confirming reads included). */
  readonly wire: WireStats;
  /** What confirming reads cost this cycle. */
  readonly confirmReads: ConfirmReadStats;
}
