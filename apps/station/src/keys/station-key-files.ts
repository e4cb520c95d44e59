import { generateKeyPair as generateKeyPairCallback, type KeyObject } from 'node:crypto';
import { lstat, mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bytesToHex } from '#ingrain/encoding';
import {
  HpkeError,
  p256PublicKeyBytes,
  parseP256PrivateKey,
  parseP256PublicKey,
  stationKeyFingerprint,
} from '#ingrain/crypto';
import { StationKeyError } from './errors.js';

// The station's own P-256 key pair: the API seals each claim's secrets to its public key
// (docs/sealing.md); the private key never leaves this machine. Only file I/O and permission
// policy live here; the cryptography is libs/crypto's.

const generateKeyPair = promisify(generateKeyPairCallback);

/** File names inside the key directory. */
export const STATION_PRIVATE_KEY_FILE = 'station-key.pem';
export const STATION_PUBLIC_KEY_FILE = 'station-key.pub.pem';

/** Modes keygen gives the directory (when it makes it) and the two files. */
const DIR_MODE = 0o700;
const PRIVATE_KEY_MODE = 0o600;
const PUBLIC_KEY_MODE = 0o644;
/** Largest key file read: a P-256 PEM is about 250 bytes. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

/** The public half as the API and an operator see it. */
export interface StationPublicKeyInfo {
  /** The 65-byte uncompressed SEC1 point the API seals to. */
  readonly publicKey: Uint8Array;
  /** `sha256:` + hex SHA-256 of the 65-byte point: what logs and the API show instead of the key. */
  readonly fingerprint: string;
}

/** What keygen wrote. */
export interface GeneratedStationKey extends StationPublicKeyInfo {
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
}

/** A loaded private key with its public half. */
export interface LoadedStationKey extends StationPublicKeyInfo {
  readonly privateKey: KeyObject;
  readonly path: string;
}

/**
 * Makes a fresh P-256 key pair in `dir` (created with mode 0700 if missing): the private key as a
 * PKCS#8 PEM with mode 0600 and the public key as an SPKI PEM with mode 0644. Never overwrites:
 * a key the API already knows must be replaced deliberately (remove the files first).
 * @throws StationKeyError STATION_KEY_EXISTS when either file exists; STATION_KEY_IO otherwise.
 */
export async function generateStationKeyFiles(dir: string): Promise<GeneratedStationKey> {
  const privateKeyPath = join(dir, STATION_PRIVATE_KEY_FILE);
  const publicKeyPath = join(dir, STATION_PUBLIC_KEY_FILE);
  await ioStep(`create ${dir}`, () => mkdir(dir, { recursive: true, mode: DIR_MODE }));
  for (const path of [privateKeyPath, publicKeyPath]) await refuseExisting(path);
  const { privateKey, publicKey } = await generateKeyPair('ec', { namedCurve: 'prime256v1' });
  await writeNewFile(privateKeyPath, String(privateKey.export({ format: 'pem', type: 'pkcs8' })), PRIVATE_KEY_MODE);
  try {
    await writeNewFile(publicKeyPath, String(publicKey.export({ format: 'pem', type: 'spki' })), PUBLIC_KEY_MODE);
  } catch (error) {
    // Never leave a private key whose public half nobody can register.
    await rm(privateKeyPath, { force: true });
    throw error;
  }
  return { privateKeyPath, publicKeyPath, ...publicKeyInfo(p256PublicKeyBytes(publicKey)) };
}

/**
 * Loads the station's private key, refusing it (as ssh does) when the file is accessible to group
 * or others or owned by another user. The file is checked and read through one handle.
 * @throws StationKeyError STATION_KEY_NOT_FOUND, STATION_KEY_PERMISSIONS (naming the file and its
 * mode), STATION_KEY_INVALID (not a regular file, or not a P-256 private key PEM), STATION_KEY_IO.
 */
export async function loadStationPrivateKey(path: string): Promise<LoadedStationKey> {
  const pem = await readKeyFile(path, { private: true });
  let privateKey: KeyObject;
  try {
    privateKey = parseP256PrivateKey(pem);
  } catch (error) {
    if (!(error instanceof HpkeError)) throw error;
    throw new StationKeyError('STATION_KEY_INVALID', `${path} is not a P-256 private key PEM (${error.code})`, {
      cause: error,
    });
  }
  return { privateKey, path, ...publicKeyInfo(p256PublicKeyBytes(privateKey)) };
}

