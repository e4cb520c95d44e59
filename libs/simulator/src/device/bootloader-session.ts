import { ACK, type DeviceProfile, NACK, Opcode, SYNC_BYTE } from '#ingrain/otp';
import { type FaultInjector } from '../faults/fault-injector.js';
import { type FamilyTraits } from './family-traits.js';
import { getIdReply, getReply, getVersionReply } from './info-commands.js';
import { type OtpMemory } from './otp-memory.js';
import { acceptReadAddress, readMemoryReply } from './read-memory.js';
import { type WriteTarget, acceptVoltageRange, acceptWriteAddress, parseWritePayload } from './write-memory.js';

/** Something the session did in answer to a byte. */
export type SessionEvent =
  /** Bytes to transmit, after `programmedBytes` byte programmings (for the timing model). */
  | { readonly kind: 'reply'; readonly bytes: Uint8Array; readonly programmedBytes: number }
  /** A Write Memory reached the OTP (its content may have changed): persist it. */
  | { readonly kind: 'written' }
  /** Power failed during a write: the device is off until a power cycle. */
  | { readonly kind: 'power-lost' };

type Stage =
  | { readonly kind: 'sync' }
  | { readonly kind: 'command' }
  | { readonly kind: 'read-address' }
  | { readonly kind: 'read-length'; readonly address: number }
  | { readonly kind: 'write-address' }
  | { readonly kind: 'write-length'; readonly target: WriteTarget }
  | { readonly kind: 'write-payload'; readonly target: WriteTarget; readonly lengthByte: number };

/** Configuration of a {@link BootloaderSession}. */
export interface SessionConfig {
  readonly profile: DeviceProfile;
  readonly traits: FamilyTraits;
  readonly productId: number;
  /** Answer for a write into a locked block: ACK (true) or NACK (false); nothing changes either way. */
  readonly lockedWriteAck: boolean;
}

/**
 * The AN3155 device-side state machine: waits for 0x7F, then parses command frames byte by byte
 * and answers them. Never times out (reference §1: no device-side timeout on USART).
 */
export class BootloaderSession {
  private stage: Stage = { kind: 'sync' };
  private frame: number[] = [];

  constructor(
    private readonly config: SessionConfig,
    private readonly memory: OtpMemory,
    private readonly faults: FaultInjector,
  ) {}

  /** True once the 0x7F autobaud byte has been answered. */
  get isSynchronised(): boolean {
    return this.stage.kind !== 'sync';
  }

  /** Back to the reset state: waiting for 0x7F, nothing half-received. */
  reset(): void {
    this.stage = { kind: 'sync' };
    this.frame = [];
  }

  /** Feeds one received byte; returns what the device does in answer (often nothing yet). */
  receive(byte: number): readonly SessionEvent[] {
    if (this.stage.kind === 'sync') {
      // Bytes other than 0x7F before sync would only confuse the autobaud: ignored.
      if (byte !== SYNC_BYTE) return [];
      this.stage = { kind: 'command' };
      return [reply(Uint8Array.of(ACK))];
    }
    this.frame.push(byte);
    if (this.frame.length < frameLength(this.stage)) return [];
    const frame = Uint8Array.from(this.frame);
    this.frame = [];
    return this.handleFrame(this.stage, frame);
  }

  private handleFrame(stage: Exclude<Stage, { kind: 'sync' }>, frame: Uint8Array): readonly SessionEvent[] {
    switch (stage.kind) {
      case 'command':
        return this.handleCommand(frame);
      case 'read-address':
        return this.next(acceptReadAddress(this.memory, frame), (address) => ({ kind: 'read-length', address }));
      case 'read-length':
        this.stage = { kind: 'command' };
        return [reply(readMemoryReply(this.memory, stage.address, frame))];
      case 'write-address': {
        const target = acceptWriteAddress(this.memory, this.config.profile, this.config.traits, frame);
        return this.next(target, (accepted) => ({ kind: 'write-length', target: accepted }));
      }
      case 'write-length':
        this.stage = { kind: 'write-payload', target: stage.target, lengthByte: frame[0] ?? 0 };
        return [];
      case 'write-payload':
        this.stage = { kind: 'command' };
        return this.handleWritePayload(stage.target, stage.lengthByte, frame);
    }
  }

  private handleCommand(frame: Uint8Array): readonly SessionEvent[] {
    const [opcode = 0, complement = 0] = frame;
    const verdict = this.faults.onCommand();
    if (verdict === 'silent') return [];
    if (verdict === 'nack' || complement !== (opcode ^ 0xff)) return [reply(Uint8Array.of(NACK))];
    switch (opcode) {
      case Opcode.GET:
        return [reply(getReply())];
      case Opcode.GET_VERSION:
        return [reply(getVersionReply())];
      case Opcode.GET_ID:
        return [reply(getIdReply(this.config.productId))];
      case Opcode.READ_MEMORY:
        this.stage = { kind: 'read-address' };
        return [reply(Uint8Array.of(ACK))];
      case Opcode.WRITE_MEMORY:
        this.stage = { kind: 'write-address' };
        return [reply(Uint8Array.of(ACK))];
      default:
        // A second 0x7F, Go, Erase, protection commands, unknown opcodes: not modelled.
        return [reply(Uint8Array.of(NACK))];
    }
  }

  /** ACK and move on when a stage accepted its frame, else NACK and wait for a new command. */
  private next<T>(accepted: T | undefined, nextStage: (value: T) => Stage): readonly SessionEvent[] {
    if (accepted === undefined) {
      this.stage = { kind: 'command' };
      return [reply(Uint8Array.of(NACK))];
    }
    this.stage = nextStage(accepted);
    return [reply(Uint8Array.of(ACK))];
  }

  private handleWritePayload(target: WriteTarget, lengthByte: number, frame: Uint8Array): readonly SessionEvent[] {
    const payload = parseWritePayload(lengthByte, frame);
    if (!payload.wellFormed) return [reply(Uint8Array.of(NACK))];
    if (target.kind === 'voltage-range') return [reply(Uint8Array.of(acceptVoltageRange(payload.data) ? ACK : NACK))];
    if (!this.memory.map.covers(target.address, payload.data.length, true)) return [reply(Uint8Array.of(NACK))];
    const outcome = this.memory.program(target.address, payload.data, this.faults.programBudgetBytes(), (offset) =>
      this.faults.weakBitsAt(offset),
    );
    if (this.faults.recordProgrammed(outcome.processedBytes, payload.data.length)) {
      return [{ kind: 'written' }, { kind: 'power-lost' }];
    }
    const refused = outcome.writeProtectedBytes > 0 && !this.config.lockedWriteAck;
    return [{ kind: 'written' }, reply(Uint8Array.of(refused ? NACK : ACK), outcome.processedBytes)];
  }
}

function reply(bytes: Uint8Array, programmedBytes = 0): SessionEvent {
  return { kind: 'reply', bytes, programmedBytes };
}

/** Bytes each stage waits for (AN3155 §3): opcode pair, address + checksum, N pair, N, data + checksum. */
function frameLength(stage: Exclude<Stage, { kind: 'sync' }>): number {
  switch (stage.kind) {
    case 'command':
      return 2;
    case 'read-address':
    case 'write-address':
      return 5;
    case 'read-length':
      return 2;
    case 'write-length':
      return 1;
    case 'write-payload':
      return stage.lengthByte + 2;
  }
}
