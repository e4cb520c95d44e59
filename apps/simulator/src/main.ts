// ingrain-sim: simulated STM32 bootloaders on ptys, for the station, tests and demos.
import { parseCliArgs, USAGE } from './cli/cli-args.js';
import { OtpError } from '#ingrain/otp';
import { startSimulator } from './simulator.js';

function log(line: string): void {
  process.stderr.write(`[ingrain-sim] ${line}\n`);
}

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCliArgs(argv);
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stopped = waitForStopSignal();
  const simulator = await startSimulator({ ...command.options, log });
  for (const { port, family, uidHex, lineControl } of simulator.devices) {
    process.stdout.write(`${JSON.stringify({ port, family, uid: uidHex, lineControl })}\n`);
  }
  process.on('SIGUSR1', () => {
    for (const { device } of simulator.devices) device.powerCycle();
    log('SIGUSR1: power-cycled every device (OTP kept, waiting for 0x7F)');
  });
  if (simulator.feeder !== undefined) {
    const budget = command.options.feeder?.chipsPerFixture ?? 'unlimited';
    log(`feeder: releases from ${simulator.feeder.releaseDir ?? '(API only)'}; chips per fixture: ${budget}`);
  }
  log(`${simulator.devices.length} device(s) ready; SIGUSR1 power-cycles them, SIGINT/SIGTERM stops`);
  const signal = await stopped;
  log(`${signal}: closing`);
  await simulator.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    const usage = error instanceof OtpError && error.code === 'SIM_CLI_USAGE';
    const prefix = error instanceof OtpError ? `${error.code}: ` : '';
    log(`${prefix}${error instanceof Error ? error.message : String(error)}`);
    if (usage) process.stderr.write(`${USAGE}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
