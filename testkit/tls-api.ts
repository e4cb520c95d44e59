import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createIngrainClient, type IngrainClient } from '#ingrain/api-client';
import { apiFetchFor, type ApiTlsSettings } from '../apps/station/src/worker/api/tls-agent.js';
import { freePort, pollUntil, spawnLines, type LineProcess } from './stack/child-process.js';
import { prepareHsm } from './stack/hsm-token.js';
import { startRedis, type RedisServer } from './stack/redis.js';
import { binPath } from './paths.js';
import type { TestPki } from './tls.js';

const run = promisify(execFile);
const START_TIMEOUT_MS = 60_000;

/** `bin/ingrain-api` serving HTTPS with a test PKI (testkit/tls.ts), on its own token, Redis and data. */
export interface HttpsApi {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly redis: RedisServer;
  readonly adminToken: string;
  readonly process: LineProcess;
  /** A generated client that trusts the test CA and presents no client certificate. */
  client(token: string, tls?: ApiTlsSettings): IngrainClient;
  /** Stops the API and starts it again on the same data, with `env` over the first start's (e.g. another mode). */
  restart(env: Readonly<Record<string, string>>): Promise<void>;
  stop(): Promise<void>;
}

export interface HttpsApiOptions {
  readonly dir: string;
  readonly pki: TestPki;
  /** More INGRAIN_TLS_* (client CA, station certificate mode, minimum version). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The real API process with INGRAIN_TLS_CERT_FILE / INGRAIN_TLS_KEY_FILE set to the PKI's server
 * certificate (localhost, 127.0.0.1): a SoftHSM token and the key ceremony, a private Redis, PGlite,
 * a first admin token (ingrain-admin), then `bin/ingrain-api`, ready once /health/ready answers over
 * HTTPS with the test CA trusted.
 */
export async function startHttpsApi(options: HttpsApiOptions): Promise<HttpsApi> {
  const [hsm, redis, port] = await Promise.all([prepareHsm(options.dir), startRedis(), freePort()]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...hsm.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    REDIS_URL: redis.url,
    INGRAIN_DATA_DIR: join(options.dir, 'data'),
    INGRAIN_PUBLIC_KEYS_DIR: hsm.publicKeysDir,
    LOG_LEVEL: 'warn',
    INGRAIN_TLS_CERT_FILE: options.pki.server.certFile,
    INGRAIN_TLS_KEY_FILE: options.pki.server.keyFile,
    ...options.env,
  };
  let current: LineProcess | undefined;
  try {
    const admin = [binPath('ingrain-admin'), 'token', 'create', '--role', 'admin', '--name', 'ops', '--json'];
    const { stdout } = await run(process.execPath, admin, { env });
    const adminToken = (JSON.parse(stdout) as { token: string }).token;
    const url = `https://127.0.0.1:${port}`;
    const trusted = apiFetchFor({ apiCaFile: options.pki.ca.certFile });
    if (trusted === undefined) throw new Error('no TLS fetch');
    const launch = async (more: Readonly<Record<string, string>>): Promise<LineProcess> => {
      const started = spawnLines(process.execPath, [binPath('ingrain-api')], { env: { ...env, ...more } });
      current = started;
      await pollUntil('the HTTPS API to be ready', () => ready(trusted, url), {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 100,
        abort: () =>
          started.child.exitCode === null
            ? undefined
            : `exited with ${started.child.exitCode}: ${started.lines.slice(-5).join(' | ')}`,
      });
      return started;
    };
    await launch({});
    const client = (token: string, tls: ApiTlsSettings = { apiCaFile: options.pki.ca.certFile }) => {
      const fetch = apiFetchFor(tls);
      if (fetch === undefined) throw new Error('no TLS settings');
      return createIngrainClient({
        baseUrl: url,
        token,
        fetch: (request) => fetch(request, { signal: AbortSignal.timeout(10_000) }),
      });
    };
    const restart = async (more: Readonly<Record<string, string>>) => {
      await current?.stop();
      await launch(more);
    };
    const stop = async () => {
      await current?.stop();
      await redis.stop();
    };
    return {
      url,
      port,
      redis,
      adminToken,
      get process() {
        if (current === undefined) throw new Error('not running');
        return current;
      },
      client,
      restart,
      stop,
    };
  } catch (error) {
    await current?.stop();
    await redis.stop();
    throw error;
  }
}

async function ready(trusted: NonNullable<ReturnType<typeof apiFetchFor>>, url: string): Promise<true | undefined> {
  try {
    const response = await trusted(new Request(`${url}/health/ready`), { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200 ? true : undefined;
  } catch {
    return undefined;
  }
}
