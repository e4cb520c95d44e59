import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { binPath, REPO_ROOT } from '../paths.js';

const run = promisify(execFile);

/** A project-local SoftHSM token with the service keys: what the API and ingrain-admin need. */
export interface StackHsm {
  /** SOFTHSM2_CONF and INGRAIN_HSM_* for the API's process (the PIN stays in its file). */
  readonly env: Readonly<Record<string, string>>;
  /** Published trust material: ca.pem, ingrain-attestation.pub.pem, ingrain-log.pub.pem, … */
  readonly publicKeysDir: string;
}

/**
 * Creates (idempotently) a SoftHSM token under `<dir>/softhsm` with scripts/softhsm-token.sh, then
 * runs the key ceremony `ingrain-admin hsm init --out <dir>/public-keys` (idempotent too).
 */
export async function prepareHsm(dir: string): Promise<StackHsm> {
  const { stdout } = await run('bash', [join(REPO_ROOT, 'scripts', 'softhsm-token.sh')], {
    env: { ...process.env, INGRAIN_SOFTHSM_DIR: join(dir, 'softhsm'), INGRAIN_SOFTHSM_LABEL: 'ingrain' },
  });
  const env = parseExports(stdout);
  const publicKeysDir = join(dir, 'public-keys');
  await run(process.execPath, [binPath('ingrain-admin'), 'hsm', 'init', '--out', publicKeysDir, '--json'], {
    env: { ...process.env, ...env },
  });
  return { env, publicKeysDir };
}

/** `export NAME=value` lines (bash %q quoting of plain paths) → a record. */
function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2].replace(/\\(.)/g, '$1');
  }
  if (env['SOFTHSM2_CONF'] === undefined) throw new Error('scripts/softhsm-token.sh printed no SOFTHSM2_CONF');
  return env;
}
