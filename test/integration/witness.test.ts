// Witnessing end to end (docs/witness.md): the real API (its own SoftHSM token, database, Redis)
// collects cosignatures from two real `ingrain-witness serve` processes, each with its own key
// and state file; the witnessed checkpoint satisfies `ingrain-verify --witness` 2 of 2 and fails
// 3 of 3 with an unknown third key. A fork of the log (same HSM log key, other leaves, in a memory
// log store) is refused by a witness, and still after the witness restarts. Needs the compiled dist/.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InMemoryLogStore, TransparencyLog, formatAddCheckpointRequest } from '#ingrain/crypto';
import { TrustService } from '../../apps/api/src/trust/index.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { binPath } from '../../testkit/paths.js';
import { seedProduction, type SeededProduction } from '../support/database.js';
import { provisionLogged } from '../support/logged-attestation.js';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface WitnessProcess {
  readonly name: string;
  readonly keyFile: string;
  readonly stateFile: string;
  readonly port: number;
  readonly vkey: string;
  child?: ChildProcess;
}

interface WitnessedBody {
  treeSize: number;
  note: string;
  cosignatures: { witnessKey: string; keyName: string; cosignedAt: string }[];
}

let dir: string;
let api: TestApi;
let auditor: string;
let logVkey: string;
const witnesses: WitnessProcess[] = [];

function run(bin: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [binPath(bin), ...args], { cwd: dir }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function makeWitness(name: string): Promise<WitnessProcess> {
  const keyFile = join(dir, `${name}.key`);
  const init = await run('ingrain-witness', ['init', '--key-file', keyFile, '--name', `witness.test/${name}`]);
  assert.equal(init.code, 0, init.stderr);
  return {
    name,
    keyFile,
    stateFile: join(dir, `${name}.state.json`),
    port: await freePort(),
    vkey: init.stdout.trim(),
  };
}

/** Starts `ingrain-witness serve`; resolves once it says it listens. */
async function startWitness(witness: WitnessProcess): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      binPath('ingrain-witness'),
      'serve',
      '--key-file',
      witness.keyFile,
      '--state-file',
      witness.stateFile,
      '--log-vkey',
      logVkey,
      '--port',
      String(witness.port),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  witness.child = child;
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`witness ${witness.name} exited ${code}: ${output}`)));
  });
}

async function stopWitness(witness: WitnessProcess): Promise<void> {
  const child = witness.child;
  if (!child || child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0, `witness ${witness.name} stops cleanly on SIGTERM`);
}

const get = (path: string) => api.http().get(path).set('Authorization', `Bearer ${auditor}`);

/** A logged attestation, as the result endpoint makes it (test/support/logged-attestation.ts). */
async function provisionDevice(seed: SeededProduction, serial: string): Promise<number> {
  return (await provisionLogged(api, seed, serial)).leafIndex;
}

/** Polls the witnessed checkpoint until both witnesses cosigned `treeSize` (the loop runs every 100 ms). */
async function witnessedAt(treeSize: number): Promise<WitnessedBody> {
  for (;;) {
    const response = await get('/v1/log/witnessed-checkpoint');
    const body = response.body as WitnessedBody;
    if (response.status === 200 && body.treeSize === treeSize && body.cosignatures.length === 2) return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingrain-witness-'));
  witnesses.push(await makeWitness('alpha'), await makeWitness('beta'));
  api = await startTestApi({
    env: {
      INGRAIN_WITNESS_URLS: witnesses.map((w) => `http://127.0.0.1:${w.port}`).join(','),
      INGRAIN_WITNESS_KEYS: witnesses.map((w) => w.vkey).join(','),
      INGRAIN_WITNESS_INTERVAL_MS: '100',
    },
  });
  auditor = await api.createToken('auditor');
  logVkey = ((await get('/v1/keys')).body as { logVerifierKey: string }).logVerifierKey;
  for (const witness of witnesses) await startWitness(witness);
});

