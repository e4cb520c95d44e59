import { ACK, type DeviceProfile, NACK, Opcode, SYNC_BYTE } from '#ingrain/otp';
import { type FaultInjector } from '../faults/fault-injector.js';
import { type AnswerStage, type StageFault, type StageHook, shapeAnswer } from '../faults/stage-fault.js';
import { type FamilyTraits } from './family-traits.js';
import { getIdReply, getReply, getVersionReply } from './info-commands.js';
import { type OtpMemory } from './otp-memory.js';
import { acceptReadAddress, readMemoryReply } from './read-memory.js';
import { type ReadoutProtection } from './readout-protection.js';
import { type WriteTarget, acceptVoltageRange, acceptWriteAddress, parseWritePayload } from './write-memory.js';

/** Something the session did in answer to a byte. */
export type SessionEvent =
  /** Bytes to transmit, after `programmedBytes` byte programmings (for the timing model). */
  | { readonly kind: 'reply'; readonly bytes: Uint8Array; readonly programmedBytes: number }
  /** A Write Memory reached the OTP (its content may have changed): persist it. */
  | { readonly kind: 'written' }
  /** Power failed during a write: the device is off until a power cycle. */
  | { readonly kind: 'power-lost' }
  /** Go (AN3155 §3.5) accepted an address: the ROM jumps to the application (after this ACK). */
  | { readonly kind: 'go'; readonly address: number };

type Stage =
  | { readonly kind: 'sync' }
  | { readonly kind: 'command' }
  | { readonly kind: 'read-address' }
  | { readonly kind: 'read-length'; readonly address: number }
  | { readonly kind: 'write-address' }
  | { readonly kind: 'go-address' }
  | { readonly kind: 'write-length'; readonly target: WriteTarget }
  | { readonly kind: 'write-payload'; readonly target: WriteTarget; readonly lengthByte: number };

/** Configuration of a {@link BootloaderSession}. */
export interface SessionConfig {
  readonly profile: DeviceProfile;
  readonly traits: FamilyTraits;
  readonly productId: number;
  /** Answer for a write into a locked block: ACK (true) or NACK (false); nothing changes either way. */
  readonly lockedWriteAck: boolean;
  /** Opcodes the Get reply lists. */
  readonly advertisedCommands: readonly number[];
  /** Test hooks: see {@link DeviceHooks}. */
  readonly hooks: DeviceHooks;
  /** Readout protection: refuses reads and writes, or keeps the bootloader from answering at all. */
  readonly protection: ReadoutProtection;
}

/** Programmable hooks for host tests (the simulator app sets none). */
export interface DeviceHooks {
  /** Replaces the answer at one protocol stage (see {@link StageFault}). */
  readonly onStage?: StageHook;
  /** Called with the opcode of every well-formed command the device implements, as it is accepted. */
  readonly onCommand?: (opcode: number) => void;
  /** Called with every Write Memory block about to be programmed (a stage hook's NACK comes first). */
  readonly onWrite?: (address: number, bytes: Uint8Array) => void;
}

/** Opcodes the session executes; every other one is answered with NACK. */
const IMPLEMENTED: readonly number[] = [
  Opcode.GET,
  Opcode.GET_VERSION,
  Opcode.GET_ID,
  Opcode.READ_MEMORY,
  Opcode.WRITE_MEMORY,
  Opcode.READOUT_PROTECT,
  Opcode.GO,
];

/**
 * Where Go may jump: main flash and SRAM of F2/F4/F7/L4 (RM0090 §2.3 memory map; the ROM NACKs
 * other addresses, AN3155 §3.5). A simplification: one range each, the largest parts' size.
 */
const GO_TARGETS: readonly (readonly [number, number])[] = [
  [0x0800_0000, 0x0820_0000],
  [0x2000_0000, 0x2008_0000],
];

/**
 * The AN3155 device-side state machine: waits for 0x7F, then parses command frames byte by byte
 * and answers them. Never times out (docs/hardware.md §link: no device-side timeout on USART).
 */
