// Test fixture (not exported from the library): a scripted AN3155 device on one end of a
// MemoryTransport, byte-driven like the ROM (pending command bytes, partial frames, no timeout), so
// re-synchronisation is exercised for real. Faults are injected through `onStage`.
import { type DeviceTransport } from '../../transport/index.js';
import { ACK, BUSY, NACK, Opcode, SYNC_BYTE } from '../an3155.js';
import { type ProtocolStage } from '../errors.js';
import { type FakeOtpChip } from './fake-chip.js';

/** What the device does instead of its normal answer at one stage. */
export type FakeAction =
  | 'nack' // answer NACK, do nothing, wait for a new command
  | 'double-nack' // two NACKs (F40x under readout protection)
  | 'silence' // act normally but send nothing (a lost answer)
  | 'hang' // stop reading and answering until revive()
  | { readonly busy: number; readonly thenSilent?: boolean } // BUSY bytes, then the answer (or nothing)
  | { readonly garbage: number } // this byte instead of the first answer byte, then act normally
  | { readonly truncate: number }; // only the first bytes of the answer (the rest is lost)

/** Context of a stage about to be answered. */
export interface FakeStageEvent {
  readonly opcode: number;
  readonly stage: Exclude<ProtocolStage, 'sync'>;
  /** Count of Write Memory data blocks received so far, this one included. */
  readonly writeIndex: number;
}

export interface FakeBootloaderOptions {
  readonly productId: number;
  readonly version?: number;
  readonly commands?: readonly number[];
  /** Answer to a write into a locked block (reference §3: unconfirmed). Default 'ack'. */
  readonly lockedWriteReply?: 'ack' | 'nack';
  readonly onStage?: (event: FakeStageEvent) => FakeAction | undefined;
}

type State =
  | { kind: 'unsynced' }
  | { kind: 'command'; pending: number | undefined }
  | { kind: 'address'; opcode: number; bytes: number[] }
  | { kind: 'read-length'; address: number; bytes: number[] }
  | { kind: 'write-data'; address: number; bytes: number[] };

const CLASSIC_COMMANDS = [0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0x63, 0x73, 0x82, 0x92];
const xor = (bytes: readonly number[]): number => bytes.reduce((a, b) => a ^ b, 0);

export class FakeBootloader {
  private state: State = { kind: 'unsynced' };
  private hung = false;
  private writeIndex = 0;
  /** Every byte the device received, in order. */
  readonly received: number[] = [];
  /** Count of bytes the device sent. */
  sentBytes = 0;
  /** Opcodes of every well-formed command accepted. */
  readonly commandLog: number[] = [];
  /** Write Memory blocks received with a good checksum (programmed or refused). */
  readonly writes: { address: number; bytes: Uint8Array }[] = [];

  constructor(
    readonly chip: FakeOtpChip,
    private readonly options: FakeBootloaderOptions,
  ) {}

  /** Serves `transport` until it closes. */
  attach(transport: DeviceTransport): void {
    void this.serve(transport);
  }

  /** Back from a hang; with powerCycle also unsynchronised (as after a reset). */
  revive(powerCycle = false): void {
    this.hung = false;
    if (powerCycle) this.state = { kind: 'unsynced' };
  }

  /** Feeds one received byte; returns the bytes to send back. */
  feed(byte: number): number[] {
    if (this.hung) return [];
    this.received.push(byte);
    const state = this.state;
    switch (state.kind) {
      case 'unsynced':
        return byte === SYNC_BYTE ? this.goto({ kind: 'command', pending: undefined }, [ACK]) : [];
      case 'command':
        return this.onCommandByte(state, byte);
      case 'address':
        return this.onAddressByte(state, byte);
      case 'read-length':
        return this.onLengthByte(state, byte);
      case 'write-data':
        return this.onDataByte(state, byte);
    }
  }

  private async serve(transport: DeviceTransport): Promise<void> {
    for (;;) {
      let byte: number;
      try {
        byte = (await transport.read(1, Infinity))[0] ?? 0;
      } catch {
        return;
      }
      const reply = this.feed(byte);
      this.sentBytes += reply.length;
      if (reply.length > 0) await transport.write(Uint8Array.from(reply)).catch(() => undefined);
    }
  }

  private onCommandByte(state: { pending: number | undefined }, byte: number): number[] {
    if (state.pending === undefined) return this.goto({ kind: 'command', pending: byte }, []);
    const opcode = state.pending;
    const known = [Opcode.GET, Opcode.GET_VERSION, Opcode.GET_ID, Opcode.READ_MEMORY, Opcode.WRITE_MEMORY];
    if ((opcode ^ 0xff) !== byte || !known.includes(opcode as Opcode)) return this.idle([NACK]);
    this.commandLog.push(opcode);
    const next: State =
      opcode === Opcode.READ_MEMORY || opcode === Opcode.WRITE_MEMORY
        ? { kind: 'address', opcode, bytes: [] }
        : { kind: 'command', pending: undefined };
    const answer = this.answer(opcode, 'command', [ACK], next);
    if (next.kind === 'command' && answer.length > 0 && !this.hung) return [...answer, ...this.replyOf(opcode)];
    return answer;
  }

