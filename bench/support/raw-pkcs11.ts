// Raw pkcs11js building blocks shared by bench:crypto and bench:api: the floor under every device
// identity, measured on the same objects the library makes (libs/crypto hsm/device-keys.ts).
import pkcs11js from 'pkcs11js';
import { P256_EC_PARAMS_DER, type Pkcs11, type Pkcs11Handle } from '#ingrain/crypto';

// Device-key templates with the library's flags (session objects, private key sensitive and
// unusable), so the raw loop makes the same objects the library does.
const t = pkcs11js;
export const PUBLIC_TEMPLATE: pkcs11js.Template = [
  { type: t.CKA_CLASS, value: t.CKO_PUBLIC_KEY },
  { type: t.CKA_KEY_TYPE, value: t.CKK_EC },
  { type: t.CKA_EC_PARAMS, value: Buffer.from(P256_EC_PARAMS_DER) },
  { type: t.CKA_TOKEN, value: false },
  { type: t.CKA_PRIVATE, value: false },
  { type: t.CKA_VERIFY, value: true },
  { type: t.CKA_ENCRYPT, value: false },
  { type: t.CKA_WRAP, value: false },
  { type: t.CKA_DERIVE, value: false },
];
export const PRIVATE_TEMPLATE: pkcs11js.Template = [
  { type: t.CKA_CLASS, value: t.CKO_PRIVATE_KEY },
  { type: t.CKA_KEY_TYPE, value: t.CKK_EC },
  { type: t.CKA_TOKEN, value: false },
  { type: t.CKA_PRIVATE, value: true },
  { type: t.CKA_SENSITIVE, value: true },
  { type: t.CKA_EXTRACTABLE, value: false },
  { type: t.CKA_SIGN, value: false },
  { type: t.CKA_DECRYPT, value: false },
  { type: t.CKA_UNWRAP, value: false },
  { type: t.CKA_DERIVE, value: false },
];
export const KEYGEN = { mechanism: t.CKM_EC_KEY_PAIR_GEN };
export const ECDSA = { mechanism: t.CKM_ECDSA };

export function findPrivateKey(module: Pkcs11, session: Pkcs11Handle, label: string): Pkcs11Handle {
  module.C_FindObjectsInit(session, [
    { type: t.CKA_CLASS, value: t.CKO_PRIVATE_KEY },
    { type: t.CKA_LABEL, value: label },
  ]);
  const [handle] = module.C_FindObjects(session, 2);
  module.C_FindObjectsFinal(session);
  if (handle === undefined) throw new Error(`no private key labelled ${label}`);
  return handle;
}

/** One keygen + one sign through the thread-pool (*Async) variants. */
export async function rawPairAsync(
  module: Pkcs11,
  session: Pkcs11Handle,
  key: Pkcs11Handle,
  digest: Buffer,
): Promise<void> {
  const keys = await module.C_GenerateKeyPairAsync(session, KEYGEN, PUBLIC_TEMPLATE, PRIVATE_TEMPLATE);
  module.C_DestroyObject(session, keys.privateKey);
  module.C_DestroyObject(session, keys.publicKey);
  module.C_SignInit(session, ECDSA, key);
  await module.C_SignAsync(session, digest, Buffer.alloc(64));
}
