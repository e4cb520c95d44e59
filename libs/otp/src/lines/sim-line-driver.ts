import { connect, type Socket } from 'node:net';
import { type ModemLines } from '../transport/index.js';
import { type LineDriver, LineDriverError } from './line-driver.js';
import { type SimLineRequest, simLineResponseSchema, type SimLineStatus } from './sim-line-protocol.js';

/** Longest wait for the simulator to answer one request. */
const REPLY_TIMEOUT_MS = 2_000;

/**
 * The line driver of a simulated fixture: a pty has no modem lines, so DTR, RTS, BREAK and GPIO
 * go to the simulator's control socket for that fixture (`ingrain-sim --line-control DIR`).
 * Requests are answered in order; each resolves once the simulated chip has seen the change.
 */
export class SimLineDriver implements LineDriver {
  #buffer = '';
  readonly #waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString('utf8');
      for (let newline = this.#buffer.indexOf('\n'); newline !== -1; newline = this.#buffer.indexOf('\n')) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        this.#waiting.shift()?.resolve(line);
      }
    });
    socket.on('close', () => {
      for (const waiter of this.#waiting.splice(0))
        waiter.reject(new LineDriverError('simulator control socket closed'));
    });
  }

  /**
   * Connects to `socketPath`. Like opening a real port on Linux (which raises DTR and RTS), the
   * connection starts with both asserted: a fixture wired the usual way sees what a real one sees.
   * `asPortOpen: false` skips that (an observer that only asks for `status`).
   * @throws LineDriverError when nothing listens there.
   */
  static async connect(socketPath: string, options: { asPortOpen?: boolean } = {}): Promise<SimLineDriver> {
    const socket = connect(socketPath);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (error) =>
        reject(new LineDriverError(`cannot reach the simulator's line control at ${socketPath}`, { cause: error })),
      );
    });
    socket.on('error', () => undefined); // reported through the pending requests ('close')
    const driver = new SimLineDriver(socket);
    if (options.asPortOpen !== false) await driver.setModemLines({ dtr: true, rts: true });
    return driver;
  }

  async setModemLines(lines: ModemLines): Promise<void> {
    await this.request({ op: 'modem', dtr: lines.dtr, rts: lines.rts });
  }

  async sendBreak(durationMs: number): Promise<void> {
    await this.request({ op: 'break', durationMs });
  }

  async setGpio(levels: ReadonlyMap<number, boolean>): Promise<void> {
    await this.request({ op: 'gpio', levels: Object.fromEntries([...levels].map(([k, v]) => [String(k), v])) });
  }

  /** What the simulated chip runs now (for tests and `doctor`). */
  status(): Promise<SimLineStatus> {
    return this.request({ op: 'status' });
  }

  close(): Promise<void> {
    this.socket.destroy();
    return Promise.resolve();
  }

  private request(request: SimLineRequest): Promise<SimLineStatus> {
    const run = async (): Promise<SimLineStatus> => {
      const line = new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.socket.destroy(); // a late answer must not be taken for the next request's
          reject(new LineDriverError('the simulator did not answer'));
        }, REPLY_TIMEOUT_MS);
        this.#waiting.push({
          resolve: (text) => (clearTimeout(timer), resolve(text)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
      });
      this.socket.write(`${JSON.stringify(request)}\n`);
      const parsed = simLineResponseSchema.safeParse(JSON.parse(await line));
      if (!parsed.success) throw new LineDriverError('the simulator sent a malformed answer');
      if (!parsed.data.ok) throw new LineDriverError(`the simulator refused ${request.op}: ${parsed.data.error}`);
      return parsed.data.status;
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
