// The HSM's raw rate for bench:api: a P-256 key pair generated as session objects plus one ECDSA
// signature, straight through pkcs11js on the app's own token and session pool — the floor under
// every device identity (the API adds the certificate, derivations, database, queue and HTTP).
import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { P256_EC_PARAMS_DER, SERVICE_KEY_LABELS, type Hsm, type Pkcs11, type Pkcs11Handle } from '#ingrain/crypto';

const t = pkcs11js;
// The library's device-key templates: session objects, private key sensitive and not extractable.
const PUBLIC_TEMPLATE: pkcs11js.Template = [
  { type: t.CKA_CLASS, value: t.CKO_PUBLIC_KEY },
  { type: t.CKA_KEY_TYPE, value: t.CKK_EC },
  { type: t.CKA_EC_PARAMS, value: Buffer.from(P256_EC_PARAMS_DER) },
  { type: t.CKA_TOKEN, value: false },
  { type: t.CKA_VERIFY, value: true },
];
const PRIVATE_TEMPLATE: pkcs11js.Template = [
  { type: t.CKA_CLASS, value: t.CKO_PRIVATE_KEY },
  { type: t.CKA_KEY_TYPE, value: t.CKK_EC },
  { type: t.CKA_TOKEN, value: false },
  { type: t.CKA_PRIVATE, value: true },
  { type: t.CKA_SENSITIVE, value: true },
  { type: t.CKA_EXTRACTABLE, value: false },
  { type: t.CKA_SIGN, value: false },
];
const KEYGEN = { mechanism: t.CKM_EC_KEY_PAIR_GEN };
const ECDSA = { mechanism: t.CKM_ECDSA };

export interface RawRate {
  readonly pairs: number;
  readonly ms: number;
  readonly perSecond: number;
  /** Process CPU (all threads) per pair, ms. */
  readonly cpuMsPerPair: number;
}

function caKey(module: Pkcs11, session: Pkcs11Handle): Pkcs11Handle {
  module.C_FindObjectsInit(session, [
    { type: t.CKA_CLASS, value: t.CKO_PRIVATE_KEY },
    { type: t.CKA_LABEL, value: SERVICE_KEY_LABELS.deviceCa },
  ]);
  const [handle] = module.C_FindObjects(session, 1);
  module.C_FindObjectsFinal(session);
  if (handle === undefined) throw new Error('the device CA key is missing');
  return handle;
}

async function pair(module: Pkcs11, session: Pkcs11Handle, key: Pkcs11Handle, digest: Buffer): Promise<void> {
  const keys = await module.C_GenerateKeyPairAsync(session, KEYGEN, PUBLIC_TEMPLATE, PRIVATE_TEMPLATE);
  module.C_DestroyObject(session, keys.privateKey);
  module.C_DestroyObject(session, keys.publicKey);
  module.C_SignInit(session, ECDSA, key);
  await module.C_SignAsync(session, digest, Buffer.alloc(64));
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
        const key = caKey(module, session);
        while (performance.now() - start < windowMs) {
          await pair(module, session, key, digest);
          pairs++;
        }
      }),
    ),
  );
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { pairs, ms, perSecond: (pairs * 1000) / ms, cpuMsPerPair: (cpu.user + cpu.system) / 1000 / pairs };
}