export class BootloaderSession {
  private stage: Stage = { kind: 'sync' };
  private frame: number[] = [];
  private writeIndex = 0;

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
      if (byte !== SYNC_BYTE || this.config.protection.bootloaderDisabled) return [];
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
      case 'read-address': {
        const address = acceptReadAddress(this.memory, frame);
        return this.next(Opcode.READ_MEMORY, address, (accepted) => ({ kind: 'read-length', address: accepted }));
      }
      case 'read-length': {
        this.stage = { kind: 'command' };
        const answer = readMemoryReply(this.memory, stage.address, frame);
        return answer[0] === NACK ? [reply(answer)] : this.answer(Opcode.READ_MEMORY, 'length', answer);
      }
      case 'write-address': {
        const target = acceptWriteAddress(this.memory, this.config.profile, this.config.traits, frame);
        return this.next(Opcode.WRITE_MEMORY, target, (accepted) => ({ kind: 'write-length', target: accepted }));
      }
      case 'write-length':
        this.stage = { kind: 'write-payload', target: stage.target, lengthByte: frame[0] ?? 0 };
        return [];
      case 'go-address':
        return this.handleGoAddress(frame);
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
    // A second 0x7F, Go, Erase, protection commands, unknown opcodes: not modelled.
    if (!IMPLEMENTED.includes(opcode)) return [reply(Uint8Array.of(NACK))];
    this.config.hooks.onCommand?.(opcode);
    const refused = this.config.protection.refusal(opcode);
    if (refused !== undefined) return [reply(refused)];
    if (opcode === Opcode.READOUT_PROTECT) return this.readoutProtect();
    const fault = this.fault(opcode, 'command');
    if (fault === 'nack' || fault === 'double-nack') return [refusal(fault)];
    if (opcode === Opcode.GO) {
      this.stage = { kind: 'go-address' };
      return this.shaped(fault, Uint8Array.of(ACK));
    }
    if (opcode === Opcode.READ_MEMORY || opcode === Opcode.WRITE_MEMORY) {
      this.stage = { kind: opcode === Opcode.READ_MEMORY ? 'read-address' : 'write-address' };
      return this.shaped(fault, Uint8Array.of(ACK));
    }
    const ack = this.shapedBytes(fault, Uint8Array.of(ACK));
    // A command whose ACK was lost or that hung the device sends no reply either.
    if (ack.length === 0 || this.faults.isSilenced) return ack.length === 0 ? [] : [reply(ack)];
    const replyFault = this.fault(opcode, 'reply');
    const body =
      replyFault === 'nack' || replyFault === 'double-nack'
        ? Uint8Array.of(NACK, ...(replyFault === 'double-nack' ? [NACK] : []))
        : this.shapedBytes(replyFault, this.infoReply(opcode));
    return [reply(Uint8Array.from([...ack, ...body]))];
  }

  /** AN3155 §3.11: ACK, RDP level 1 set (persisted), ACK, system reset (waiting for 0x7F again). */
  private readoutProtect(): readonly SessionEvent[] {
    this.config.protection.set('level-1');
    this.reset();
    return [reply(Uint8Array.of(ACK, ACK)), { kind: 'written' }];
  }

  private infoReply(opcode: number): Uint8Array {
    if (opcode === Opcode.GET) return getReply(this.config.advertisedCommands);
    if (opcode === Opcode.GET_VERSION) return getVersionReply();
    return getIdReply(this.config.productId);
  }

  /** ACK and move on when a stage accepted its frame, else NACK and wait for a new command. */
  private next<T>(opcode: number, accepted: T | undefined, nextStage: (value: T) => Stage): readonly SessionEvent[] {
    if (accepted === undefined) {
      this.stage = { kind: 'command' };
      return [reply(Uint8Array.of(NACK))];
    }
    const fault = this.fault(opcode, 'address');
    if (fault === 'nack' || fault === 'double-nack') {
      this.stage = { kind: 'command' };
      return [refusal(fault)];
    }
    this.stage = nextStage(accepted);
    return this.shaped(fault, Uint8Array.of(ACK));
  }

  /** The normal answer of a stage (the session is already in its next stage), unless a hook alters it. */
  private answer(opcode: number, stage: AnswerStage, bytes: Uint8Array, programmedBytes = 0): readonly SessionEvent[] {
    const fault = this.fault(opcode, stage);
    if (fault === 'nack' || fault === 'double-nack') return [refusal(fault)];
    return this.shaped(fault, bytes, programmedBytes);
  }

  private fault(opcode: number, stage: AnswerStage): StageFault | undefined {
    return this.config.hooks.onStage?.({ opcode, stage, writeIndex: this.writeIndex });
  }

  private shaped(
    fault: Exclude<StageFault, 'nack' | 'double-nack'> | undefined,
    bytes: Uint8Array,
    programmedBytes = 0,
  ): readonly SessionEvent[] {
    const shapedBytes = this.shapedBytes(fault, bytes);
    return shapedBytes.length === 0 ? [] : [reply(shapedBytes, programmedBytes)];
  }

  private shapedBytes(fault: Exclude<StageFault, 'nack' | 'double-nack'> | undefined, bytes: Uint8Array): Uint8Array {
    if (fault === 'hang') this.faults.silence();
    return shapeAnswer(fault, bytes);
  }

  /** Go's address frame: ACK and jump for flash or SRAM with a good checksum, else NACK. */
  private handleGoAddress(frame: Uint8Array): readonly SessionEvent[] {
    this.stage = { kind: 'command' };
    const [a3 = 0, a2 = 0, a1 = 0, a0 = 0, checksum = 0] = frame;
    const address = ((a3 << 24) | (a2 << 16) | (a1 << 8) | a0) >>> 0;
    const valid = (a3 ^ a2 ^ a1 ^ a0) === checksum && GO_TARGETS.some(([from, to]) => address >= from && address < to);
    if (!valid) return [reply(Uint8Array.of(NACK))];
    this.reset();
    return [reply(Uint8Array.of(ACK)), { kind: 'go', address }];
  }

  private handleWritePayload(target: WriteTarget, lengthByte: number, frame: Uint8Array): readonly SessionEvent[] {
    const payload = parseWritePayload(lengthByte, frame);
    if (!payload.wellFormed) return [reply(Uint8Array.of(NACK))];
    if (target.kind === 'voltage-range') return [reply(Uint8Array.of(acceptVoltageRange(payload.data) ? ACK : NACK))];
    if (!this.memory.map.covers(target.address, payload.data.length, true)) return [reply(Uint8Array.of(NACK))];
    this.writeIndex++;
    const fault = this.fault(Opcode.WRITE_MEMORY, 'data');
    if (fault === 'nack' || fault === 'double-nack') return [refusal(fault)];
    this.config.hooks.onWrite?.(target.address, Uint8Array.from(payload.data));
    const outcome = this.memory.program(
      target.address,
      payload.data,
      this.faults.programBudgetBytes(),
      (offset) => this.faults.weakBitsAt(offset),
      (offset) => this.faults.weakLockBitsAt(offset),
    );
    if (this.faults.recordProgrammed(outcome.processedBytes, payload.data.length)) {
      return [{ kind: 'written' }, { kind: 'power-lost' }];
    }
    const refused = outcome.writeProtectedBytes > 0 && !this.config.lockedWriteAck;
    const answer = this.shaped(fault, Uint8Array.of(refused ? NACK : ACK), outcome.processedBytes);
    return [{ kind: 'written' }, ...answer];
  }
}

/** A stage hook's refusal: one NACK, or two (an F40x under readout protection). */
function refusal(fault: 'nack' | 'double-nack'): SessionEvent {
  return reply(fault === 'nack' ? Uint8Array.of(NACK) : Uint8Array.of(NACK, NACK));
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
    case 'go-address':
      return 5;
    case 'read-length':
      return 2;
    case 'write-length':
      return 1;
    case 'write-payload':
      return stage.lengthByte + 2;
  }
}
