import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { VerifierCliError } from './cli-io.js';

/** One bundle to verify and where it came from (`file` or `file:line` for JSON Lines). */
export interface BundleText {
  readonly source: string;
  readonly text: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a file as strict UTF-8. Throws VERIFY_INPUT_UNREADABLE naming the path. */
export function readTextFile(cwd: string, path: string): string {
  try {
    return utf8.decode(readFileSync(resolve(cwd, path)));
  } catch (cause) {
    throw new VerifierCliError('VERIFY_INPUT_UNREADABLE', `cannot read ${path} as UTF-8 text`, { cause });
  }
}

/** Reads and decodes a JSON file. Throws VERIFY_INPUT_UNREADABLE. */
export function readJsonFile(cwd: string, path: string): unknown {
  const text = readTextFile(cwd, path);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new VerifierCliError('VERIFY_INPUT_UNREADABLE', `${path} is not valid JSON`, { cause });
  }
}

/** Reads a PEM public key (or certificate) and returns its DER SPKI. Throws VERIFY_TRUST_INVALID. */
export function readPublicKeySpki(cwd: string, path: string, what: string): Uint8Array {
  const pem = readTextFile(cwd, path);
  try {
    return new Uint8Array(createPublicKey(pem).export({ format: 'der', type: 'spki' }));
  } catch (cause) {
    throw new VerifierCliError('VERIFY_TRUST_INVALID', `${path} is not a PEM public key (${what})`, { cause });
  }
}

/**
 * Reads bundle files: a `.jsonl` file holds one bundle per non-empty line, any other file holds
 * one bundle. Texts are decoded later, per bundle, so one bad bundle fails alone.
 */
export function readBundleTexts(cwd: string, paths: readonly string[]): BundleText[] {
  return paths.flatMap((path) => {
    const text = readTextFile(cwd, path);
    if (!path.endsWith('.jsonl')) return [{ source: path, text }];
    return text
      .split('\n')
      .map((line, i) => ({ source: `${path}:${i + 1}`, text: line }))
      .filter((entry) => entry.text.trim().length > 0);
  });
}