after(async () => {
  for (const witness of witnesses) await stopWitness(witness).catch(() => undefined);
  await api?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

void describe('witnessing with two ingrain-witness processes', () => {
  let bundleFile: string;
  let witnessedFile: string;
  let witnessed: WitnessedBody;

  void test('a provisioned device ends up in a checkpoint both witnesses cosigned', async () => {
    assert.match(logVkey, /^ingrain\.local\/log\+[0-9a-f]{8}\+A/);
    const seed = await seedProduction(api.database.kysely);
    const leafIndex = await provisionDevice(seed, 'WIT-0001');
    const bundle = await get(`/v1/attestations/${leafIndex}/bundle`);
    assert.equal(bundle.status, 200, JSON.stringify(bundle.body));
    const checkpointSize = Number((bundle.body as { log: { checkpoint: string } }).log.checkpoint.split('\n')[1]);
    witnessed = await witnessedAt(checkpointSize);
    assert.deepEqual(witnessed.cosignatures.map((c) => c.keyName).sort(), ['witness.test/alpha', 'witness.test/beta']);
    bundleFile = join(dir, 'bundle.json');
    witnessedFile = join(dir, 'witnessed.json');
    await writeFile(bundleFile, JSON.stringify(bundle.body));
    await writeFile(witnessedFile, JSON.stringify(witnessed));
    for (const witness of witnesses) {
      const state = JSON.parse(await readFile(witness.stateFile, 'utf8')) as {
        logs: Record<string, { treeSize: number }>;
      };
      assert.equal(
        state.logs[api.config.logOrigin]?.treeSize,
        checkpointSize,
        `${witness.name} recorded what it cosigned`,
      );
    }
  });

  void test('ingrain-verify: 2 of 2 passes; 3 of 3 with an unknown third key fails and says why', async () => {
    const keys = (await get('/v1/keys')).body as Record<string, string>;
    await writeFile(join(dir, 'attestation.pub.pem'), keys['attestationPublicKeyPem'] ?? '');
    await writeFile(join(dir, 'log.pub.pem'), keys['logPublicKeyPem'] ?? '');
    await writeFile(join(dir, 'ca.pem'), keys['caCertificatePem'] ?? '');
    const trust = ['--attestation-key', 'attestation.pub.pem', '--log-key', 'log.pub.pem', '--ca', 'ca.pem'];
    const base = [...trust, '--origin', keys['logOrigin'] ?? '', '--witnessed-checkpoint', witnessedFile];
    const two = witnesses.flatMap((w) => ['--witness', w.vkey]);

    const passed = await run('ingrain-verify', [...base, ...two, '--witness-threshold', '2', bundleFile]);
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /witness policy: PASS checkpoint at tree size \d+: 2 of 2 witness cosignatures valid/);

    const unknown = await makeWitness('gamma'); // a key that never cosigned anything
    const three = [...two, '--witness', unknown.vkey, '--witness-threshold', '3'];
    const failed = await run('ingrain-verify', [...base, ...three, bundleFile]);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(
      failed.stdout,
      /witness policy: FAIL \[WITNESS_POLICY_UNMET\] checkpoint at tree size \d+: 2 of 3 witness cosignatures valid, 3 required \(valid: witness\.test\/alpha, witness\.test\/beta; missing: witness\.test\/gamma\)/,
    );

    const unwitnessed = await run('ingrain-verify', [
      ...trust,
      '--origin',
      keys['logOrigin'] ?? '',
      ...two,
      bundleFile,
    ]);
    assert.equal(unwitnessed.code, 1, 'without the cosignatures the bare checkpoint fails the policy');
    assert.match(unwitnessed.stdout, /0 of 2 witness cosignatures valid, 2 required/);
  });

  void test('a witness refuses a fork of what it cosigned, also after a restart', async () => {
    const witness = witnesses[0]!;
    const signer = api.app.get(TrustService).logSigner;
    const fork = new TransparencyLog({ store: new InMemoryLogStore(), origin: api.config.logOrigin, signer });
    await fork.append(Array.from({ length: witnessed.treeSize + 1 }, (_, i) => Buffer.from(`fork-${i}`)));
    const forked = await fork.checkpoint();
    const proof = await fork.consistencyProof(witnessed.treeSize, forked.treeSize);
    const body = formatAddCheckpointRequest({ oldSize: witnessed.treeSize, proof, note: forked.note });
    const post = () =>
      fetch(`http://127.0.0.1:${witness.port}/add-checkpoint`, { method: 'POST', body }).then(async (r) => ({
        status: r.status,
        text: await r.text(),
      }));

    const refused = await post();
    assert.equal(refused.status, 422, refused.text);
    assert.match(refused.text, /not consistent with the cosigned size/);

    await stopWitness(witness);
    await startWitness(witness);
    const again = await post();
    assert.equal(again.status, 422, again.text);
    const state = JSON.parse(await readFile(witness.stateFile, 'utf8')) as {
      logs: Record<string, { treeSize: number }>;
    };
    assert.equal(state.logs[api.config.logOrigin]?.treeSize, witnessed.treeSize, 'the fork changed nothing');
  });
});
