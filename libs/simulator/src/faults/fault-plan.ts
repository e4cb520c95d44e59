import { z } from 'zod';

/**
 * Faults to inject into one simulated device. Every count starts when the plan is armed
 * (`setFaults` or start-up) and is 1-based except `powerLossAfterBytes`; each fault fires once.
 */
export interface FaultPlan {
  /**
   * Power fails when the ROM is about to program the (N+1)th Write Memory payload byte: the first N
   * bytes are kept, the write stops mid-chunk, no reply is sent and the device stays silent until
   * `powerCycle()`, after which it waits for a new 0x7F with its OTP kept. 0 = the next write.
   */
  readonly powerLossAfterBytes?: number;
  /** The Nth byte received from the host is lost on the wire (the device never sees it). */
  readonly dropReceivedByte?: number;
  /** The Nth byte the device transmits has all its bits inverted on the wire. */
  readonly corruptTransmittedByte?: number;
  /** The Nth command (opcode + complement) is answered with NACK instead of being executed. */
  readonly nackCommand?: number;
  /** From the Nth command on the device answers nothing at all, until `powerCycle()`. */
  readonly silentFromCommand?: number;
  /**
   * Weak OTP cells: at each OTP data offset (from byte 0), the bits of `mask` never program (they
   * stay 1). Unlike the other faults this is a property of the chip, not an event: it stays while
   * armed. The ROM still ACKs the write — only a read-back shows the difference.
   */
  readonly weakDataBits?: readonly { readonly offsetBytes: number; readonly mask: number }[];
  /** Weak lock cells: like `weakDataBits`, at a lock byte offset (the lock never takes; the ROM ACKs). */
  readonly weakLockBits?: readonly { readonly offsetBytes: number; readonly mask: number }[];
}

const count = z.int().positive();
const weakCell = z.strictObject({ offsetBytes: z.int().nonnegative(), mask: z.int().min(1).max(0xff) });

/** Validates a {@link FaultPlan} at the edge (unknown keys are rejected). */
export const faultPlanSchema = z.strictObject({
  powerLossAfterBytes: z.int().nonnegative().optional(),
  dropReceivedByte: count.optional(),
  corruptTransmittedByte: count.optional(),
  nackCommand: count.optional(),
  silentFromCommand: count.optional(),
  weakDataBits: z.array(weakCell).optional(),
  weakLockBits: z.array(weakCell).optional(),
}) satisfies z.ZodType<FaultPlan>;
