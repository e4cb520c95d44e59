// `bin/ingrain-station keygen` into a temporary directory: the files and their modes, no overwrite,
// and the loaders the worker will use, which refuse a private key readable by group or others.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openAsStation, sealForStation } from '#ingrain/crypto';
import { StationKeyError } from '../../apps/station/src/keys/errors.js';
import {
  loadStationPrivateKey,
  loadStationPublicKey,
  STATION_PRIVATE_KEY_FILE,
  STATION_PUBLIC_KEY_FILE,
} from '../../apps/station/src/keys/station-key-files.js';
import { type CliRun, runStation } from '../support/station-cli.js';

function station(args: string[]): Promise<CliRun> {
  return runStation(args, 30_000);
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

async function rejection(promise: Promise<unknown>): Promise<StationKeyError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StationKeyError, String(error));
    return error;
  }
  assert.fail('expected a StationKeyError');
}

describe('ingrain-station keygen', () => {
  let root: string;
  let keyDir: string;
  let privatePath: string;
  let publicPath: string;
  let summary: { privateKeyPath: string; publicKeyPath: string; publicKey: string; fingerprint: string };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ingrain-station-keygen-'));
    keyDir = join(root, 'keys');
    privatePath = join(keyDir, STATION_PRIVATE_KEY_FILE);
    publicPath = join(keyDir, STATION_PUBLIC_KEY_FILE);
    const result = await station(['keygen', '--out', keyDir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    summary = JSON.parse(result.stdout) as typeof summary;
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('writes the private key 0600, the public key 0644, in a 0700 directory', async () => {
    assert.equal(summary.privateKeyPath, privatePath);
    assert.equal(summary.publicKeyPath, publicPath);
    assert.equal(await mode(keyDir), 0o700);
    assert.equal(await mode(privatePath), 0o600);
    assert.equal(await mode(publicPath), 0o644);
    assert.match(await readFile(privatePath, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(await readFile(publicPath, 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
    assert.match(summary.publicKey, /^04[0-9a-f]{128}$/);
    assert.match(summary.fingerprint, /^sha256:[0-9a-f]{64}$/);
  });

  test('prints the public key, never the private key', async () => {
    const privatePem = await readFile(privatePath, 'utf8');
    const body = privatePem.split('\n')[1] ?? '';
    assert.ok(body.length > 20);
    assert.ok(!JSON.stringify(summary).includes(body.slice(0, 20)));
  });

  test('the loaders give one key pair: what is sealed to the public key opens with the private key', async () => {
    const loaded = await loadStationPrivateKey(privatePath);
    const registered = await loadStationPublicKey(publicPath);
    assert.equal(Buffer.from(loaded.publicKey).toString('hex'), summary.publicKey);
    assert.equal(loaded.fingerprint, summary.fingerprint);
    assert.deepEqual(registered.publicKey, loaded.publicKey);
    const binding = {
      deviceId: 'device-1',
      chipUid: '0011223344556677889900aa',
      claimId: 'claim-1',
      stationId: 'st-1',
    };
    const envelope = sealForStation({
      stationPublicKey: registered.publicKey,
      plaintext: new Uint8Array([1, 2, 3]),
      binding,
    });
    assert.deepEqual(
      openAsStation({ stationPrivateKey: loaded.privateKey, envelope, binding }),
      new Uint8Array([1, 2, 3]),
    );
  });

  test('never overwrites an existing key', async () => {
    const before = await readFile(privatePath, 'utf8');
    const result = await station(['keygen', '--out', keyDir]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /STATION_KEY_EXISTS/);
    assert.match(result.stderr, new RegExp(STATION_PRIVATE_KEY_FILE.replace('.', '\\.')));
    assert.equal(await readFile(privatePath, 'utf8'), before);
  });

  test('refuses to load a private key readable by group or others, naming the file and the mode', async () => {
    for (const loose of [0o644, 0o640, 0o604, 0o660]) {
      await chmod(privatePath, loose);
      const error = await rejection(loadStationPrivateKey(privatePath));
      assert.equal(error.code, 'STATION_KEY_PERMISSIONS');
      assert.ok(error.message.includes(privatePath), error.message);
      assert.ok(error.message.includes(`0${loose.toString(8)}`), error.message);
    }
    await chmod(privatePath, 0o400);
    await loadStationPrivateKey(privatePath);
    await chmod(privatePath, 0o600);
  });

  test('refuses a missing file, a directory and a file that is not a P-256 private key', async () => {
    assert.equal((await rejection(loadStationPrivateKey(join(root, 'absent.pem')))).code, 'STATION_KEY_NOT_FOUND');
    assert.equal((await rejection(loadStationPrivateKey(keyDir))).code, 'STATION_KEY_INVALID');
    const notKey = join(root, 'not-a-key.pem');
    await writeFile(notKey, 'hello\n', { mode: 0o600 });
    assert.equal((await rejection(loadStationPrivateKey(notKey))).code, 'STATION_KEY_INVALID');
    assert.equal((await rejection(loadStationPrivateKey(publicPath))).code, 'STATION_KEY_PERMISSIONS');
    await chmod(publicPath, 0o600);
    assert.equal((await rejection(loadStationPrivateKey(publicPath))).code, 'STATION_KEY_INVALID');
    await chmod(publicPath, 0o644);
  });

  test('bad flags are usage errors (exit 2); --help explains the files', async () => {
    const missing = await station(['keygen']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--out DIR/);
    assert.equal((await station(['keygen', '--out', keyDir, '--force'])).code, 2);
    const help = await station(['keygen', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /station-key\.pem/);
    assert.match(help.stdout, /0600/);
  });
});
