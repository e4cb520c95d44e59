import { BootloaderError, type BootloaderClient, type WireStats } from '../bootloader/index.js';
import { assertImageFits, stateFromImage } from '../image/image-helpers.js';
import { BLANK_BYTE, LOCKED_BYTE, type OtpState } from '../image/otp-image.js';
import { type Plan, type WriteChunk } from '../planner/plan.js';
import { planProvisioning } from '../planner/index.js';
import { TransportError } from '../transport/index.js';
import { assertSameSnapshot, ConfirmationLedger, confirmedReadBack } from './confirm.js';
import {
  type DeviceIdentity,
  deviceMismatch,
  identifyDevice,
  readLockBytes,
  readOtpData,
  sameIdentity,
  wireSince,
} from './device-io.js';
import { CycleArgumentError, ReadoutProtectedError, UnconfirmedReadError, type WrongDeviceError } from './errors.js';
import { PhaseTimer } from './phase-timer.js';
import { readCompactSnapshot as readSnapshot } from './read-device.js';
import { readUnlessProtected } from './protection.js';
import { type CycleError, type CycleOptions, type CycleOutcome, type CycleResult } from './types.js';

type WritePlan = Extract<Plan, { kind: 'write' }>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Draft = Mutable<Omit<CycleResult, 'outcome' | 'durationsMs' | 'totalMs' | 'wire' | 'confirmReads'>>;

/**
 * Brings one device to `options.target`: connect → identify (Get, Get ID twice) → read UID, OTP and
 * locks twice → plan → (dry run stops) → beforeWrite(uid) → write data → read back and verify the
 * whole OTP → only then write locks → read the lock bytes back and verify them.
 *
 * Guarantees: nothing is written on 'wrong-device', 'protected', 'conflict', 'already-provisioned'
 * or 'planned';
 * every final outcome and every write rests on confirmed reads (docs/bootloader.md, "Confirmed
 * reads"): the PID and the UID are each read twice alike, the plan comes from two equal reads of
 * OTP data and lock bytes, 'wrong-device' from two equal identity answers, and 'verify-failed'
 * from two equal read-backs, 'protected' from two Read Memory commands refused after a good Get
 * and Get ID (readout protection, AN3155 §3.4); reads that disagree end in 'link-error' (READ_UNSTABLE,
 * BOOTLOADER_INCONSISTENT_REPLY). There is no option to skip this. Locks are written only after the
 * data read-back equals the target; a failed verification is never retried (the next run's planner
 * decides from what the device holds); after a 'link-error' the device is resumable by running
 * the cycle again.
 * Never throws for device or link failures (they are outcomes). Throws `CycleArgumentError` /
 * `OtpImageError` for inconsistent options, and rethrows whatever `beforeWrite` or `onProgress` throw.
 */
export async function runProvisioningCycle(client: BootloaderClient, options: CycleOptions): Promise<CycleResult> {
  if (options.profile.family !== options.target.family) {
    throw new CycleArgumentError(`profile is ${options.profile.family} but the target is for ${options.target.family}`);
  }
  assertImageFits(options.profile, options.target);
  return new ProvisioningRun(client, options).execute();
}

/** Marks an error thrown by the caller's hook so it is rethrown, never turned into an outcome. */
class HookFailure extends Error {
  constructor(readonly error: unknown) {
    super('beforeWrite failed');
  }
}

class ProvisioningRun {
  private readonly clock: () => number;
  private readonly timer: PhaseTimer;
  private readonly startMs: number;
  private readonly wireAtStart: WireStats;
  private readonly ledger: ConfirmationLedger;
  private readonly draft: Draft = {
    family: undefined,
    productId: undefined,
    bootloaderVersion: undefined,
    uid: undefined,
    otpData: undefined,
    lockBytes: undefined,
    bytesWritten: 0,
    blocksLocked: 0,
    plan: undefined,
    conflicts: [],
    mismatches: [],
    error: undefined,
  };

  constructor(
    private readonly client: BootloaderClient,
    private readonly options: CycleOptions,
  ) {
    this.clock = options.clock ?? (() => performance.now());
    this.timer = new PhaseTimer(this.clock, options.onProgress);
    this.startMs = this.clock();
    this.wireAtStart = client.wireStats;
    this.ledger = new ConfirmationLedger(client, this.clock);
  }

