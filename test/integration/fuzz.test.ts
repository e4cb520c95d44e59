// Issue 9, "a standing adversarial suite": a short `npm run fuzz` (fuzz/) as part of npm test — 600
// schema-driven hostile requests with a fixed seed against the real API (its own PGlite, SoftHSM
// token and Redis). The program exits non-zero on any 5xx, any 4xx that is not problem+json or any
// 2xx the document does not describe (fuzz/judge.spec.ts and fuzz/runner.spec.ts show it can).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../testkit/paths.js';

const SEED = 20261206;
const REQUESTS = 600;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runFuzzProgram(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'dist', 'fuzz', 'fuzz.js'), ...args],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number | null), stdout, stderr }),
    );
  });
}

void test(`fuzz: ${REQUESTS} requests (seed ${SEED}) — no 5xx, every 4xx a problem`, { timeout: 170_000 }, async () => {
  const run = await runFuzzProgram(['--seed', String(SEED), '--requests', String(REQUESTS), '--concurrency', '4']);
  console.log(run.stdout);
  assert.equal(run.code, 0, `fuzz found defects:\n${run.stdout}\n${run.stderr.slice(-4000)}`);
  assert.match(run.stdout, new RegExp(`seed ${SEED}, ${REQUESTS} requests in`));
  assert.match(run.stdout, /no 5xx, every 4xx a problem\+json, every 2xx as documented/);
  // The run reached the services, not only the validators: some requests succeeded.
  const twoHundreds = [...run.stdout.matchAll(/^(2\d\d)\s+(\d+)/gm)].reduce((sum, match) => sum + Number(match[2]), 0);
  assert.ok(twoHundreds >= REQUESTS / 10, `only ${twoHundreds} 2xx answers`);
});

void test('fuzz: a bad option exits 2 with the usage', async () => {
  const run = await runFuzzProgram(['--requests', 'many']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--requests must be an integer/);
  assert.match(run.stderr, /usage: npm run fuzz/);
});
