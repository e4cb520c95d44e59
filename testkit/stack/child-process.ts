import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** Default time a child gets to exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

/** A child process whose stdout and stderr are read line by line. */
export interface LineProcess {
  readonly child: ChildProcess;
  /** Every line it wrote (stdout and stderr), in order. */
  readonly lines: string[];
  /** Resolves with the exit code (or the signal's name) once it exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves once it exited. */
  stop(timeoutMs?: number): Promise<number | string>;
  /** Sends `signal` (default SIGKILL) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface SpawnLinesOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Called with every line, e.g. to echo it with a prefix. */
  readonly onLine?: (line: string) => void;
}

/**
 * Spawns `command` with piped output kept as lines. The child is killed when this process exits,
 * so a crashed test or demo never leaves a station or an API behind.
 */
export function spawnLines(command: string, args: readonly string[], options: SpawnLinesOptions = {}): LineProcess {
  const child = spawn(command, [...args], { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      options.onLine?.(line);
    });
  }
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      process.removeListener('exit', killOnExit);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    lines,
    exited,
    stop: async (timeoutMs = STOP_TIMEOUT_MS) => {
      if (!running()) return exited;
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.kill('SIGTERM');
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
    kill: async (signal = 'SIGKILL') => {
      if (running()) child.kill(signal);
      return exited;
    },
  };
}

/** A TCP port nobody listens on right now (the OS's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Polls `probe` every `intervalMs` until it returns a value other than undefined.
 * @throws Error naming `what` after `timeoutMs`, or at once when `abort` returns a reason.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const reason = options.abort?.();
    if (reason !== undefined) throw new Error(`${what}: ${reason}`);
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${options.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
