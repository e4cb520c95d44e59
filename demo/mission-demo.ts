// The demo (npm run demo): the whole mission on one machine. An MES orders devices over REST, the
// HSM (SoftHSM) makes their identities, two stations program and lock simulated STM32F4 chips fed
// through their fixtures, and the auditor's offline verifier checks every attestation. Prints
// progress and a summary; exits non-zero when a device failed or the verifier rejected anything.
// See docs/demo.md.
import { join } from 'node:path';
import { displayPath, prepareDemoDir } from './mission/demo-dir.js';
import { renderNextSteps } from './mission/next-steps.js';
import { parseMissionOptions, USAGE, UsageError, type MissionOptions } from './mission/options.js';
import { ProcessLogs } from './mission/process-logs.js';
import { runMission } from './mission/run-mission.js';
import { type Started } from './mission/start.js';
import { writeStdout, type Write } from './mission/steps.js';
import { missionProblems, renderSummary, section } from './mission/summary.js';

/** Exit status after Ctrl-C during the run (the others: 0 all verified, 1 a device or a check failed, 2 usage). */
const INTERRUPTED_EXIT_CODE = 130;

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

async function stopAll(started: Started, logs: ProcessLogs): Promise<void> {
  await started.stack?.close();
  await started.sim?.stop();
  await logs.close();
}

/** Runs the mission and prints its summary; resolves with the exit status it deserves. */
async function mission(options: MissionOptions, logs: ProcessLogs, started: Started, write: Write): Promise<number> {
  const { report, places } = await runMission(options, logs, started, write);
  write(`${renderSummary(report)}\n${renderNextSteps(places)}\n`);
  const problems = missionProblems(report);
  write(
    problems.length === 0
      ? `\nAll ${report.requested} devices provisioned, locked and verified.\n`
      : `\nFAILED: ${problems.join('; ')}. The logs are in ${displayPath(logs.dir)}.\n`,
  );
  return problems.length === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const options = parseMissionOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const write = writeStdout;
  await prepareDemoDir(options.dir);
  write(`Ingrain demo: the whole mission on this machine, in ${displayPath(options.dir)} (wiped at each run)\n\n`);
  const logs = new ProcessLogs(options.dir);
  const started: Started = {};
  const signal = stopSignal();
  const run = mission(options, logs, started, write);
  run.catch(() => undefined); // a run cut short by Ctrl-C rejects once its processes are stopped
  try {
    const outcome = await Promise.race([run, signal]);
    if (typeof outcome !== 'number') {
      write(`\n${outcome}: stopping what the demo started…\n`);
      return INTERRUPTED_EXIT_CODE;
    }
    if (options.keep && started.stack !== undefined) {
      write(section('Kept running (--keep)', keptText(started, options)));
      write(`\n`);
      await signal;
      write('\nStopping the stations, the API, Redis and the simulator…\n');
    }
    return outcome;
  } finally {
    await stopAll(started, logs);
  }
}

function keptText(started: Started, options: MissionOptions): string {
  const url = started.stack?.api.url ?? '';
  return [
    `API       ${url}  (docs: ${url}/docs)`,
    `console   ${url}/  (sign in by pasting a token from one of the files below)`,
    `tokens    ${['admin-token', 'mes-token', 'auditor-token'].map((name) => displayPath(join(options.dir, name))).join(', ')}`,
    'The stations and the simulated fixtures keep running too: a device the MES requests now is provisioned.',
    'Press Ctrl-C to stop everything.',
  ].join('\n');
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
// Timers of a run cut short (polls) must not keep the process alive after everything was stopped.
process.exit();
