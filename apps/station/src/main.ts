import { OtpError, PORT_OPEN_REMEDY, PortOpenError } from '#ingrain/otp';
import { DOCTOR_HELP, KEYGEN_HELP, PROGRAM_HELP, READ_HELP, WORKER_HELP } from './cli/command-help.js';
import { doctorCommand } from './cli/doctor-command.js';
import { asksForHelp, renderOverview, type StationCommand, stationVersion } from './cli/help.js';
import { programCommand, type CommandIo } from './cli/program-command.js';
import { readCommand } from './cli/read-command.js';
import { EXIT_CODES, exitCodeOfOtpError } from './cli/exit-codes.js';
import { UsageError } from './cli/usage-error.js';
import { StationKeyError } from './keys/errors.js';
import { keygenCommand } from './keys/keygen-command.js';
import { StationError } from './worker/errors.js';
import { workerCommand } from './worker/worker-command.js';

const io: CommandIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
};

/** Every command, in the order the overview lists them. A new command adds its entry here. */
const COMMANDS: readonly StationCommand[] = [
  { help: PROGRAM_HELP, run: (argv) => programCommand(argv, io) },
  { help: READ_HELP, run: (argv) => readCommand(argv, io) },
  { help: DOCTOR_HELP, run: (argv) => doctorCommand(argv, io) },
  { help: WORKER_HELP, run: (argv) => workerCommand(argv) },
  { help: KEYGEN_HELP, run: (argv) => keygenCommand(argv, io) },
];

async function run(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version') {
    io.stdout(`ingrain-station ${stationVersion()}`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((command) => command.help.name === rest[0]) : undefined;
    io.stdout(topic === undefined ? renderOverview(COMMANDS) : topic.help.text);
    return name === undefined ? EXIT_CODES.usage : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.help.name === name);
  if (command === undefined) {
    const names = COMMANDS.map((candidate) => candidate.help.name).join(', ');
    throw new UsageError(`unknown command "${name}" (expected one of ${names}; see ingrain-station --help)`);
  }
  if (asksForHelp(rest)) {
    io.stdout(command.help.text);
    return 0;
  }
  return command.run(rest);
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (
    error instanceof UsageError ||
    (error instanceof StationError &&
      (error.code === 'STATION_CONFIG_INVALID' || error.code === 'STATION_CREDENTIALS_REJECTED'))
  ) {
    io.stderr(`error: ${error.message}`);
    process.exitCode = EXIT_CODES.usage;
  } else if (error instanceof PortOpenError) {
    // The station's configuration, not the link: running the same command again does not help.
    io.stderr(`error: ${error.code}: ${error.message}`);
    io.stderr(`what to do: ${PORT_OPEN_REMEDY[error.reason]}`);
    process.exitCode = EXIT_CODES.configuration;
  } else if (error instanceof StationKeyError) {
    // keygen refused to overwrite, or a key file is missing, unreadable or too widely readable.
    io.stderr(`error: ${error.code}: ${error.message}`);
    process.exitCode = 1;
  } else if (error instanceof StationError) {
    // The worker could not start (e.g. STATION_SPOOL_IO): nothing was taken from the queue.
    io.stderr(`error: ${error.code}: ${error.message}`);
    process.exitCode = 1;
  } else if (error instanceof OtpError) {
    // Link, protocol and wrong-device errors of `read` (the cycle reports them as outcomes instead).
    io.stderr(`error: ${error.code}: ${error.message}`);
    process.exitCode = exitCodeOfOtpError(error.code);
  } else {
    throw error;
  }
}
