import { parseArgs } from 'node:util';
import { WitnessCliError } from './errors.js';

export type WitnessCommand =
  | { readonly command: 'help' }
  | { readonly command: 'init'; readonly keyFile: string; readonly name: string }
  | { readonly command: 'vkey'; readonly keyFile: string }
  | {
      readonly command: 'serve';
      readonly keyFile: string;
      readonly stateFile: string;
      readonly logVkeys: readonly string[];
      readonly port: number;
      readonly host: string;
    };

export const DEFAULT_PORT = 7380;

export const USAGE = `usage:
  ingrain-witness init  --key-file <file> --name <key name>
  ingrain-witness vkey  --key-file <file>
  ingrain-witness serve --key-file <file> --state-file <file> --log-vkey <vkey> [--log-vkey …]
                        [--port <n>] [--host <address>]

A C2SP tlog-witness (docs/witness.md): cosigns a log's checkpoints only after checking the log's
signature and a consistency proof from the last checkpoint it cosigned, which it keeps in the
state file.

  init        makes an Ed25519 witness key (file mode 0600, never overwritten), prints its vkey
  vkey        prints the vkey of an existing key file
  serve       serves POST /add-checkpoint and GET /<origin hash>/checkpoint
  --name      the witness's key name, a schema-less URL, e.g. witness.example.com/security-1
  --log-vkey  the vkey of a log's checkpoint key (GET /v1/keys logVerifierKey), repeatable
  --port      TCP port (default ${DEFAULT_PORT}; 0 picks a free one, printed on start)
  --host      listen address (default 127.0.0.1)

exit status: 0 done (serve: stopped by SIGINT/SIGTERM); 1 key, state or listen failure;
2 usage error.`;

function usage(message: string): never {
  throw new WitnessCliError('WITNESS_USAGE', message);
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.length === 0) usage(`${flag}: missing (required)`);
  return value;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) usage('--port: must be an integer from 0 to 65535');
  return port;
}

/** Parses argv (without node and script). @throws WitnessCliError WITNESS_USAGE naming the flag and why. */
export function parseWitnessCommand(argv: readonly string[]): WitnessCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    return { command: 'help' };
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        'key-file': { type: 'string' },
        name: { type: 'string' },
        'state-file': { type: 'string' },
        'log-vkey': { type: 'string', multiple: true },
        port: { type: 'string' },
        host: { type: 'string' },
      },
    }));
  } catch (cause) {
    throw new WitnessCliError('WITNESS_USAGE', cause instanceof Error ? cause.message : 'invalid arguments', { cause });
  }
  const allowed: Record<string, readonly string[]> = {
    init: ['key-file', 'name'],
    vkey: ['key-file'],
    serve: ['key-file', 'state-file', 'log-vkey', 'port', 'host'],
  };
  const flags = allowed[command] ?? usage(`"${command}" is not a command (init, vkey, serve)`);
  const extra = Object.keys(values).find((flag) => !flags.includes(flag));
  if (extra !== undefined) usage(`--${extra}: not an option of "${command}"`);
  const keyFile = required(values['key-file'], '--key-file');
  if (command === 'init') return { command, keyFile, name: required(values.name, '--name') };
  if (command === 'vkey') return { command, keyFile };
  const logVkeys = values['log-vkey'] ?? [];
  if (logVkeys.length === 0) usage('--log-vkey: missing (at least one log to witness)');
  return {
    command: 'serve',
    keyFile,
    stateFile: required(values['state-file'], '--state-file'),
    logVkeys,
    port: parsePort(values.port),
    host: values.host ?? '127.0.0.1',
  };
}
