import { bytesToHex, tryHexToBytes } from '#ingrain/encoding';

/** How often each OTP byte was programmed, as a state file keeps it: one count byte per OTP byte, in hex. */
export interface ProgramCountsState {
  readonly dataHex: string;
  readonly lockHex: string;
}

/** A byte programmed more than once: what the rules forbid (docs/hardware.md: never program a byte twice). */
export interface ReprogrammedByte {
  readonly area: 'data' | 'lock';
  readonly offsetBytes: number;
  readonly count: number;
}

/** Counts saturate here (one byte each). */
const MAX_COUNT = 0xff;

/**
 * Counts the programming operations of every OTP data and lock byte: each Write Memory payload byte
 * other than 0xFF (0xFF clears no bit: padding, not a programming) aimed at the byte counts, whatever
 * the byte held and whatever the value — a second write of the same value counts too. A count above
 * one is a byte programmed twice, which the damage list alone shows only when the first value stuck.
 */
export class ProgramCounts {
  readonly #data: Uint8Array;
  readonly #lock: Uint8Array;

  constructor(dataBytes: number, lockBytes: number, saved?: ProgramCountsState) {
    this.#data = restore(saved?.dataHex, dataBytes);
    this.#lock = restore(saved?.lockHex, lockBytes);
  }

  /** One more programming of the byte at `offsetBytes` of `area`. */
  record(area: 'data' | 'lock', offsetBytes: number): void {
    const counts = area === 'data' ? this.#data : this.#lock;
    const old = counts[offsetBytes];
    if (old !== undefined) counts[offsetBytes] = Math.min(MAX_COUNT, old + 1);
  }

  /** How often the byte was programmed. */
  countAt(area: 'data' | 'lock', offsetBytes: number): number {
    return (area === 'data' ? this.#data : this.#lock)[offsetBytes] ?? 0;
  }

  /** Every byte programmed more than once, data first. */
  reprogrammed(): ReprogrammedByte[] {
    return [...reprogrammedIn('data', this.#data), ...reprogrammedIn('lock', this.#lock)];
  }

  toState(): ProgramCountsState {
    return { dataHex: bytesToHex(this.#data), lockHex: bytesToHex(this.#lock) };
  }
}

/** The bytes of a saved {@link ProgramCountsState} counted more than once (for readers of state files). */
export function reprogrammedBytes(state: ProgramCountsState): ReprogrammedByte[] {
  return [
    ...reprogrammedIn('data', tryHexToBytes(state.dataHex) ?? new Uint8Array(0)),
    ...reprogrammedIn('lock', tryHexToBytes(state.lockHex) ?? new Uint8Array(0)),
  ];
}

function reprogrammedIn(area: 'data' | 'lock', counts: Uint8Array): ReprogrammedByte[] {
  const found: ReprogrammedByte[] = [];
  counts.forEach((count, offsetBytes) => {
    if (count > 1) found.push({ area, offsetBytes, count });
  });
  return found;
}

function restore(hexText: string | undefined, lengthBytes: number): Uint8Array {
  const counts = new Uint8Array(lengthBytes);
  const saved = hexText === undefined ? undefined : tryHexToBytes(hexText);
  if (saved !== undefined) counts.set(saved.subarray(0, lengthBytes));
  return counts;
}
