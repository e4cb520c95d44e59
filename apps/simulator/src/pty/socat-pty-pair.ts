import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SimulatorError } from '#ingrain/simulator';

/** Two connected pseudo-terminals: the device opens one end, a host the other. */
export interface PtyPair {
  readonly devicePath: string;
  readonly hostPath: string;
  /** Stops socat (SIGTERM, then SIGKILL after a grace period). Idempotent. */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** How long socat may take to create both ptys. Default 5000 ms. */
  readonly timeoutMs?: number;
  readonly socatPath?: string;
}

const PTY_LINE = /PTY is (\/dev\/pts\/\d+)/g;
const READY_LINE = 'starting data transfer loop';
const KILL_GRACE_MS = 1000;

/** socat processes still running, killed synchronously if this process exits without closing them. */
const liveSocats = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveSocats) child.kill('SIGKILL');
});

/**
 * Spawns `socat -d -d pty,raw,echo=0 pty,raw,echo=0` and resolves once both ptys exist and socat
 * is relaying. Raw mode, no echo; the kernel ignores parity on ptys (docs/hardware.md §pty).
 * @throws SimulatorError SIM_SOCAT_MISSING, SIM_PTY_FAILED, SIM_PTY_TIMEOUT (socat is killed first)
 */
export async function openPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const socat = [options.socatPath ?? 'socat', '-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'];
  // setpriv (util-linux) makes the kernel SIGTERM socat if this process dies without cleaning up
  // (SIGKILL, a killed test runner): no orphaned socat holding ptys.
  const command = hasSetpriv() ? ['setpriv', '--pdeathsig', 'SIGTERM', '--', ...socat] : socat;
  const child = spawn(command[0] ?? 'socat', command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  liveSocats.add(child);
  try {
    const [devicePath, hostPath] = await waitForPtys(child, options.timeoutMs ?? 5000);
    return { devicePath, hostPath, close: () => stopSocat(child) };
  } catch (error) {
    await stopSocat(child);
    throw error;
  }
}

let setprivFound: boolean | undefined;

function hasSetpriv(): boolean {
  setprivFound ??= (process.env.PATH ?? '').split(delimiter).some((dir) => existsSync(join(dir, 'setpriv')));
  return setprivFound;
}

/** The device and host pty paths once socat has announced both and started relaying. */
export function parseSocatReady(stderr: string): [string, string] | undefined {
  const [devicePath, hostPath] = [...stderr.matchAll(PTY_LINE)].map((match) => match[1] ?? '');
  if (devicePath === undefined || hostPath === undefined || !stderr.includes(READY_LINE)) return undefined;
  return [devicePath, hostPath];
}

/** Why socat stopped before it was ready (exit status 127: setpriv could not find socat). */
export function socatExitError(exitCode: number | null, stderr: string): SimulatorError {
  const tail = stderr.trim().split('\n').slice(-3).join(' | ');
  if (exitCode === 127) return new SimulatorError('SIM_SOCAT_MISSING', `socat not found: ${tail}`);
  return new SimulatorError(
    'SIM_PTY_FAILED',
    `socat exited (${exitCode ?? 'signal'}) before the ptys were ready: ${tail}`,
  );
}

function waitForPtys(child: ChildProcess, timeoutMs: number): Promise<[string, string]> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const settle = (outcome: [string, string] | SimulatorError) => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
      child.stderr?.resume(); // keep draining socat's stderr so it never blocks on a full pipe
      if (outcome instanceof SimulatorError) reject(outcome);
      else resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const paths = parseSocatReady(stderr);
      if (paths !== undefined) settle(paths);
    };
    const onError = (error: NodeJS.ErrnoException) => {
      const code = error.code === 'ENOENT' ? 'SIM_SOCAT_MISSING' : 'SIM_PTY_FAILED';
      settle(new SimulatorError(code, `cannot run socat: ${error.message}`, { cause: error }));
    };
    const onExit = (exitCode: number | null) => settle(socatExitError(exitCode, stderr));
    const timer = setTimeout(() => {
      settle(new SimulatorError('SIM_PTY_TIMEOUT', `socat did not create two ptys within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stderr?.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
  });
}

async function stopSocat(child: ChildProcess): Promise<void> {
  liveSocats.delete(child);
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
