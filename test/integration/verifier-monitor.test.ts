// `ingrain-verify monitor` (compiled bin) against a real API serving its log as tlog-tiles without a
// token, then against a tiny local HTTP server that serves a modified copy: a tampered entry, a
// tampered hash tile, and a checkpoint signed by the log key for a forked history. Exit 0 when
// caught up, 1 with the reason when anything is wrong, and the state file only moves forward.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encodeEntryBundle, hashLeaf, InMemoryLogStore, TransparencyLog } from '#ingrain/crypto';
import { LogService } from '../../apps/api/src/log/log.service.js';
import { TrustService } from '../../apps/api/src/trust/index.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { binPath } from '../../testkit/paths.js';
import { seedProduction, type SeededProduction } from '../support/database.js';
import { provision } from '../support/logged-attestation.js';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let api: TestApi;
let dir: string;
let tilesUrl: string;
let seed: SeededProduction;
const texts: string[] = [];

function monitor(url: string, state: string): Promise<CliResult> {
  const args = ['monitor', '--url', url, '--state', state];
  args.push('--attestation-key', 'attestation.pub.pem', '--log-key', 'log.pub.pem', '--origin', api.config.logOrigin);
  return new Promise((resolve) => {
    execFile(process.execPath, [binPath('ingrain-verify'), ...args], { cwd: dir }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

/** A static tiles server: exactly these paths (below /tiles/), 404 for anything else. */
async function serve(files: ReadonlyMap<string, Uint8Array>): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const body = files.get((request.url ?? '').replace(/^\/tiles\//, ''));
    response.writeHead(body === undefined ? 404 : 200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiles/`, server };
}

async function copyOfLog(paths: readonly string[]): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const path of paths) {
    const response = await fetch(new URL(path, tilesUrl));
    assert.equal(response.status, 200, path);
    files.set(path, new Uint8Array(await response.arrayBuffer()));
  }
  return files;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingrain-monitor-'));
  api = await startTestApi({ env: { INGRAIN_LOG_PUBLIC: 'true', INGRAIN_LOG_CHECKPOINT_INTERVAL_MS: '86400000' } });
  await api.app.listen(0, '127.0.0.1');
  tilesUrl = `${(await api.app.getUrl()).replace('[::1]', '127.0.0.1')}/v1/log/tiles/`;
  const keys = api.app.get(TrustService).publicKeys();
  await writeFile(join(dir, 'attestation.pub.pem'), keys.attestationPublicKeyPem);
  await writeFile(join(dir, 'log.pub.pem'), keys.logPublicKeyPem);
  seed = await seedProduction(api.database.kysely);
  for (let i = 0; i < 3; i++) texts.push(await provision(api, seed, `MON-${i}`));
  await api.app.get(LogService).integrate();
});

after(async () => {
  await api?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

void describe('ingrain-verify monitor', () => {
  test('follows the real log: verifies everything on the first run, then only what is new', async () => {
    const first = await monitor(tilesUrl, 'state.json');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /caught up: tree size 3 \(3 new entries verified since size 0\)/);
    await copyFile(join(dir, 'state.json'), join(dir, 'state-at-3.json'));

    for (let i = 3; i < 5; i++) texts.push(await provision(api, seed, `MON-${i}`));
    await api.app.get(LogService).integrate();
    const second = await monitor(tilesUrl, 'state.json');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /caught up: tree size 5 \(2 new entries verified since size 3\)/);
    const third = await monitor(tilesUrl, 'state.json');
    assert.match(third.stdout, /tree size 5 \(0 new entries verified since size 5\)/);
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { treeSize: number };
    assert.equal(state.treeSize, 5);
  });

  test('a tampered entry or hash tile is a bad entry: exit 1 with the leaf, the state stays', async () => {
    const paths = ['checkpoint', 'tile/entries/000.p/5', 'tile/0/000.p/5'];
    const entryTampered = await copyOfLog(paths);
    const bundle = entryTampered.get('tile/entries/000.p/5')!;
    const at = bundle.indexOf(0x22, bundle.length - 40); // a quote near the end of the last entry
    bundle[at] = 0x27;
    const hashTampered = await copyOfLog(paths);
    hashTampered.get('tile/0/000.p/5')![4 * 32 + 3]! ^= 1; // leaf 4, one the kept state has not seen
    for (const files of [entryTampered, hashTampered]) {
      const { url, server } = await serve(files);
      try {
        await copyFile(join(dir, 'state-at-3.json'), join(dir, 'tampered.json'));
        const before = await readFile(join(dir, 'tampered.json'), 'utf8');
        const result = await monitor(url, 'tampered.json');
        assert.equal(result.code, 1, result.stdout + result.stderr);
        assert.match(result.stderr, /LOG_TILE_INVALID: bad entry: leaf [34] .*does not match the log's hash tile/);
        assert.equal(await readFile(join(dir, 'tampered.json'), 'utf8'), before, 'the state does not move');
      } finally {
        server.close();
      }
    }
  });

  test('a checkpoint signed by the log key for a forked history is an inconsistent checkpoint', async () => {
    // The operator's key signs a tree that keeps the first three entries but not the next two.
    const trust = api.app.get(TrustService);
    const fork = new TransparencyLog({
      store: new InMemoryLogStore(),
      origin: trust.logOrigin,
      signer: trust.logSigner,
    });
    const leaves = [...texts.slice(0, 3), 'forged-3', 'forged-4', 'forged-5'].map((text) => Buffer.from(text));
    await fork.append(leaves);
    const forked = await fork.checkpoint();
    const files = new Map<string, Uint8Array>([
      ['checkpoint', Buffer.from(forked.note)],
      ['tile/entries/000.p/6', encodeEntryBundle(leaves)],
      ['tile/0/000.p/6', Buffer.concat(leaves.map((leaf) => hashLeaf(leaf)))],
    ]);
    const { url, server } = await serve(files);
    try {
      await copyFile(join(dir, 'state.json'), join(dir, 'forked.json'));
      const result = await monitor(url, 'forked.json');
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(
        result.stderr,
        /LOG_CONSISTENCY_PROOF_INVALID: inconsistent checkpoint: the checkpoint of size 6 does not extend the kept checkpoint of size 5/,
      );
    } finally {
      server.close();
    }
  });
});