  async execute(): Promise<CycleResult> {
    try {
      return this.finish(await this.provision());
    } catch (error) {
      if (error instanceof HookFailure) throw error.error;
      if (error instanceof ReadoutProtectedError) {
        this.draft.error = { code: error.code, message: error.message, phase: this.timer.phase, stage: 'command' };
        return this.finish('protected');
      }
      if (!isLinkFailure(error)) throw error;
      this.draft.error = toCycleError(error, this.timer.phase);
      return this.finish('link-error');
    }
  }

  private async provision(): Promise<CycleOutcome> {
    await this.timer.run('connect', () => this.client.connect());
    if (!(await this.timer.run('identify', () => this.identify()))) return 'wrong-device';
    const state = await this.timer.run('read', () => this.readDevice());
    const plan = await this.timer.run('plan', () => this.plan(state));
    if (plan.kind === 'conflict') return 'conflict';
    if (plan.kind === 'already-provisioned') return 'already-provisioned';
    if (this.options.dryRun === true) return 'planned';
    await this.callBeforeWrite();
    await this.timer.run('write', () => this.writeChunks('write', plan.dataChunks));
    if (!(await this.timer.run('verify', () => this.verifyData()))) return 'verify-failed';
    return (await this.timer.run('lock', () => this.lockAndConfirm(plan))) ? 'provisioned' : 'verify-failed';
  }

  private async callBeforeWrite(): Promise<void> {
    try {
      await this.options.beforeWrite?.(this.draft.uid ?? '');
    } catch (error) {
      throw new HookFailure(error);
    }
  }

  /**
   * Get and Get ID, then a second Get ID: the PID decides the family and goes into the attestation.
   * A mismatch is final, so when it rests on the command list, Get is asked again too.
   */
  private async identify(): Promise<boolean> {
    const identity = await identifyDevice(this.client);
    this.draft.bootloaderVersion = identity.bootloaderVersion;
    const productId = await this.ledger.run(() => this.client.getId());
    if (productId !== identity.productId) throw inconsistentReply('Get ID');
    this.draft.productId = identity.productId;
    this.draft.family = identity.family;
    const mismatch = deviceMismatch(identity, this.options.profile, this.options.dryRun !== true);
    if (mismatch === undefined) return true;
    await this.confirmMismatch(identity, mismatch);
    this.draft.error = { code: mismatch.code, message: mismatch.message, phase: 'identify', stage: null };
    return false;
  }

  private async confirmMismatch(identity: DeviceIdentity, mismatch: WrongDeviceError): Promise<void> {
    if (mismatch.code !== 'BOOTLOADER_COMMAND_UNSUPPORTED') return; // the PID is already confirmed
    const info = await this.ledger.run(() => this.client.get());
    const again = { ...identity, bootloaderVersion: info.version, commands: info.commands };
    if (!sameIdentity(identity, again)) throw inconsistentReply('Get');
  }

  /**
   * UID, OTP data and lock bytes, read twice: the plan and the claim rest on two equal reads. A
   * refused first Read Memory is asked again: refused twice, the chip is readout-protected.
   */
  private async readDevice(): Promise<OtpState> {
    const { profile } = this.options;
    const first = await readUnlessProtected(
      this.client,
      profile,
      () => readSnapshot(this.client, profile),
      (again) => this.ledger.run(again),
    );
    const second = await this.ledger.run(() => readSnapshot(this.client, this.options.profile));
    assertSameSnapshot(first, second);
    this.draft.uid = first.uidHex;
    this.record(first.state);
    return first.state;
  }

  private plan(state: OtpState): Plan {
    const { profile, target, mergeGapBytes } = this.options;
    const plan = planProvisioning(profile, state, target, { mergeGapBytes });
    this.draft.plan = summarise(plan);
    if (plan.kind === 'conflict') this.draft.conflicts = plan.conflicts;
    return plan;
  }

