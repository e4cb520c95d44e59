/** What the decoder found in a chunk: clean bytes, and whether a flagged byte came before them. */
export interface DecodedChunk {
  /** Received bytes with the PARMRK escapes removed. */
  readonly bytes: Uint8Array;
  /** A byte flagged by the UART in this chunk (its value is dropped), if any: the first one. */
  readonly flagged: 'parity-or-framing' | 'break' | undefined;
  /** Index in `bytes` at which the flagged byte stood (clean bytes before it are valid). */
  readonly flaggedAt: number;
}

/**
 * Undoes the Linux line discipline's PARMRK marking (termios(3), with INPCK set, IGNPAR and ISTRIP
 * clear): a data byte 0xFF arrives as `FF FF`, a byte with a parity or framing error as
 * `FF 00 x`, a BREAK as `FF 00 00`. Stateful: an escape may be split across chunks.
 */
export class ParmrkDecoder {
  /** 0: plain; 1: after FF; 2: after FF 00. */
  #state: 0 | 1 | 2 = 0;

  decode(chunk: Uint8Array): DecodedChunk {
    const out = new Uint8Array(chunk.length);
    let length = 0;
    let flagged: DecodedChunk['flagged'];
    let flaggedAt = -1;
    const flag = (condition: 'parity-or-framing' | 'break') => {
      if (flagged !== undefined) return;
      flagged = condition;
      flaggedAt = length;
    };
    for (const byte of chunk) {
      if (this.#state === 0) {
        if (byte === 0xff) this.#state = 1;
        else out[length++] = byte;
      } else if (this.#state === 1) {
        if (byte === 0xff) {
          out[length++] = 0xff;
          this.#state = 0;
        } else if (byte === 0x00) this.#state = 2;
        else {
          // Not a sequence the kernel produces: treat it as a damaged stream.
          flag('parity-or-framing');
          this.#state = 0;
        }
      } else {
        flag(byte === 0x00 ? 'break' : 'parity-or-framing');
        this.#state = 0;
      }
    }
    return { bytes: out.subarray(0, length), flagged, flaggedAt };
  }
}
