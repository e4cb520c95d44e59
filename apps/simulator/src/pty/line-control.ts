import { unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type FixtureLine,
  parseLineSequences,
  simLineRequestSchema,
  type SimLineRequest,
  type SimLineResponse,
  type SimLineStatus,
} from '#ingrain/otp';
import { type BootPinLevels, type SimulatedDevice, SimulatorError } from '#ingrain/simulator';

/** One boot pin's connection: the fixture line it hangs on, and whether a stage inverts it. */
export interface WireEnd {
  readonly line: FixtureLine;
  /** false: the line on (asserted / high) makes the pin active (BOOT0 high, NRST held low). */
  readonly inverted: boolean;
}

/** How the simulated fixture board wires BOOT0 and NRST to the lines. */
export interface Wiring {
  readonly boot0: WireEnd;
  readonly nrst: WireEnd;
}

/**
 * The default board, the usual USB-UART circuit (docs/fixtures.md "Wiring"): DTR asserted drives
 * BOOT0 high (through an inverting transistor), RTS asserted pulls NRST low.
 */
export const DEFAULT_WIRING_TEXT = 'boot0=dtr,nrst=rts';

/**
 * Parses `boot0=SIGNAL,nrst=SIGNAL` (SIGNAL: dtr, rts, brk or a GPIO number, `-` before it for an
 * inverting stage), with the line names of the sequence syntax.
 * @throws SimulatorError SIM_INVALID_OPTIONS naming the part.
 */
export function parseWiring(text: string): Wiring {
  const ends: Partial<Record<'boot0' | 'nrst', WireEnd>> = {};
  for (const part of text.split(',')) {
    const match = /^(boot0|nrst)=(-?)(.+)$/.exec(part);
    if (match === null) throw wiringError(text, `"${part}" is not boot0=SIGNAL or nrst=SIGNAL`);
    const [, pin = '', minus = '', signal = ''] = match;
    const steps = (() => {
      try {
        return parseLineSequences(signal).entry;
      } catch {
        return [];
      }
    })();
    const step = steps[0];
    if (steps.length !== 1 || step?.kind !== 'set' || !step.on)
      throw wiringError(text, `"${signal}" is not one signal (dtr, rts, brk or a GPIO number)`);
    ends[pin as 'boot0' | 'nrst'] = { line: step.line, inverted: minus === '-' };
  }
  if (ends.boot0 === undefined || ends.nrst === undefined) throw wiringError(text, 'needs both boot0= and nrst=');
  return { boot0: ends.boot0, nrst: ends.nrst };
}

function wiringError(text: string, reason: string): SimulatorError {
  return new SimulatorError('SIM_INVALID_OPTIONS', `wiring "${text}": ${reason}`);
}

/** Levels of the fixture's lines as the host last drove them (none driven: all off). */
interface LineLevels {
  dtr: boolean;
  rts: boolean;
  brk: boolean;
  readonly gpio: Map<number, boolean>;
}

/** The slot the control socket belongs to: its current chip (undefined while empty) and its UART. */
export interface ControlledSlot {
  chip(): SimulatedDevice | undefined;
  /** Sends what the chip transmitted on its own (the application banner). */
  flushOwnOutput(): void;
}

/**
 * A simulated fixture board's control lines, reached over a Unix socket (the pty carries none):
 * the station's `SimLineDriver` drives DTR, RTS, BREAK and GPIO lines; the wiring turns them into
 * BOOT0 and NRST levels of the chip in the slot.
 */
export class LineControl {
  readonly #levels: LineLevels = { dtr: false, rts: false, brk: false, gpio: new Map() };
  readonly #sockets = new Set<Socket>();

  private constructor(
    readonly socketPath: string,
    private readonly wiring: Wiring,
    private readonly slot: ControlledSlot,
    private readonly server: Server,
  ) {}

  /** The pin levels of the lines before any host drove them (for a chip created before start). */
  static initialPins(wiring: Wiring): BootPinLevels {
    return pinLevels(wiring, { dtr: false, rts: false, brk: false, gpio: new Map() });
  }

  /** Listens on `socketPath` (a stale socket file is replaced). @throws SimulatorError SIM_PTY_FAILED */
  static async start(socketPath: string, wiring: Wiring, slot: ControlledSlot): Promise<LineControl> {
    await unlink(socketPath).catch(() => undefined);
    const server = createServer();
    const control = new LineControl(socketPath, wiring, slot, server);
    server.on('connection', (socket) => control.#serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(new SimulatorError('SIM_PTY_FAILED', `cannot listen on ${socketPath}: ${error.message}`)),
      );
      server.listen(socketPath, resolve);
    });
    return control;
  }

  /** BOOT0 and NRST as the lines drive them now. */
  get pins(): BootPinLevels {
    return pinLevels(this.wiring, this.#levels);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await unlink(this.socketPath).catch(() => undefined);
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = '';
    let queue: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        queue = queue.then(async () => {
          const response = await this.#handle(line);
          if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
        });
      }
    });
  }

  async #handle(line: string): Promise<SimLineResponse> {
    let request: SimLineRequest;
    try {
      const parsed = simLineRequestSchema.safeParse(JSON.parse(line));
      if (!parsed.success) return { ok: false, error: 'malformed request' };
      request = parsed.data;
    } catch {
      return { ok: false, error: 'not JSON' };
    }
    switch (request.op) {
      case 'modem':
        this.#levels.dtr = request.dtr;
        this.#levels.rts = request.rts;
        this.#apply();
        break;
      case 'gpio':
        for (const [offset, high] of Object.entries(request.levels)) this.#levels.gpio.set(Number(offset), high);
        this.#apply();
        break;
      case 'break':
        this.#levels.brk = true;
        this.#apply();
        await sleep(request.durationMs);
        this.#levels.brk = false;
        this.#apply();
        break;
      case 'status':
        break;
    }
    return { ok: true, status: this.#status() };
  }

  #apply(): void {
    const chip = this.slot.chip();
    if (chip === undefined) return;
    chip.setBootPins(this.pins);
    this.slot.flushOwnOutput();
  }

  #status(): SimLineStatus {
    const chip = this.slot.chip();
    const mode = chip === undefined ? 'empty' : chip.runMode;
    return { mode, ...this.pins };
  }
}

function pinLevels(wiring: Wiring, levels: LineLevels): BootPinLevels {
  const active = (end: WireEnd): boolean => {
    const { line } = end;
    const on = line.kind === 'gpio' ? (levels.gpio.get(line.offset) ?? false) : levels[line.kind];
    return on !== end.inverted;
  };
  return { boot0High: active(wiring.boot0), resetAsserted: active(wiring.nrst) };
}