/**
 * Loads a station public key file: an SPKI PEM (what keygen writes) or SEC1 uncompressed hex.
 * @throws StationKeyError STATION_KEY_NOT_FOUND, STATION_KEY_INVALID, STATION_KEY_IO.
 */
export async function loadStationPublicKey(path: string): Promise<StationPublicKeyInfo> {
  const text = await readKeyFile(path, { private: false });
  try {
    return publicKeyInfo(parseP256PublicKey(text));
  } catch (error) {
    if (!(error instanceof HpkeError)) throw error;
    throw new StationKeyError('STATION_KEY_INVALID', `${path} is not a P-256 public key (${error.code})`, {
      cause: error,
    });
  }
}

/** The SEC1 hex of a public key, as `keygen` prints it for registration. */
export function stationPublicKeyHex(publicKey: Uint8Array): string {
  return bytesToHex(publicKey);
}

function publicKeyInfo(publicKey: Uint8Array): StationPublicKeyInfo {
  return { publicKey, fingerprint: stationKeyFingerprint(publicKey) };
}

async function readKeyFile(path: string, kind: { private: boolean }): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) {
      throw new StationKeyError(
        'STATION_KEY_NOT_FOUND',
        `${path} does not exist (make one with ingrain-station keygen)`,
      );
    }
    throw new StationKeyError('STATION_KEY_IO', `cannot open ${path} (${errnoName(error)})`, { cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new StationKeyError('STATION_KEY_INVALID', `${path} is not a regular file`);
    if (kind.private) checkPrivateKeyPermissions(path, stat.mode, stat.uid);
    if (stat.size > MAX_KEY_FILE_BYTES) {
      throw new StationKeyError('STATION_KEY_INVALID', `${path} has ${stat.size} bytes, too large for a key file`);
    }
    return await handle.readFile({ encoding: 'utf8' });
  } catch (error) {
    if (error instanceof StationKeyError) throw error;
    throw new StationKeyError('STATION_KEY_IO', `cannot read ${path} (${errnoName(error)})`, { cause: error });
  } finally {
    await handle.close();
  }
}

function checkPrivateKeyPermissions(path: string, mode: number, ownerUid: number): void {
  const permissions = mode & 0o777;
  if ((permissions & 0o077) !== 0) {
    throw new StationKeyError(
      'STATION_KEY_PERMISSIONS',
      `station private key ${path} has mode ${octal(permissions)}: it must not be accessible by group or others ` +
        `(run: chmod 600 ${path})`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && ownerUid !== uid) {
    throw new StationKeyError(
      'STATION_KEY_PERMISSIONS',
      `station private key ${path} is owned by uid ${ownerUid}, not by the station's uid ${uid}`,
    );
  }
}

async function refuseExisting(path: string): Promise<void> {
  try {
    await lstat(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw new StationKeyError('STATION_KEY_IO', `cannot check ${path} (${errnoName(error)})`, { cause: error });
  }
  throw existsError(path);
}

function existsError(path: string): StationKeyError {
  return new StationKeyError(
    'STATION_KEY_EXISTS',
    `${path} already exists: keygen never replaces a station key (remove both key files first, then register the new key)`,
  );
}

async function writeNewFile(path: string, text: string, mode: number): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx', mode);
  } catch (error) {
    if (isErrno(error, 'EEXIST')) throw existsError(path);
    throw new StationKeyError('STATION_KEY_IO', `cannot create ${path} (${errnoName(error)})`, { cause: error });
  }
  try {
    // The umask may have narrowed `mode`; set it exactly.
    await handle.chmod(mode);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    throw new StationKeyError('STATION_KEY_IO', `cannot write ${path} (${errnoName(error)})`, { cause: error });
  } finally {
    await handle.close();
  }
}

async function ioStep(what: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    throw new StationKeyError('STATION_KEY_IO', `cannot ${what} (${errnoName(error)})`, { cause: error });
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function errnoName(error: unknown): string {
  return error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.name) : 'unknown error';
}
