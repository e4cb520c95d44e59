import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.js';

const run = promisify(execFile);

/** The SoftHSM2 module installed by the Debian package. */
export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

/** A throwaway SoftHSM token of one test file. */
export interface TestToken {
  /** Temporary directory holding softhsm2.conf, tokens/, so-pin and user-pin. */
  readonly dir: string;
  readonly confPath: string;
  readonly label: string;
  readonly modulePath: string;
  /** Throwaway user PIN (tests only: real PINs never leave their file). */
  readonly userPin: string;
  readonly userPinFile: string;
  /** Variables for loadHsmConfig() or a child process (SOFTHSM2_CONF, INGRAIN_HSM_*). */
  readonly env: Readonly<Record<string, string>>;
  /** Removes the directory and restores SOFTHSM2_CONF. Call after the HSM is closed. */
  cleanup(): Promise<void>;
}

/**
 * Creates a fresh token in its own temporary directory with scripts/softhsm-token.sh and points
 * this process's SOFTHSM2_CONF at it. SoftHSM reads SOFTHSM2_CONF at C_Initialize, so call this
 * before the first Hsm.open of the process: one token per test file (node --test runs each file
 * in its own process).
 */
export async function createTestToken(options: { label?: string } = {}): Promise<TestToken> {
  const label = options.label ?? 'ingrain-test';
  const dir = await mkdtemp(join(tmpdir(), 'ingrain-softhsm-'));
  const previousConf = process.env['SOFTHSM2_CONF'];
  try {
    await run('bash', [join(REPO_ROOT, 'scripts', 'softhsm-token.sh')], {
      env: {
        ...process.env,
        INGRAIN_SOFTHSM_DIR: dir,
        INGRAIN_SOFTHSM_LABEL: label,
        INGRAIN_SOFTHSM_MODULE: SOFTHSM_MODULE,
      },
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const confPath = join(dir, 'softhsm2.conf');
  const userPinFile = join(dir, 'user-pin');
  const userPin = (await readFile(userPinFile, 'utf8')).trim();
  process.env['SOFTHSM2_CONF'] = confPath;
  const env = {
    SOFTHSM2_CONF: confPath,
    INGRAIN_HSM_MODULE: SOFTHSM_MODULE,
    INGRAIN_HSM_TOKEN_LABEL: label,
    INGRAIN_HSM_PIN_FILE: userPinFile,
  };
  const cleanup = async () => {
    if (previousConf === undefined) delete process.env['SOFTHSM2_CONF'];
    else process.env['SOFTHSM2_CONF'] = previousConf;
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, confPath, label, modulePath: SOFTHSM_MODULE, userPin, userPinFile, env, cleanup };
}
