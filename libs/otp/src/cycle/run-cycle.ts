import { BootloaderError, type BootloaderClient, type WireStats } from '../bootloader/index.js';
import { assertImageFits, stateFromImage } from '../image/image-helpers.js';
import { BLANK_BYTE, LOCKED_BYTE, type OtpState } from '../image/otp-image.js';
import { type Plan, type WriteChunk } from '../planner/plan.js';
import { planProvisioning } from '../planner/index.js';
import { TransportError } from '../transport/index.js';
import { deviceMismatch, identifyDevice, readOtpData, readOtpState, readUidHex, wireSince } from './device-io.js';
import { CycleArgumentError } from './errors.js';
import { PhaseTimer } from './phase-timer.js';
import { type CycleError, type CycleOptions, type CycleOutcome, type CycleResult } from './types.js';
import { findMismatches } from './verify.js';

type WritePlan = Extract<Plan, { kind: 'write' }>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Draft = Mutable<Omit<CycleResult, 'outcome' | 'durationsMs' | 'totalMs' | 'wire'>>;

/**
 * Brings one device to `options.target`: connect → identify → read UID, OTP and locks → plan →
 * (dry run stops) → beforeWrite(uid) → write data → read back and verify the whole OTP → only then
 * write locks → read everything back and verify data and locks.
 *
 * Guarantees: nothing is written on 'wrong-device', 'conflict', 'already-provisioned' or 'planned';
 * locks are written only after the data read-back equals the target; a failed verification is
 * never retried (the next run's planner decides from what the device holds); after a
 * 'link-error' the device is resumable by running the cycle again.
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
  }

  async execute(): Promise<CycleResult> {
    try {
      return this.finish(await this.provision());
    } catch (error) {
      if (error instanceof HookFailure) throw error.error;
      if (!(error instanceof BootloaderError || error instanceof TransportError)) throw error;
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
    const finalPhase = plan.lockChunks.length > 0 ? 'lock' : 'verify';
    return (await this.timer.run(finalPhase, () => this.lockAndConfirm(plan))) ? 'provisioned' : 'verify-failed';
  }

  private async callBeforeWrite(): Promise<void> {
    try {
      await this.options.beforeWrite?.(this.draft.uid ?? '');
    } catch (error) {
      throw new HookFailure(error);
    }
  }

  private async identify(): Promise<boolean> {
    const identity = await identifyDevice(this.client);
    this.draft.productId = identity.productId;
    this.draft.family = identity.family;
    this.draft.bootloaderVersion = identity.bootloaderVersion;
    const mismatch = deviceMismatch(identity, this.options.profile, this.options.dryRun !== true);
    if (mismatch === undefined) return true;
    this.draft.error = { code: mismatch.code, message: mismatch.message, phase: 'identify', stage: null };
    return false;
  }

  private async readDevice(): Promise<OtpState> {
    this.draft.uid = await readUidHex(this.client, this.options.profile);
    const state = await readOtpState(this.client, this.options.profile);
    this.record(state);
    return state;
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

  /** Reads the whole OTP back; true when it equals the target exactly. */
  private async verifyData(): Promise<boolean> {
    const data = await readOtpData(this.client, this.options.profile);
    this.draft.otpData = data;
    this.draft.mismatches = findMismatches('data', this.options.target.data, data);
    return this.draft.mismatches.length === 0;
  }

  /** Writes the lock chunks (if any), then reads everything back: data and locks must match. */
  private async lockAndConfirm(plan: WritePlan): Promise<boolean> {
    if (plan.lockChunks.length > 0) await this.writeChunks('lock', plan.lockChunks);
    const state = await readOtpState(this.client, this.options.profile);
    this.record(state);
    const expected = stateFromImage(this.options.profile, this.options.target);
    this.draft.blocksLocked = plan.blocksToLock.filter((block) => state.lockBytes[block] === LOCKED_BYTE).length;
    this.draft.mismatches = [
      ...findMismatches('data', expected.data, state.data),
      ...findMismatches('lock', expected.lockBytes, state.lockBytes),
    ];
    return this.draft.mismatches.length === 0;
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
    };
  }
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

function toCycleError(error: BootloaderError | TransportError, phase: CycleError['phase']): CycleError {
  const stage = error instanceof BootloaderError ? error.stage : null;
  return { code: error.code, message: error.message, phase, stage };
}
