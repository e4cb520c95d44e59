import { KEYGEN_USAGE } from '../keys/keygen-command.js';
import { type CommandHelp } from './help.js';

const PROGRAM_EXITS = `Exit codes: 0 provisioned, already provisioned or planned (--dry-run); 2 bad input (nothing was
sent to the chip); 3 conflict (final: quarantine the chip); 4 verify failed (final); 5 wrong device;
6 link error (resumable: run the same command again); 7 protected chip (readout protection: final,
nothing was read or written: quarantine the chip); 8 the port cannot be opened (no such port,
permission, busy: fix the configuration, running again does not help) or a fixture line cannot be driven.`;

export const PROGRAM_HELP: CommandHelp = {
  name: 'program',
  summary: 'one provisioning cycle: read, plan, write only what is missing, read back, lock',
  text: `ingrain-station program — bring one chip to its target: identify, read twice, plan, write only blank
bytes, read back and verify, then lock and read the locks back.

  ingrain-station program --port PORT --layout LAYOUT.yaml --values VALUES.json [--baud 115200] [--dry-run] [--json]
  ingrain-station program --port PORT --family F --image OTP.bin [--lock 0,1,… [--lock-empty]] [--baud 115200] [--dry-run] [--json]
      … [--lines 'ENTRY:EXIT' [--gpio-chip CHIP | --sim-control SOCKET]] [--start exit|go|none]

  --port PORT      the serial device (/dev/ttyUSB0, /dev/serial/by-id/…, a simulator's /dev/pts/N), opened 8E1
  --baud N         1200–115200 (AN3155), default 115200
  --layout FILE    the product's OTP layout (YAML or JSON); with --values FILE, the per-device values (JSON)
  --family F       with --image FILE: a raw OTP data image of exactly the family's OTP size (0xFF = leave blank)
  --lock LIST      blocks to lock (raw image mode); a block the image leaves blank is refused
  --lock-empty     lock the listed blocks even where the image leaves them blank (a lock is for ever)
  --dry-run        read and plan only: prints what would be written where and which blocks would be
                   locked; nothing that writes is sent
  --lines SEQ      the fixture's BOOT0/NRST sequences, stm32flash -i syntax 'ENTRY:EXIT' (e.g.
                   'dtr&rts,-rts:-dtr&rts,-rts'; rts, dtr, brk, a GPIO number; - off; , 100 ms; & none):
                   ENTRY resets the chip into its bootloader before the first 0x7F. A bad text is exit 2
  --gpio-chip CHIP with --lines: the GPIO chip of the sequence's numbers (gpiochip0), driven with gpioset
  --sim-control S  with --lines: a simulated fixture's line-control socket (ingrain-sim --line-control)
  --start HOW      after a provisioned or already-provisioned chip (verified, locked) only: exit (run the
                   exit sequence; the default when SEQ has one), go (Go to main flash), none. Any other
                   outcome leaves the chip in its bootloader, not started
  --json           the result as one JSON object on stdout (no progress lines)
  -h, --help       this text

A conflict names the layout field (\`serial: chip holds …, target …\`); bytes only where no layout is known.
Secret fields are never printed.

${PROGRAM_EXITS}`,
};

export const READ_HELP: CommandHelp = {
  name: 'read',
  summary: 'identify the chip and dump its OTP and lock bytes (writes nothing)',
  text: `ingrain-station read — identify the chip, dump its OTP by block and its lock bytes; with --layout,
each field decoded (blank, programmed or partial; secret fields redacted). Writes nothing.

  ingrain-station read --port PORT [--layout LAYOUT.yaml | --family F] [--baud 115200] [--json]
      … [--lines 'ENTRY:EXIT' [--gpio-chip CHIP | --sim-control SOCKET]]

  --port PORT      the serial device, opened 8E1
  --layout FILE    decode the fields of this layout (its family must be the chip's)
  --family F       check the chip is of this family (without it, the family comes from the PID)
  --baud N         1200–115200, default 115200
  --json           one JSON object on stdout (what ingrain-verify --device-read accepts)
  --lines SEQ      the fixture's BOOT0/NRST sequences, stm32flash -i syntax 'ENTRY:EXIT' (e.g.
                   'dtr&rts,-rts:-dtr&rts,-rts'; rts, dtr, brk, a GPIO number; - off; , 100 ms; & none):
                   ENTRY resets the chip into its bootloader before the first 0x7F. A bad text is exit 2
  --gpio-chip CHIP with --lines: the GPIO chip of the sequence's numbers (gpiochip0), driven with gpioset
  --sim-control S  with --lines: a simulated fixture's line-control socket (ingrain-sim --line-control)
                   after the read (whatever its result) the EXIT sequence runs: the chip goes back to
                   its application
  -h, --help       this text

Exit codes: 0 read; 2 bad input; 5 unknown or wrong chip; 6 link error (run again); 7 protected chip
(final); 8 the port cannot be opened (no such port, permission, busy) or a fixture line cannot be driven.`,
};

