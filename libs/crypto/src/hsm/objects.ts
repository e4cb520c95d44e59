import { KEY_FLAG_ATTRIBUTES, decodeBool, decodeUlong, type KeyFlag, type KeyFlags } from './attributes.js';
import { isP256EcParams } from './ec.js';
import { returnValueName } from './errors.js';
import { pkcs11, type Handle, type Pkcs11, type Template } from './pkcs11.js';

export type KeyObjectClass = 'private-key' | 'public-key' | 'secret-key' | 'other';
export type KeyType = 'ec' | 'generic-secret' | 'aes' | 'other';

/** Public facts about a key object (never CKA_VALUE). */
export interface KeyObjectInfo {
  readonly objectClass: KeyObjectClass;
  readonly keyType: KeyType;
  readonly label: string;
  /** CKA_ID as lowercase hex ('' when absent). */
  readonly idHex: string;
  /** For EC keys: 'P-256' when CKA_EC_PARAMS is its named-curve OID. */
  readonly curve?: 'P-256' | 'other';
  /** For secret keys: CKA_VALUE_LEN. */
  readonly valueLengthBytes?: number;
  /** Boolean attributes the token reported; a flag it does not support is absent. */
  readonly flags: KeyFlags;
}

/** A key object as found in a session: its handle (valid for this application) and its facts. */
export interface KeyObject {
  readonly handle: Handle;
  readonly info: KeyObjectInfo;
}

const FIND_BATCH = 64;

/** All object handles matching `template`, with the find operation always finalized. */
export function findObjects(module: Pkcs11, session: Handle, template: Template): Handle[] {
  module.C_FindObjectsInit(session, template);
  try {
    const handles: Handle[] = [];
    for (;;) {
      const batch = module.C_FindObjects(session, FIND_BATCH);
      handles.push(...batch);
      if (batch.length < FIND_BATCH) return handles;
    }
  } finally {
    module.C_FindObjectsFinal(session);
  }
}

/** Token key objects (private, public, secret), optionally only those labelled `label`. */
export function findTokenKeys(module: Pkcs11, session: Handle, label?: string): KeyObject[] {
  const keyClasses = [pkcs11.CKO_PRIVATE_KEY, pkcs11.CKO_PUBLIC_KEY, pkcs11.CKO_SECRET_KEY];
  return keyClasses.flatMap((objectClass) => {
    const template: Template = [
      { type: pkcs11.CKA_CLASS, value: objectClass },
      { type: pkcs11.CKA_TOKEN, value: true },
    ];
    if (label !== undefined) template.push({ type: pkcs11.CKA_LABEL, value: label });
    return findObjects(module, session, template).map((handle) => ({
      handle,
      info: describeKey(module, session, handle),
    }));
  });
}

/** Reads the public facts of a key object, one attribute at a time (a module may lack some). */
export function describeKey(module: Pkcs11, session: Handle, handle: Handle): KeyObjectInfo {
  const read = (type: number) => readAttribute(module, session, handle, type);
  const objectClass = classOf(read(pkcs11.CKA_CLASS));
  const keyType = keyTypeOf(read(pkcs11.CKA_KEY_TYPE));
  const flags: Partial<Record<KeyFlag, boolean>> = {};
  for (const [flag, type] of Object.entries(KEY_FLAG_ATTRIBUTES)) {
    const value = read(type);
    if (value !== undefined) flags[flag as KeyFlag] = decodeBool(value);
  }
  const valueLength = objectClass === 'secret-key' ? read(pkcs11.CKA_VALUE_LEN) : undefined;
  return {
    objectClass,
    keyType,
    label: read(pkcs11.CKA_LABEL)?.toString('utf8') ?? '',
    idHex: read(pkcs11.CKA_ID)?.toString('hex') ?? '',
    ...(keyType === 'ec' ? { curve: isP256EcParams(read(pkcs11.CKA_EC_PARAMS)) ? 'P-256' : 'other' } : {}),
    ...(valueLength !== undefined ? { valueLengthBytes: decodeUlong(valueLength) } : {}),
    flags,
  };
}

/**
 * One attribute's value, or undefined when the object does not have it or it is sensitive
 * (CKR_ATTRIBUTE_TYPE_INVALID / CKR_ATTRIBUTE_SENSITIVE). Other failures throw.
 */
export function readAttribute(module: Pkcs11, session: Handle, handle: Handle, type: number): Buffer | undefined {
  try {
    return module.C_GetAttributeValue(session, handle, [{ type }])[0]?.value;
  } catch (error) {
    const rv = returnValueName(error);
    if (rv === 'CKR_ATTRIBUTE_TYPE_INVALID' || rv === 'CKR_ATTRIBUTE_SENSITIVE') return undefined;
    throw error;
  }
}

function classOf(value: Buffer | undefined): KeyObjectClass {
  const objectClass = value === undefined ? -1 : decodeUlong(value);
  if (objectClass === pkcs11.CKO_PRIVATE_KEY) return 'private-key';
  if (objectClass === pkcs11.CKO_PUBLIC_KEY) return 'public-key';
  if (objectClass === pkcs11.CKO_SECRET_KEY) return 'secret-key';
  return 'other';
}

function keyTypeOf(value: Buffer | undefined): KeyType {
  const keyType = value === undefined ? -1 : decodeUlong(value);
  if (keyType === pkcs11.CKK_EC) return 'ec';
  if (keyType === pkcs11.CKK_GENERIC_SECRET) return 'generic-secret';
  if (keyType === pkcs11.CKK_AES) return 'aes';
  return 'other';
}
