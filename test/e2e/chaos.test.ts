// End to end, the short chaos run that is part of npm test: `npm run chaos`'s program (dist/chaos)
// on 24 devices with one station kill, one API kill, one Redis restart without persistence and a
// power cut, a dropped and a corrupted byte on the simulated chips; every invariant must be 0.
// The full run (≥ 200 devices) and what each invariant means: docs/reliability.md.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { REPO_ROOT } from '../../testkit/stack/index.js';

const run = promisify(execFile);

/** What the program prints with --json (chaos/run.ts ChaosResult), as far as this test reads it. */
interface ChaosJson {
  readonly outcomes: Readonly<Record<string, number>>;
  readonly faults: readonly { readonly kind: string; readonly phase: string }[];
  readonly invariants: readonly {
    readonly name: string;
    readonly count: number;
    readonly details: readonly string[];
  }[];
}

test('a short chaos run: stations, the API and Redis die, chips lose power and bytes; nothing is lost or duplicated', async () => {
  const args = [
    join(REPO_ROOT, 'dist', 'chaos', 'main.js'),
    ...['--seed', '9', '--devices', '24', '--minutes', '0.5', '--settle-s', '90'],
    ...['--station-kills', '1', '--api-kills', '1', '--redis-restarts', '1', '--sim-faults', '3', '--json'],
  ];
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024, timeout: 170_000 }));
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    assert.fail(`chaos exited ${failed.code}: ${failed.stdout?.slice(-4_000)}\n${failed.stderr?.slice(-4_000)}`);
  }
  const result = JSON.parse(stdout) as ChaosJson;
  assert.deepEqual(
    result.invariants.filter((invariant) => invariant.count !== 0),
    [],
    'every invariant holds',
  );
  assert.equal(result.invariants.length, 9);
  const kinds = result.faults.map((fault) => fault.kind).sort();
  assert.deepEqual(kinds, ['api-kill', 'redis-restart', 'sim-fault', 'sim-fault', 'sim-fault', 'station-kill']);
  assert.deepEqual(
    result.faults
      .filter((fault) => fault.kind === 'sim-fault')
      .map((fault) => fault.phase)
      .sort(),
    ['corrupted-byte', 'dropped-byte', 'power-cut'],
  );
  assert.equal(
    (result.outcomes['provisioned'] ?? 0) + (result.outcomes['quarantined'] ?? 0),
    24,
    JSON.stringify(result.outcomes),
  );
});
