import { OtpError } from '#ingrain/otp';
import { programCommand, type CommandIo } from './cli/program-command.js';
import { readCommand } from './cli/read-command.js';
import { EXIT_CODES } from './cli/exit-codes.js';
import { UsageError } from './cli/usage-error.js';
import { StationKeyError } from './keys/errors.js';
import { keygenCommand } from './keys/keygen-command.js';
import { StationError } from './worker/errors.js';
import { workerCommand } from './worker/worker-command.js';

const USAGE = `ingrain-station — program and read STM32 OTP over the ROM bootloader (AN3155)

  ingrain-station program --port PORT --layout LAYOUT.yaml --values VALUES.json [--baud 115200] [--dry-run] [--json]
  ingrain-station program --port PORT --family stm32f4 --image OTP.bin [--lock 0,1,… [--lock-empty]] [--baud 115200] [--dry-run] [--json]
      (--lock refuses a block the image leaves blank, every byte 0xFF: a lock is for ever; --lock-empty allows it)
  ingrain-station read    --port PORT [--layout LAYOUT.yaml | --family F] [--baud 115200] [--json]
  ingrain-station worker  [--station-id ID] [--api-url URL] [--redis-url URL] [--line LINE] [--fixtures P1,P2,…]
                          [--baud 115200] [--spool-dir DIR] [--release-dir DIR] [--allow-plain-http 1]
                          [--station-key-file FILE]
      (each flag also comes from the environment: INGRAIN_STATION_ID, INGRAIN_API_URL, REDIS_URL,
       INGRAIN_LINE, INGRAIN_FIXTURES, INGRAIN_BAUD, INGRAIN_SPOOL_DIR, INGRAIN_FIXTURE_RELEASE_DIR,
       INGRAIN_STATION_KEY_FILE (the keygen private key; default .ingrain/station-key/<id>/station-key.pem),
       INGRAIN_ALLOW_PLAIN_HTTP (plain http:// only to a loopback host unless 1);
       the token only from INGRAIN_STATION_TOKEN_FILE or INGRAIN_STATION_TOKEN)
  ingrain-station keygen  --out DIR [--json]
      (makes this station's key pair: DIR/station-key.pem, mode 0600, and DIR/station-key.pub.pem to
       register with the API; never overwrites; see ingrain-station keygen --help)

Exit codes: 0 provisioned / already provisioned / planned, 2 bad input (nothing was sent to the chip),
3 conflict, 4 verify failed, 5 wrong device, 6 link error (resumable: run again). The worker runs until
SIGTERM/SIGINT and exits 0 after a graceful stop, 1 if forced, 2 for bad configuration or a station token
the API refuses (checked at start). keygen exits 1 when a key file already exists or cannot be
written. See docs/station.md.`;

const io: CommandIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
};

async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'program') return programCommand(rest, io);
  if (command === 'read') return readCommand(rest, io);
  if (command === 'worker') return workerCommand(rest);
  if (command === 'keygen') return keygenCommand(rest, io);
  if (command === undefined || command === '--help' || command === 'help') {
    io.stdout(USAGE);
    return command === undefined ? EXIT_CODES.usage : 0;
  }
  throw new UsageError(`unknown command "${command}" (expected program, read, worker or keygen)`);
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
    process.exitCode = error.code === 'WRONG_DEVICE' ? EXIT_CODES['wrong-device'] : EXIT_CODES['link-error'];
  } else {
    throw error;
  }
}
