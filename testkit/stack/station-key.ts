import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { binPath } from '../paths.js';

const run = promisify(execFile);

/** A station's sealing key pair as the stack uses it. */
export interface StationKey {
  /** The private key file (mode 0600): the station's INGRAIN_STATION_KEY_FILE. */
  readonly privateKeyPath: string;
  /** SEC1 hex of the public key, as keygen prints it and the admin registers it. */
  readonly publicKeyHex: string;
  /** `sha256:` + hex of the public key: what the API shows for the registered key. */
  readonly fingerprint: string;
}

/**
 * Makes a station's key pair with the real `ingrain-station keygen --out <dir>/key --json`, as an
 * operator does on the station (docs/station.md, "Station key pair"). A key already in `<dir>/key`
 * is never replaced: its public half is printed again (`keygen` refuses to overwrite).
 */
export async function stationKeygen(dir: string): Promise<StationKey> {
  const keyDir = join(dir, 'key');
  const existing = await access(join(keyDir, 'station-key.pem')).then(
    () => true,
    () => false,
  );
  if (existing) throw new Error(`${keyDir} already holds a station key: use a fresh stack directory`);
  const { stdout } = await run(process.execPath, [binPath('ingrain-station'), 'keygen', '--out', keyDir, '--json']);
  const printed = JSON.parse(stdout) as { privateKeyPath: string; publicKey: string; fingerprint: string };
  return { privateKeyPath: printed.privateKeyPath, publicKeyHex: printed.publicKey, fingerprint: printed.fingerprint };
}
