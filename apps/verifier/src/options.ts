import { parseArgs } from 'node:util';
import { VerifierCliError } from './cli-io.js';

/** The trust root file (`--trust-root`) or the four files/values of the older flags. */
export type TrustSource =
  | { readonly kind: 'trust-root'; readonly path: string }
  | {
      readonly kind: 'flags';
      readonly attestationKeyPath: string;
      readonly logKeyPath: string;
      readonly caPath: string;
      readonly origin: string;
    };

/** Parsed command line of ingrain-verify. */
export interface VerifierOptions {
  readonly bundlePaths: readonly string[];
  /** Where the trust material comes from: one trust root file, or the four separate flags. */
  readonly trust: TrustSource;
  readonly consistencyPath: string | undefined;
  readonly deviceReadPath: string | undefined;
  readonly json: boolean;
  readonly at: Date | undefined;
  readonly threads: number | undefined;
  /** Witness policy (docs/witness.md): cosigner vkeys and k; undefined without --witness. */
  readonly witnesses: { readonly vkeys: readonly string[]; readonly threshold: number } | undefined;
  readonly witnessNotePath: string | undefined;
}

export const USAGE = `usage: ingrain-verify [options] <bundle.json | bundles.jsonl>...

Verifies Ingrain attestation bundles offline (no network, no Ingrain database).

trust (published by the operator): either
  --trust-root <file>       the trust root (ingrain-admin trust-root export, GET /v1/trust-root)
or all four of (not together with --trust-root)
  --attestation-key <file>  attestation public key (PEM SubjectPublicKeyInfo)
  --log-key <file>          transparency log public key (PEM SubjectPublicKeyInfo)
  --ca <file>               device CA certificate (PEM)
  --origin <origin>         log origin, e.g. ingrain.example/log/factory-1

optional checks:
  --consistency <file>      prove the bundle's checkpoint extends an older one (the JSON
                            file, or the GET /v1/log/consistency answer saved as is)
  --device-read <file>      prove the device still holds what was attested
                            (the JSON of \`ingrain-station read --json\`)

witness policy (docs/witness.md):
  --witness <vkey>          a witness's cosigner vkey (repeatable); the checkpoint must carry
                            valid cosignatures from --witness-threshold of them
  --witness-threshold <k>   how many distinct witnesses must have cosigned (default: all)
  --witnessed-checkpoint <file>
                            the witnessed checkpoint (GET /v1/log/witnessed-checkpoint, the JSON
                            as is or its note): its cosignatures count when it is the bundle's
                            checkpoint

output and tuning:
  --json                    machine-readable report on stdout
  --at <RFC 3339 time>      judge certificate validity at this instant (default: now)
  --threads <n>             worker threads for large batches (default: up to 4)
  -h, --help                this text

exit status: 0 every requested check passed; 1 a check failed; 2 usage or unreadable input.

monitor a log through its tiles: ingrain-verify monitor --help`;

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.length === 0) throw new VerifierCliError('VERIFY_USAGE', `missing ${flag}`);
  return value;
}

function parseInstant(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at.getTime())) {
    throw new VerifierCliError('VERIFY_USAGE', '--at must be an RFC 3339 date-time');
  }
  return at;
}

function parseThreads(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new VerifierCliError('VERIFY_USAGE', '--threads must be an integer from 1 to 64');
  }
  return threads;
}

function parseWitnesses(
  vkeys: readonly string[] | undefined,
  threshold: string | undefined,
): VerifierOptions['witnesses'] {
  if (vkeys === undefined || vkeys.length === 0) {
    if (threshold !== undefined) throw new VerifierCliError('VERIFY_USAGE', '--witness-threshold needs --witness');
    return undefined;
  }
  if (threshold === undefined) return { vkeys, threshold: new Set(vkeys).size };
  const k = Number(threshold);
  if (!/^\d+$/.test(threshold) || k < 1 || k > new Set(vkeys).size) {
    throw new VerifierCliError(
      'VERIFY_USAGE',
      `--witness-threshold must be an integer from 1 to the number of distinct --witness keys (${new Set(vkeys).size})`,
    );
  }
  return { vkeys, threshold: k };
}

const SEPARATE_TRUST_FLAGS = ['attestation-key', 'log-key', 'ca', 'origin'] as const;

function trustSource(values: Readonly<Record<string, unknown>>): TrustSource {
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const root = text('trust-root');
  if (root !== undefined) {
    const mixed = SEPARATE_TRUST_FLAGS.filter((name) => text(name) !== undefined).map((name) => `--${name}`);
    if (mixed.length > 0) {
      throw new VerifierCliError(
        'VERIFY_USAGE',
        `--trust-root and ${mixed.join(', ')} given together: the trust root holds them; give one or the other`,
      );
    }
    return { kind: 'trust-root', path: required(root, '--trust-root') };
  }
  const missing = SEPARATE_TRUST_FLAGS.filter((name) => !text(name)).map((name) => `--${name}`);
  if (missing.length > 0)
    throw new VerifierCliError('VERIFY_USAGE', `missing ${missing.join(', ')} (or use --trust-root)`);
  return {
    kind: 'flags',
    attestationKeyPath: required(text('attestation-key'), '--attestation-key'),
    logKeyPath: required(text('log-key'), '--log-key'),
    caPath: required(text('ca'), '--ca'),
    origin: required(text('origin'), '--origin'),
  };
}

/** Parses argv (without node and script): the options, or 'help'. Throws VerifierCliError VERIFY_USAGE. */
export function parseVerifierOptions(argv: readonly string[]): VerifierOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        'trust-root': { type: 'string' },
        'attestation-key': { type: 'string' },
        'log-key': { type: 'string' },
        ca: { type: 'string' },
        origin: { type: 'string' },
        consistency: { type: 'string' },
        'device-read': { type: 'string' },
        json: { type: 'boolean', default: false },
        at: { type: 'string' },
        threads: { type: 'string' },
        witness: { type: 'string', multiple: true },
        'witness-threshold': { type: 'string' },
        'witnessed-checkpoint': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (cause) {
    throw new VerifierCliError('VERIFY_USAGE', cause instanceof Error ? cause.message : 'invalid arguments', { cause });
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) throw new VerifierCliError('VERIFY_USAGE', 'no bundle file given');
  return {
    bundlePaths: positionals,
    trust: trustSource(values),
    consistencyPath: values.consistency,
    deviceReadPath: values['device-read'],
    json: values.json,
    at: parseInstant(values.at),
    threads: parseThreads(values.threads),
    witnesses: parseWitnesses(values.witness, values['witness-threshold']),
    witnessNotePath: values['witnessed-checkpoint'],
  };
}
