import { parseArgs } from 'node:util';
import type { CommandIo } from '../cli/program-command.js';
import { UsageError } from '../cli/usage-error.js';
import { generateStationKeyFiles, stationPublicKeyHex } from './station-key-files.js';

export const KEYGEN_USAGE = `ingrain-station keygen --out DIR [--json]

Makes this station's own P-256 key pair, to which the API seals each claim's secrets (docs/sealing.md):
  DIR/station-key.pem      the private key (PKCS#8 PEM, mode 0600); it never leaves this machine
  DIR/station-key.pub.pem  the public key (SPKI PEM) to register with the API for this station
DIR is created with mode 0700 if missing. keygen never overwrites a key: to replace one, remove both
files, run keygen again and register the new public key. It prints the public key as SEC1 hex and its
fingerprint (sha256 of the 65-byte point); --json prints them as one JSON object.`;

/** `ingrain-station keygen`: writes the station key pair. Returns the process exit code. */
export async function keygenCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const flags = parseKeygenArgs(argv);
  if (flags.help) {
    io.stdout(KEYGEN_USAGE);
    return 0;
  }
  const out = flags.out;
  if (out === undefined || out === '') throw new UsageError('keygen needs --out DIR (where to write the key pair)');
  const key = await generateStationKeyFiles(out);
  const summary = {
    privateKeyPath: key.privateKeyPath,
    publicKeyPath: key.publicKeyPath,
    publicKey: stationPublicKeyHex(key.publicKey),
    fingerprint: key.fingerprint,
  };
  if (flags.json) {
    io.stdout(JSON.stringify(summary));
    return 0;
  }
  io.stdout(
    [
      `private key  ${summary.privateKeyPath} (mode 0600: keep it on this station)`,
      `public key   ${summary.publicKeyPath}`,
      `public key (SEC1 hex) ${summary.publicKey}`,
      `fingerprint  ${summary.fingerprint}`,
      'Register the public key with the API for this station.',
    ].join('\n'),
  );
  return 0;
}

function parseKeygenArgs(argv: readonly string[]): { out?: string; json: boolean; help: boolean } {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    return { out: values.out, json: values.json, help: values.help };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
