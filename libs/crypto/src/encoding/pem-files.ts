import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { CryptoError } from '../errors.js';

/** Largest PEM file read (a certificate chain or a key is a few KiB). */
export const MAX_PEM_FILE_BYTES = 1024 * 1024;

/**
 * A PEM file that cannot be used: unreadable, too large, not a regular file, or a private key that
 * group or others can access. The message starts with the path and never holds the file's content;
 * callers prefix the setting that named the file and map it to their own error.
 */
export class PemFileError extends CryptoError {
  constructor(message: string) {
    super('PEM_FILE_REFUSED', message);
  }
}

/** A PEM file's text (certificates, a CA bundle). @throws PemFileError. */
export function readPemFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PemFileError(`${path}: cannot read the file (${ioReason(error)})`);
  }
  if (text.length > MAX_PEM_FILE_BYTES) throw new PemFileError(`${path}: larger than ${MAX_PEM_FILE_BYTES} bytes`);
  return text;
}

/**
 * A private key file's text, read through one handle and refused (as ssh does) when group or others
 * have any access to it, or when it belongs to another user than this process or root.
 * @throws PemFileError.
 */
export function readPrivateKeyPemFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new PemFileError(`${path}: cannot read the file (${ioReason(error)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new PemFileError(`${path}: not a regular file`);
    const mode = stat.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new PemFileError(
        `${path}: mode ${mode.toString(8).padStart(4, '0')} lets group or others read the key; chmod 600 it`,
      );
    }
    const uid = process.getuid?.();
    if (uid !== undefined && uid !== 0 && stat.uid !== uid && stat.uid !== 0) {
      throw new PemFileError(`${path}: owned by uid ${stat.uid}, not by this process (uid ${uid}) or root`);
    }
    if (stat.size > MAX_PEM_FILE_BYTES) throw new PemFileError(`${path}: larger than ${MAX_PEM_FILE_BYTES} bytes`);
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof PemFileError) throw error;
    throw new PemFileError(`${path}: cannot read the file (${ioReason(error)})`);
  } finally {
    closeSync(fd);
  }
}

function ioReason(error: unknown): string {
  return (error as NodeJS.ErrnoException | null)?.code ?? 'unreadable';
}
