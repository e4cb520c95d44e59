import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './child-process.js';
import { spawnRedisServer } from './redis.js';

/** A private Redis Sentinel (redis-server --sentinel) monitoring one master. */
export interface RedisSentinel {
  readonly port: number;
  /** The master's name it monitors (INGRAIN_REDIS_SENTINEL_NAME). */
  readonly name: string;
  /** `127.0.0.1:<port>` (INGRAIN_REDIS_SENTINELS). */
  readonly address: string;
  /** Stops it and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's redis-server in Sentinel mode on a free localhost port, monitoring the master on
 * 127.0.0.1:`masterPort` under `name` (quorum 1: it alone decides). Its config file (which a
 * Sentinel rewrites) lives in a fresh temp dir. Always `stop()` it.
 */
export async function startRedisSentinel(masterPort: number, name = 'ingrain'): Promise<RedisSentinel> {
  const dir = await mkdtemp(join(tmpdir(), 'ingrain-sentinel-'));
  const port = await freePort();
  const configFile = join(dir, 'sentinel.conf');
  const config = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
    `sentinel down-after-milliseconds ${name} 1000`,
  ];
  await writeFile(configFile, `${config.join('\n')}\n`);
  const stop = await spawnRedisServer('redis sentinel start', [configFile, '--sentinel'], port, dir);
  return { port, name, address: `127.0.0.1:${port}`, stop };
}
