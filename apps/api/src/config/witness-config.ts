import { type CosignerKey, parseCosignerVkey } from '#ingrain/crypto';
import { ConfigError } from './config-error.js';
import type { ApiEnv } from './env-schema.js';

/** One witness the API asks for cosignatures (docs/witness.md "What the API does"). */
export interface WitnessEndpoint {
  /** The submission prefix: `POST <url>/add-checkpoint`. */
  readonly url: string;
  readonly key: CosignerKey;
  /** The witness's vkey string as configured. */
  readonly vkey: string;
}

/** Witnessing settings; null when INGRAIN_WITNESS_URLS is unset (no witnessing). */
export interface WitnessingConfig {
  readonly witnesses: readonly WitnessEndpoint[];
  /** INGRAIN_WITNESS_INTERVAL_MS: pause between two rounds (default 10 s). */
  readonly intervalMs: number;
  /** INGRAIN_WITNESS_TIMEOUT_MS: one witness request's limit (default 10 s). */
  readonly requestTimeoutMs: number;
}

const URLS = 'INGRAIN_WITNESS_URLS';
const KEYS = 'INGRAIN_WITNESS_KEYS';
const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);

/**
 * INGRAIN_WITNESS_URLS (comma-separated http(s) submission prefixes) with INGRAIN_WITNESS_KEYS
 * (comma-separated cosigner vkeys, same order), or null when neither is set.
 * @throws ConfigError naming the variable and the entry that is wrong (never a key's bytes).
 */
export function witnessingConfig(vars: ApiEnv): WitnessingConfig | null {
  const urls = list(vars.INGRAIN_WITNESS_URLS);
  const vkeys = list(vars.INGRAIN_WITNESS_KEYS);
  if (urls.length === 0 && vkeys.length === 0) return null;
  if (urls.length !== vkeys.length) {
    throw new ConfigError(`${URLS} lists ${urls.length} witnesses but ${KEYS} ${vkeys.length}: give one key per URL`);
  }
  const witnesses = urls.map((url, i): WitnessEndpoint => {
    if (!URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol)) {
      throw new ConfigError(`${URLS} entry ${i + 1} is invalid: expected an http:// or https:// URL`);
    }
    const vkey = vkeys[i] ?? '';
    try {
      return { url: url.replace(/\/+$/, ''), key: parseCosignerVkey(vkey), vkey };
    } catch (cause) {
      throw new ConfigError(`${KEYS} entry ${i + 1} is invalid: ${(cause as Error).message}`, { cause });
    }
  });
  return {
    witnesses,
    intervalMs: vars.INGRAIN_WITNESS_INTERVAL_MS,
    requestTimeoutMs: vars.INGRAIN_WITNESS_TIMEOUT_MS,
  };
}