  private async writeChunks(phase: 'write' | 'lock', chunks: readonly WriteChunk[]): Promise<void> {
    const alignmentBytes = this.options.profile.writeAlignmentBytes;
    for (const [index, chunk] of chunks.entries()) {
      await this.client.writeMemory(chunk.address, chunk.bytes, { alignmentBytes });
      if (phase === 'write') this.draft.bytesWritten += chunk.bytes.filter((b) => b !== BLANK_BYTE).length;
      const { address, bytes } = chunk;
      this.options.onProgress?.({
        type: 'chunk-written',
        phase,
        index,
        count: chunks.length,
        address,
        lengthBytes: bytes.length,
      });
    }
  }

  /** Reads the whole OTP back; true when it equals the target exactly (a mismatch is read twice). */
  private async verifyData(): Promise<boolean> {
    const { profile, target } = this.options;
    const read = async (): Promise<OtpState> => ({
      data: await readOtpData(this.client, profile),
      lockBytes: NO_LOCKS,
    });
    const expected = { data: target.data, lockBytes: NO_LOCKS };
    const readBack = await confirmedReadBack('the OTP data read-back', read, expected, this.ledger);
    this.draft.otpData = readBack.state.data;
    this.draft.mismatches = readBack.mismatches;
    return readBack.mismatches.length === 0;
  }

  /**
   * Writes the lock chunks, then reads the lock bytes back: they must match the target. The data
   * was verified just before (a lock write touches only the lock area), so it is not read again:
   * the cycle moves exactly the bytes of docs/hardware.md §timing. Without lock chunks there is nothing left to
   * check: the data is verified and the locks were confirmed before planning.
   */
  private async lockAndConfirm(plan: WritePlan): Promise<boolean> {
    const { profile, target } = this.options;
    const verifiedData = this.draft.otpData ?? target.data;
    if (plan.lockChunks.length === 0) return true;
    await this.writeChunks('lock', plan.lockChunks);
    const read = async (): Promise<OtpState> => ({
      data: verifiedData,
      lockBytes: await readLockBytes(this.client, profile),
    });
    const expected = stateFromImage(profile, target);
    const { state, mismatches } = await confirmedReadBack('the lock read-back', read, expected, this.ledger);
    this.record(state);
    this.draft.blocksLocked = plan.blocksToLock.filter((block) => state.lockBytes[block] === LOCKED_BYTE).length;
    this.draft.mismatches = mismatches;
    return mismatches.length === 0;
  }

  private record(state: OtpState): void {
    this.draft.otpData = state.data;
    this.draft.lockBytes = state.lockBytes;
  }

  private finish(outcome: CycleOutcome): CycleResult {
    return {
      outcome,
      ...this.draft,
      durationsMs: this.timer.durationsMs,
      totalMs: this.clock() - this.startMs,
      wire: wireSince(this.client, this.wireAtStart),
      confirmReads: this.ledger.stats,
    };
  }
}

const NO_LOCKS = new Uint8Array(0);

function isLinkFailure(error: unknown): error is BootloaderError | TransportError | UnconfirmedReadError {
  return error instanceof BootloaderError || error instanceof TransportError || error instanceof UnconfirmedReadError;
}

function inconsistentReply(command: 'Get' | 'Get ID'): UnconfirmedReadError {
  return new UnconfirmedReadError(
    'BOOTLOADER_INCONSISTENT_REPLY',
    `two ${command} answers differ: the link corrupts replies; nothing was decided from them`,
  );
}

function summarise(plan: Plan): CycleResult['plan'] {
  const write = plan.kind === 'write' ? plan : undefined;
  return {
    kind: plan.kind,
    dataChunks: write?.dataChunks.length ?? 0,
    bytesToProgram: write?.bytesToProgram ?? 0,
    blocksToLock: write?.blocksToLock ?? [],
    lockChunks: write?.lockChunks.length ?? 0,
    conflicts: plan.kind === 'conflict' ? plan.conflicts.length : 0,
  };
}

function toCycleError(
  error: BootloaderError | TransportError | UnconfirmedReadError,
  phase: CycleError['phase'],
): CycleError {
  const stage = error instanceof BootloaderError ? error.stage : null;
  return { code: error.code, message: error.message, phase, stage };
}
