import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's postgresql-15 server binaries. */
export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';

/** A throwaway PostgreSQL server of one test file: its own data dir, port and socket dir. */
export interface PostgresServer {
  readonly port: number;
  /** Temporary directory holding data/, the socket and server.log. */
  readonly dir: string;
  /** URL of a database on this server (user postgres, trust authentication, TCP on 127.0.0.1). */
  url(database?: string): string;
  /** Stops the server (fast shutdown) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** argv running a server binary: as the postgres user when we are root (PostgreSQL refuses root). */
function asServerUser(binary: string, args: readonly string[]): [string, string[]] {
  const path = join(POSTGRES_BIN_DIR, binary);
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, [...args]];
}

async function runServerBinary(binary: string, args: readonly string[], cwd: string): Promise<void> {
  const [command, argv] = asServerUser(binary, args);
  await run(command, argv, { cwd, env: { ...process.env, LC_ALL: 'C' } });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function giveToServerUser(dir: string): Promise<void> {
  if (!isRoot()) return;
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  await chown(dir, Number(stdout.trim()), Number(gid.trim()));
}

/** Settings for a disposable server: durability off (tests never survive a crash anyway). */
function serverOptions(port: number, dir: string): string {
  return [
    `-c port=${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=100',
  ].join(' ');
}

async function startOnFreePort(dir: string, dataDir: string, logFile: string): Promise<number> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions(port, dir)];
    try {
      await runServerBinary('pg_ctl', args, dir);
      return port;
    } catch (error) {
      lastError = error; // most likely the port was taken in between: try another
    }
  }
  const log = await readFile(logFile, 'utf8').catch(() => '');
  throw new Error(`PostgreSQL did not start:\n${log.slice(-2000)}`, { cause: lastError });
}

/**
 * Watches this process from outside: when it is gone without having stopped the server (killed by
 * a signal, a crashed runner, a closed pipe), the guardian stops the server and removes its
 * directory, so no test run leaves a PostgreSQL behind. Polls once a second; killed by stop().
 */
function startGuardian(dataDir: string, dir: string): ChildProcess {
  const [command, argv] = asServerUser('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
  const script = [
    'parent="$1"; dir="$2"; shift 2',
    'while kill -0 "$parent" 2>/dev/null; do sleep 1; done',
    '"$@" >/dev/null 2>&1',
    'rm -rf "$dir"',
  ].join('\n');
  const guardian = spawn('sh', ['-c', script, 'ingrain-pg-guardian', String(process.pid), dir, command, ...argv], {
    detached: true,
    stdio: 'ignore',
  });
  guardian.unref();
  return guardian;
}

/**
 * Starts a throwaway PostgreSQL 15 server: initdb into a new temp dir, pg_ctl start on a free port
 * (socket dir inside the temp dir; the system cluster is never touched). Runs the binaries as the
 * postgres user when the tests run as root. If the process exits without stop(), an exit hook
 * (or, when it is killed, a guardian process) stops the server and removes the directory.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'ingrain-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  let port: number;
  try {
    await giveToServerUser(dir);
    const initdbArgs = ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'];
    await runServerBinary('initdb', initdbArgs, dir);
    port = await startOnFreePort(dir, dataDir, logFile);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const guardian = startGuardian(dataDir, dir);
  let stopped = false;
  const stopNow = (): void => {
    if (stopped) return;
    stopped = true;
    guardian.kill();
    const [command, argv] = asServerUser('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
    spawnSync(command, argv, { cwd: dir, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopNow);
  return {
    port,
    dir,
    url: (database = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopNow);
      guardian.kill();
      try {
        await runServerBinary('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], dir);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
