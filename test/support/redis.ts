// Tests use the same private redis-server as the demo and the benchmarks (demo/stack/redis.ts).
export { startRedis as startTestRedis, type RedisServer as TestRedis } from '../../demo/stack/redis.js';
