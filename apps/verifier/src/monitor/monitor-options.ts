import { parseArgs } from 'node:util';
import { VerifierCliError } from '../cli-io.js';

/** Parsed command line of `ingrain-verify monitor`. */
export interface MonitorOptions {
  /** The log's tlog-tiles prefix, ending in `/` (…/v1/log/tiles/). */
  readonly url: URL;
  readonly attestationKeyPath: string;
  readonly logKeyPath: string;
  readonly origin: string;
  /** Where the monitor keeps the last verified checkpoint and tree frontier. */
  readonly statePath: string;
  /** A file holding a bearer token (a log that is not public). */
  readonly tokenPath: string | undefined;
  readonly follow: boolean;
  readonly intervalMs: number;
}

export const MONITOR_USAGE = `usage: ingrain-verify monitor --url <tiles URL> --state <file> [options]

Follows an Ingrain transparency log through its c2sp.org/tlog-tiles: fetches the checkpoint and every
new entry, checks the entries against the log's hash tiles, checks that the new checkpoint extends
the last one kept in the state file (the tree is rebuilt from the kept frontier: no proofs needed),
verifies every new attestation, then keeps the new checkpoint.

  --url <url>               the log's tiles prefix, e.g. https://ingrain.example/v1/log/tiles/
  --state <file>            state file (created on the first run: the whole log is then verified)
  --attestation-key <file>  attestation public key (PEM SubjectPublicKeyInfo)
  --log-key <file>          transparency log public key (PEM SubjectPublicKeyInfo)
  --origin <origin>         log origin, e.g. ingrain.example/log/factory-1
  --token-file <file>       bearer token for a log that is not public (INGRAIN_LOG_PUBLIC=false)
  --follow                  keep following; check again every --interval-ms
  --interval-ms <n>         pause between checks with --follow (default 10000)

exit status: 0 caught up; 1 the log is inconsistent, an entry or tile is bad, or an attestation fails;
2 usage, unreadable input or the log cannot be reached.`;

const need = (value: string | undefined, flag: string): string => {
  if (value === undefined || value.length === 0) throw new VerifierCliError('VERIFY_USAGE', `missing ${flag}`);
  return value;
};

/** Parses the arguments after `monitor`: the options, or 'help'. Throws VerifierCliError VERIFY_USAGE. */
export function parseMonitorOptions(argv: readonly string[]): MonitorOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        state: { type: 'string' },
        'attestation-key': { type: 'string' },
        'log-key': { type: 'string' },
        origin: { type: 'string' },
        'token-file': { type: 'string' },
        follow: { type: 'boolean', default: false },
        'interval-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new VerifierCliError('VERIFY_USAGE', error instanceof Error ? error.message : 'bad arguments');
  }
  const values = parsed.values;
  if (values.help) return 'help';
  const urlText = need(values.url, '--url');
  if (!URL.canParse(urlText) || !/^https?:$/.test(new URL(urlText).protocol)) {
    throw new VerifierCliError('VERIFY_USAGE', '--url must be an http(s) URL');
  }
  const url = new URL(urlText.endsWith('/') ? urlText : `${urlText}/`);
  const intervalMs = values['interval-ms'] === undefined ? 10_000 : Number(values['interval-ms']);
  if (!Number.isInteger(intervalMs) || intervalMs < 10 || intervalMs > 86_400_000) {
    throw new VerifierCliError('VERIFY_USAGE', '--interval-ms must be an integer from 10 to 86400000');
  }
  return {
    url,
    statePath: need(values.state, '--state'),
    attestationKeyPath: need(values['attestation-key'], '--attestation-key'),
    logKeyPath: need(values['log-key'], '--log-key'),
    origin: need(values.origin, '--origin'),
    tokenPath: values['token-file'],
    follow: values.follow,
    intervalMs,
  };
}