  private replyOf(opcode: number): number[] {
    const version = this.options.version ?? 0x31;
    const body =
      opcode === Opcode.GET
        ? [(this.options.commands ?? CLASSIC_COMMANDS).length, version, ...(this.options.commands ?? CLASSIC_COMMANDS)]
        : opcode === Opcode.GET_VERSION
          ? [version, 0x00, 0x00]
          : [0x01, this.options.productId >> 8, this.options.productId & 0xff];
    return this.answer(opcode, 'reply', [...body, ACK], { kind: 'command', pending: undefined });
  }

  private onAddressByte(state: { opcode: number; bytes: number[] }, byte: number): number[] {
    state.bytes.push(byte);
    if (state.bytes.length < 5) return [];
    const [a3 = 0, a2 = 0, a1 = 0, a0 = 0, checksum] = state.bytes;
    const address = ((a3 << 24) | (a2 << 16) | (a1 << 8) | a0) >>> 0;
    const valid =
      xor([a3, a2, a1, a0]) === checksum &&
      (state.opcode === Opcode.READ_MEMORY
        ? this.chip.read(address, 1) !== undefined
        : this.chip.canWrite(address, this.chip.profile.writeAlignmentBytes));
    if (!valid) return this.idle([NACK]);
    const next: State =
      state.opcode === Opcode.READ_MEMORY
        ? { kind: 'read-length', address, bytes: [] }
        : { kind: 'write-data', address, bytes: [] };
    return this.answer(state.opcode, 'address', [ACK], next);
  }

  private onLengthByte(state: { address: number; bytes: number[] }, byte: number): number[] {
    state.bytes.push(byte);
    if (state.bytes.length < 2) return [];
    const [n = 0, complement] = state.bytes;
    const data = this.chip.read(state.address, n + 1);
    if ((n ^ 0xff) !== complement || data === undefined) return this.idle([NACK]);
    const idle: State = { kind: 'command', pending: undefined };
    return this.answer(Opcode.READ_MEMORY, 'length', [ACK, ...data], idle);
  }

  private onDataByte(state: { address: number; bytes: number[] }, byte: number): number[] {
    state.bytes.push(byte);
    const n = state.bytes[0] ?? 0;
    if (state.bytes.length < n + 3) return [];
    const data = Uint8Array.from(state.bytes.slice(1, n + 2));
    const checksum = state.bytes[n + 2];
    if (xor(state.bytes.slice(0, n + 2)) !== checksum || (n + 1) % 4 !== 0) return this.idle([NACK]);
    if (!this.chip.canWrite(state.address, data.length)) return this.idle([NACK]);
    this.writeIndex += 1;
    const action = this.options.onStage?.({ opcode: Opcode.WRITE_MEMORY, stage: 'data', writeIndex: this.writeIndex });
    if (action === 'nack' || action === 'double-nack') return this.idle(action === 'nack' ? [NACK] : [NACK, NACK]);
    this.writes.push({ address: state.address, bytes: data });
    const accepted = this.chip.program(state.address, data);
    const reply = accepted || this.options.lockedWriteReply !== 'nack' ? ACK : NACK;
    return this.apply(action, [reply], { kind: 'command', pending: undefined });
  }

  /** Normal answer `bytes` then state `next`, unless `onStage` injects a fault. */
  private answer(opcode: number, stage: FakeStageEvent['stage'], bytes: number[], next: State): number[] {
    const action = this.options.onStage?.({ opcode, stage, writeIndex: this.writeIndex });
    if (action === 'nack') return this.idle([NACK]);
    if (action === 'double-nack') return this.idle([NACK, NACK]);
    return this.apply(action, bytes, next);
  }

  private apply(action: Exclude<FakeAction, 'nack' | 'double-nack'> | undefined, bytes: number[], next: State) {
    this.state = next;
    if (action === undefined) return bytes;
    if (action === 'silence') return [];
    if (action === 'hang') {
      this.hung = true;
      return [];
    }
    if ('busy' in action) return [...new Array<number>(action.busy).fill(BUSY), ...(action.thenSilent ? [] : bytes)];
    if ('truncate' in action) return bytes.slice(0, action.truncate);
    return [action.garbage, ...bytes.slice(1)];
  }

  private idle(bytes: number[]): number[] {
    return this.goto({ kind: 'command', pending: undefined }, bytes);
  }

  private goto(state: State, bytes: number[]): number[] {
    this.state = state;
    return bytes;
  }
}
