// Redis Sentinel for the job queues (docs/deployment.md): the API and the station find the Redis
// master through the Sentinels named by INGRAIN_REDIS_SENTINELS and INGRAIN_REDIS_SENTINEL_NAME.
// One parser for both apps; each maps a failure to its own config error at its edge.
import { z } from 'zod';

/** One Sentinel: host (name, IPv4 or bracketed IPv6) and port. */
export interface RedisSentinelAddress {
  readonly host: string;
  readonly port: number;
}

/** Where the queues' Redis master is found: the Sentinels and the master's name they monitor. */
export interface RedisSentinelConfig {
  readonly sentinels: readonly RedisSentinelAddress[];
  readonly name: string;
}

const ENTRY = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$/;

/** `host:port[,host:port…]` (spaces around commas allowed) → the Sentinel addresses. */
export const redisSentinelsSchema = z.string().transform((text, context): RedisSentinelAddress[] => {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const addresses: RedisSentinelAddress[] = [];
  for (const entry of entries) {
    const match = ENTRY.exec(entry);
    const port = Number(match?.[2] ?? 0);
    if (match?.[1] === undefined || port < 1 || port > 65_535) {
      context.addIssue({ code: 'custom', message: `"${entry}" is not host:port (port 1-65535)` });
      return z.NEVER;
    }
    addresses.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
  }
  if (addresses.length === 0) {
    context.addIssue({ code: 'custom', message: 'expected host:port[,host:port…]' });
    return z.NEVER;
  }
  return addresses;
});

/** The master name the Sentinels monitor (`sentinel monitor <name> …`). */
export const redisSentinelNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 of A-Z a-z 0-9 . _ - starting alphanumeric');

/**
 * Both variables or neither: the problem as a message when only one is set, else undefined.
 * (Checked by each app's config schema, which names the variables.)
 */
export function redisSentinelPairProblem(sentinels: unknown, name: unknown): string | undefined {
  if ((sentinels === undefined) === (name === undefined)) return undefined;
  return 'INGRAIN_REDIS_SENTINELS and INGRAIN_REDIS_SENTINEL_NAME go together: set both or neither';
}

/**
 * ioredis options that reach the master through the Sentinels (merged over the REDIS_URL's: its
 * password and database still apply to the master; its host and port are then unused). None when
 * `sentinel` is null or undefined.
 */
export function redisSentinelOptions(
  sentinel: RedisSentinelConfig | null | undefined,
): { sentinels: RedisSentinelAddress[]; name: string } | Record<string, never> {
  if (sentinel === null || sentinel === undefined) return {};
  return { sentinels: sentinel.sentinels.map((address) => ({ ...address })), name: sentinel.name };
}
