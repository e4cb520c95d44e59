// The station demo (npm run demo): simulated STM32F4 chips on ptys with 115200-baud wire timing,
// provisioned by `bin/ingrain-station` from the sample layout, then a per-device summary. Also shows
// the safety rules at work: a re-run writes nothing, another identity on a chip is a conflict.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type CycleResultJson } from '#ingrain/otp';
import { startSimProcess, type SimDevice } from '../testkit/stack/simulator-process.js';
import { renderTextTable } from '../testkit/tables.js';
import { binPath, REPO_ROOT } from '../testkit/paths.js';

const CHIPS = 4;
const LAYOUT = join(REPO_ROOT, 'examples', 'layouts', 'sensor-node.yaml');
const run = promisify(execFile);

interface Programmed {
  readonly label: string;
  readonly device: SimDevice;
  readonly exitCode: number;
  readonly result: CycleResultJson;
}

async function program(label: string, device: SimDevice, valuesPath: string): Promise<Programmed> {
  const args = [
    binPath('ingrain-station'),
    'program',
    '--port',
    device.port,
    '--layout',
    LAYOUT,
    '--values',
    valuesPath,
    '--json',
  ];
  try {
    const { stdout } = await run(process.execPath, args);
    return { label, device, exitCode: 0, result: JSON.parse(stdout) as CycleResultJson };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    if (e.stdout === '') throw new Error(`ingrain-station failed (exit ${e.code}): ${e.stderr}`, { cause: error });
    return { label, device, exitCode: e.code, result: JSON.parse(e.stdout) as CycleResultJson };
  }
}

/** Per-device values: MES inputs plus the fields the service would generate (random stand-ins here). */
async function writeValues(dir: string, index: number): Promise<string> {
  const inputs = JSON.parse(
    await readFile(join(REPO_ROOT, 'examples', 'values', 'sensor-node.json'), 'utf8'),
  ) as Record<string, unknown>;
  const values = {
    ...inputs,
    serial: `SN-DEMO-${String(index + 1).padStart(6, '0')}`,
    pubkey_hash: randomBytes(32).toString('hex'),
    pairing_key: randomBytes(16).toString('hex'),
  };
  const path = join(dir, `values-${index}.json`);
  await writeFile(path, JSON.stringify(values), { mode: 0o600 });
  return path;
}

function summary(rows: readonly Programmed[]): string {
  const ms = (value: number): string => value.toFixed(0);
  return renderTextTable({
    columns: [
      'step',
      'port',
      'chip UID',
      'outcome',
      'exit',
      'bytes',
      'locked',
      'read',
      'write',
      'verify',
      'lock',
      'total ms',
    ],
    rows: rows.map(({ label, device, exitCode, result: r }) => [
      label,
      device.port,
      r.uid ?? '-',
      r.outcome,
      String(exitCode),
      String(r.bytesWritten),
      String(r.blocksLocked),
      ms(r.durationsMs.read),
      ms(r.durationsMs.write),
      ms(r.durationsMs.verify),
      ms(r.durationsMs.lock),
      ms(r.totalMs),
    ]),
  });
}

async function main(): Promise<void> {
  console.log(`Starting ${CHIPS} simulated STM32F4 chips (115200 baud wire timing)…`);
  const sim = await startSimProcess({ family: 'stm32f4', count: CHIPS, baudTiming: 115_200 });
  const dir = await mkdtemp(join(tmpdir(), 'ingrain-demo-'));
  try {
    const values = await Promise.all(sim.devices.map((_, index) => writeValues(dir, index)));
    console.log(`Provisioning them in parallel with bin/ingrain-station from ${LAYOUT}…`);
    const start = performance.now();
    const first = await Promise.all(sim.devices.map((device, i) => program(`provision #${i + 1}`, device, values[i]!)));
    const wallMs = performance.now() - start;
    console.log('Re-running chip #1 (a queued job can run twice) and offering chip #2 another identity…');
    const again = await program('re-run #1', sim.devices[0]!, values[0]!);
    const conflict = await program('other id #2', sim.devices[1]!, values[2]!);
    console.log(`\n${summary([...first, again, conflict])}\n`);
    const ok = first.filter((p) => p.result.outcome === 'provisioned').length;
    console.log(
      `${ok}/${CHIPS} chips provisioned in ${(wallMs / 1000).toFixed(2)} s wall time (bytes = OTP bytes programmed).`,
    );
    console.log(
      'The re-run wrote nothing (already-provisioned); the other identity was refused (conflict, exit 3): final, nothing written.',
    );
    console.log(
      'Next: docs/station.md (the CLI), docs/layouts.md (the OTP data map), docs/simulator.md, docs/benchmarks.md.',
    );
    if (ok !== CHIPS || again.result.outcome !== 'already-provisioned' || conflict.result.outcome !== 'conflict')
      process.exitCode = 1;
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
