// The HSM's raw rate for bench:api: a P-256 key pair generated as session objects plus one ECDSA
// signature, straight through pkcs11js on the app's own token and session pool — the floor under
// every device identity (the API adds the certificate, derivations, database, queue and HTTP).
import { randomBytes } from 'node:crypto';
import { SERVICE_KEY_LABELS, type Hsm } from '#ingrain/crypto';
import { findPrivateKey, rawPairAsync } from './raw-pkcs11.js';

export interface RawRate {
  readonly pairs: number;
  readonly ms: number;
  readonly perSecond: number;
  /** Process CPU (all threads) per pair, ms. */
  readonly cpuMsPerPair: number;
}

/**
 * Key-pair + signature pairs for `windowMs`, `parallel` sessions at once through the thread-pool
 * variants (what lets SoftHSM use every core; the library does the same).
 */
export async function measureRawPairs(hsm: Hsm, parallel: number, windowMs: number): Promise<RawRate> {
  const digest = randomBytes(32);
  let pairs = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, () =>
      hsm.withSession(async (session, module) => {
        const key = findPrivateKey(module, session, SERVICE_KEY_LABELS.deviceCa);
        while (performance.now() - start < windowMs) {
          await rawPairAsync(module, session, key, digest);
          pairs++;
        }
      }),
    ),
  );
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { pairs, ms, perSecond: (pairs * 1000) / ms, cpuMsPerPair: (cpu.user + cpu.system) / 1000 / pairs };
}
