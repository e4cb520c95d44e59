import { BUSY } from '#ingrain/otp';

/** The protocol stage a device answer belongs to (libs/otp's `ProtocolStage` without 'sync'). */
export type AnswerStage = 'command' | 'reply' | 'address' | 'length' | 'data';

/** A device answer about to be sent, for a {@link StageHook}. */
export interface StageEvent {
  readonly opcode: number;
  readonly stage: AnswerStage;
  /** Write Memory data blocks accepted so far (well-formed, writable), this one included. */
  readonly writeIndex: number;
}

/**
 * What the device does instead of its normal answer at one stage. 'nack' and 'double-nack' refuse
 * the stage before it has any effect (nothing is programmed) and the device waits for a new command
 * (two NACKs: an F40x under readout protection); the others act normally, then alter what is sent:
 * 'silence' sends nothing, 'hang' sends nothing and mutes the device until `resume()` or a power
 * cycle, `busy` sends that many BUSY bytes first (and then nothing with `thenSilent`), `garbage`
 * replaces the first byte, `truncate` keeps only the first bytes.
 */
export type StageFault =
  | 'nack'
  | 'double-nack'
  | 'silence'
  | 'hang'
  | { readonly busy: number; readonly thenSilent?: boolean }
  | { readonly garbage: number }
  | { readonly truncate: number };

/**
 * A programmable fault hook for host tests: asked before each answer the device sends after a
 * command was accepted. The declarative `FaultPlan` covers the CLI; this covers what a
 * protocol test needs to provoke at an exact stage.
 */
export type StageHook = (event: StageEvent) => StageFault | undefined;

/** The answer as a non-refusing fault leaves it on the wire ('hang' is handled by the session). */
export function shapeAnswer(
  fault: Exclude<StageFault, 'nack' | 'double-nack'> | undefined,
  bytes: Uint8Array,
): Uint8Array {
  if (fault === undefined) return bytes;
  if (fault === 'silence' || fault === 'hang') return new Uint8Array(0);
  if ('busy' in fault) {
    const busy = new Uint8Array(fault.busy).fill(BUSY);
    return fault.thenSilent === true ? busy : Uint8Array.from([...busy, ...bytes]);
  }
  if ('truncate' in fault) return bytes.slice(0, fault.truncate);
  return Uint8Array.from([fault.garbage, ...bytes.subarray(1)]);
}