export const DOCTOR_HELP: CommandHelp = {
  name: 'doctor',
  summary: 'the chip summary a line engineer runs first (writes nothing)',
  text: `ingrain-station doctor — what the chip in the fixture is and what its OTP holds: adapter and line
settings, the fixture's entry/exit sequences (with --lines), bootloader version and commands, PID and family, UID, flash size, protection state, and each
OTP block blank / partly written / full, locked or not. Read-only: sends Get, Get ID and Read Memory only.

  ingrain-station doctor --port PORT [--baud 115200] [--json]
      … [--lines 'ENTRY:EXIT' [--gpio-chip CHIP | --sim-control SOCKET]]

  --port PORT      the serial device, opened 8E1
  --baud N         1200–115200, default 115200
  --json           one JSON object on stdout (formatVersion 2, docs/station.md "doctor")
  --lines SEQ      the fixture's BOOT0/NRST sequences, stm32flash -i syntax 'ENTRY:EXIT' (e.g.
                   'dtr&rts,-rts:-dtr&rts,-rts'; rts, dtr, brk, a GPIO number; - off; , 100 ms; & none):
                   ENTRY resets the chip into its bootloader before the first 0x7F. A bad text is exit 2
  --gpio-chip CHIP with --lines: the GPIO chip of the sequence's numbers (gpiochip0), driven with gpioset
  --sim-control S  with --lines: a simulated fixture's line-control socket (ingrain-sim --line-control)
                   doctor tests them: does the bootloader answer after ENTRY, is it silent after EXIT
                   (the application runs; what it prints is shown)? Each step and the reason are reported
  -h, --help       this text

Exit codes: 0 ready; 2 bad input; 5 unknown chip; 6 no bootloader answer (with --lines: after the entry
sequence) or link error; 7 protected chip; 8 the port cannot be opened (no such port, permission, busy),
a fixture line cannot be driven, or the chip is readable but the exit sequence left its bootloader running.`,
};

export const WORKER_HELP: CommandHelp = {
  name: 'worker',
  summary: 'the long-running station: takes jobs from the line queue, one slot per fixture',
  text: `ingrain-station worker — take provisioning jobs from the line's queue and run them on the fixtures.

  ingrain-station worker [--station-id ID] [--api-url URL] [--redis-url URL] [--line LINE] [--fixtures P1,P2,…]
                         [--baud 115200] [--spool-dir DIR] [--release-dir DIR] [--allow-plain-http 1]
                         [--shutdown-grace-ms N] [--link-retries N] [--chip-poll-ms N] [--job-lock-ms N]
                         [--api-ca-file F] [--api-client-cert-file F --api-client-key-file F]
                         [--station-key-file FILE] [--heartbeat-ms N] [--metrics-port N [--metrics-host ADDR]]
                         [--redis-sentinels H:P,… --redis-sentinel-name NAME]

Each flag also comes from the environment: INGRAIN_STATION_ID, INGRAIN_API_URL, REDIS_URL (with
INGRAIN_REDIS_SENTINELS and INGRAIN_REDIS_SENTINEL_NAME: the master through Sentinels), INGRAIN_LINE,
INGRAIN_FIXTURES, INGRAIN_BAUD, INGRAIN_SPOOL_DIR, INGRAIN_FIXTURE_RELEASE_DIR, INGRAIN_ALLOW_PLAIN_HTTP
(plain http:// only to a loopback host unless 1), INGRAIN_SHUTDOWN_GRACE_MS, INGRAIN_LINK_RETRIES,
INGRAIN_CHIP_POLL_MS, INGRAIN_JOB_LOCK_MS, INGRAIN_STATION_KEY_FILE (the sealing key from ingrain-station
keygen; default .ingrain/station-key/<id>/station-key.pem; its public half registered by the admin and
checked at start). TLS (docs/tls.md): INGRAIN_API_CA_FILE (the CA of the API's certificate),
INGRAIN_API_CLIENT_CERT_FILE and INGRAIN_API_CLIENT_KEY_FILE (this station's, mode 0600). The token only
from INGRAIN_STATION_TOKEN_FILE or INGRAIN_STATION_TOKEN, never a flag; it is checked with the API at start.
Observability (docs/observability.md): INGRAIN_STATION_HEARTBEAT_MS (5000: the station's state to the API),
INGRAIN_STATION_METRICS_PORT (GET /metrics; none when unset) on INGRAIN_STATION_METRICS_HOST (127.0.0.1),
INGRAIN_LOG_FORMAT (pretty on a terminal, else json), INGRAIN_LOG_FILE (JSON lines to this file as well).

Runs until SIGTERM/SIGINT. Exit codes: 0 after a graceful stop; 1 forced stop or a start-up failure
(spool), an API certificate that does not verify, or a sealing key the API does not have registered; 2 bad configuration, or a token or client certificate
the API refuses. The log goes to stderr: JSON lines, or readable lines on a terminal.`,
};

export const KEYGEN_HELP: CommandHelp = {
  name: 'keygen',
  summary: "make this station's key pair (the API seals secrets to its public key)",
  text: `${KEYGEN_USAGE}

Exit codes: 0 made; 1 a key file already exists or cannot be written; 2 bad flags.`,
};
