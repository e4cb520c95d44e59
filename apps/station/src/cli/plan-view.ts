// What `program --dry-run` would do, chunk by chunk: where each write goes, how many bytes it
// programs, which layout fields it touches, and which blocks get locked. Rebuilt from the cycle's
// confirmed read with the same planner, so it is the plan a real run on this chip would follow.
import {
  BLANK_BYTE,
  type CycleResult,
  type DeviceProfile,
  type Layout,
  type OtpImage,
  planProvisioning,
  type WriteChunk,
} from '#ingrain/otp';

/** One Write Memory command the plan would send. */
export interface PlannedWriteJson {
  readonly address: number;
  readonly lengthBytes: number;
  /** Bytes it programs (the rest is 0xFF padding, which clears no bit). */
  readonly bytesToProgram: number;
  /** Layout fields it programs bytes of (names only; empty without a layout). */
  readonly fields: readonly string[];
}

/** The plan of a dry run, in the JSON output as `plannedWrites`. */
export interface PlanViewJson {
  readonly writes: readonly PlannedWriteJson[];
  readonly blocksToLock: readonly number[];
  readonly lockWrites: readonly { readonly address: number; readonly lengthBytes: number }[];
}

function fieldsProgrammed(layout: Layout | undefined, offsetBytes: number, chunk: WriteChunk): string[] {
  if (layout === undefined) return [];
  return layout.fields
    .filter((field) => {
      for (let i = 0; i < field.sizeBytes; i++) {
        const at = field.otpOffsetBytes + i - offsetBytes;
        if (at >= 0 && at < chunk.bytes.length && chunk.bytes[at] !== BLANK_BYTE) return true;
      }
      return false;
    })
    .map((field) => field.name);
}

/**
 * The plan a dry run made, with its chunks, or undefined when the result has no confirmed read to
 * plan from (or planned nothing to write).
 */
export function planView(
  result: CycleResult,
  profile: DeviceProfile,
  target: OtpImage,
  layout: Layout | undefined,
): PlanViewJson | undefined {
  if (result.outcome !== 'planned' || result.otpData === undefined || result.lockBytes === undefined) return undefined;
  const plan = planProvisioning(profile, { data: result.otpData, lockBytes: result.lockBytes }, target);
  if (plan.kind !== 'write') return undefined;
  return {
    writes: plan.dataChunks.map((chunk) => ({
      address: chunk.address,
      lengthBytes: chunk.bytes.length,
      bytesToProgram: chunk.bytes.filter((byte) => byte !== BLANK_BYTE).length,
      fields: fieldsProgrammed(layout, chunk.address - profile.otpBaseAddress, chunk),
    })),
    blocksToLock: plan.blocksToLock,
    lockWrites: plan.lockChunks.map((chunk) => ({ address: chunk.address, lengthBytes: chunk.bytes.length })),
  };
}

const hex8 = (value: number): string => `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;

/** The plan as lines for the terminal. */
export function renderPlanView(view: PlanViewJson): string[] {
  const lines = ['  plan (nothing was written):'];
  for (const write of view.writes) {
    const end = hex8(write.address + write.lengthBytes - 1);
    const fields = write.fields.length > 0 ? `: ${write.fields.join(', ')}` : '';
    lines.push(
      `    write ${hex8(write.address)}–${end} (${write.lengthBytes} B, ${write.bytesToProgram} to program)${fields}`,
    );
  }
  if (view.blocksToLock.length === 0) lines.push('    lock nothing');
  for (const lock of view.lockWrites)
    lines.push(
      `    then lock block(s) ${view.blocksToLock.join(', ')}: ${hex8(lock.address)} (${lock.lengthBytes} B), after the data read-back`,
    );
  return lines;
}
