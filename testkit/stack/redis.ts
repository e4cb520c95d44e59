import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pollUntil, spawnLines } from './child-process.js';

const REDIS_SERVER = '/usr/bin/redis-server';
const START_TIMEOUT_MS = 10_000;

/** A private redis-server: no persistence, its own directory and port. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its temp directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Whether a Redis on 127.0.0.1:`port` answers PING (the start-up probe of every private Redis). */
export function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString('latin1').startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts Debian's redis-server on a free localhost port (no RDB/AOF, working directory in a fresh
 * temp dir), for a test file, the demo or a benchmark. Always `stop()` it. Retries on another port
 * when the chosen one was taken in between. `port`: start on that one (e.g. to restart a stopped
 * server where its clients reconnect).
 */
export async function startRedis(attempts = 3, port?: number): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(port ?? (await freePort()));
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

async function startOnce(port: number): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'ingrain-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const stop = await spawnRedisServer('redis-server start', args, port, dir);
  return { url: `redis://127.0.0.1:${port}`, port, stop };
}

/**
 * Runs Debian's redis-server with `args` (in the foreground, warnings only) and waits until
 * 127.0.0.1:`port` answers PING; returns its stop (SIGTERM, then SIGKILL; removes `dir`). A server
 * that exits or never answers is stopped and its directory removed before this throws.
 */
export async function spawnRedisServer(
  what: string,
  args: readonly string[],
  port: number,
  dir: string,
): Promise<() => Promise<void>> {
  const server = spawnLines(REDIS_SERVER, [...args, '--daemonize', 'no', '--loglevel', 'warning']);
  const stop = async () => {
    await server.stop(5_000);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await pollUntil(what, async () => ((await answersPing(port)) ? true : undefined), {
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 25,
      abort: () =>
        server.child.exitCode === null ? undefined : `exited with ${server.child.exitCode}: ${server.lines.join(' ')}`,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
