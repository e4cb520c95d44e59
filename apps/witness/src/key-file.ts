import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { Ed25519Cosigner, readPrivateKeyPemFile } from '#ingrain/crypto';
import { WitnessCliError } from './errors.js';

/** `format` of a witness key file (docs/witness.md "Key file"). */
export const WITNESS_KEY_FORMAT = 'ingrain.witness-key.v1';

const keyFileSchema = z.strictObject({
  format: z.literal(WITNESS_KEY_FORMAT),
  name: z.string().min(1),
  /** Base64 DER PKCS#8 of the Ed25519 private key. */
  privateKeyPkcs8: z.string().min(1),
});

/**
 * Makes a new Ed25519 witness key and writes it to `path`, created owner-only (0600) and never
 * overwriting an existing file (WITNESS_KEY_FILE_EXISTS). Returns the cosigner.
 */
export function createKeyFile(path: string, name: string): Ed25519Cosigner {
  const { privateKey } = generateKeyPairSync('ed25519');
  const cosigner = new Ed25519Cosigner(name, privateKey); // validates the name before anything is written
  const document = {
    format: WITNESS_KEY_FORMAT,
    name,
    privateKeyPkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new WitnessCliError('WITNESS_KEY_FILE_EXISTS', `--key-file: ${path} already exists`);
    throw new WitnessCliError('WITNESS_KEY_FILE_INVALID', `--key-file: cannot create ${path} (${code ?? 'error'})`, {
      cause,
    });
  }
  try {
    writeSync(fd, `${JSON.stringify(document, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return cosigner;
}

/**
 * Reads a witness key file: refused unless owner-only (as ssh does), well formed, and an Ed25519
 * key. Errors name the file and the reason, never the key. @throws WitnessCliError.
 */
export function readKeyFile(path: string): Ed25519Cosigner {
  let text: string;
  try {
    text = readPrivateKeyPemFile(path);
  } catch (cause) {
    throw new WitnessCliError('WITNESS_KEY_FILE_INVALID', `--key-file: ${(cause as Error).message}`, { cause });
  }
  let parsed: z.output<typeof keyFileSchema>;
  try {
    parsed = keyFileSchema.parse(JSON.parse(text));
  } catch (cause) {
    throw new WitnessCliError('WITNESS_KEY_FILE_INVALID', `--key-file: ${path} is not an ${WITNESS_KEY_FORMAT} file`, {
      cause,
    });
  }
  try {
    const privateKey = createPrivateKey({
      key: Buffer.from(parsed.privateKeyPkcs8, 'base64'),
      format: 'der',
      type: 'pkcs8',
    });
    return new Ed25519Cosigner(parsed.name, privateKey);
  } catch (cause) {
    throw new WitnessCliError('WITNESS_KEY_FILE_INVALID', `--key-file: ${path} does not hold an Ed25519 key`, {
      cause,
    });
  }
}
