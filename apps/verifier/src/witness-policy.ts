import {
  checkCheckpointWitnesses,
  prepareWitnessPolicy,
  type TrustRootWitnesses,
  type WitnessPolicy,
} from '#ingrain/crypto';
import { type CliIo, VerifierCliError } from './cli-io.js';
import type { BundleText } from './inputs.js';
import { readTextFile } from './inputs.js';
import type { VerifierOptions } from './options.js';

/** Checks the bundles' checkpoints against the witness policy; reports and returns whether all hold. */
export type WitnessCheck = (bundles: readonly BundleText[], io: CliIo) => boolean;

function policyOf(witnesses: NonNullable<VerifierOptions['witnesses']>): WitnessPolicy {
  try {
    return prepareWitnessPolicy(witnesses);
  } catch (cause) {
    throw new VerifierCliError('VERIFY_USAGE', `--witness: ${(cause as Error).message}`, { cause });
  }
}

/** The witnessed checkpoint file: the endpoint's JSON as is, or the note alone. */
function readWitnessNote(cwd: string, path: string): string {
  const text = readTextFile(cwd, path);
  if (!text.trimStart().startsWith('{')) return text;
  try {
    const note = (JSON.parse(text) as { note?: unknown }).note;
    if (typeof note === 'string') return note;
  } catch {
    // reported below
  }
  throw new VerifierCliError(
    'VERIFY_INPUT_UNREADABLE',
    `${path}: not a witnessed checkpoint (JSON with "note", or a note)`,
  );
}

function checkpointNoteOf(text: string): string | undefined {
  try {
    const note = (JSON.parse(text) as { log?: { checkpoint?: unknown } }).log?.checkpoint;
    return typeof note === 'string' ? note : undefined;
  } catch {
    return undefined; // the bundle check reports it
  }
}

/** The policy to check: --witness flags, or the trust root's witnesses; never both. */
function witnessesOf(
  options: VerifierOptions,
  fromTrustRoot: TrustRootWitnesses | undefined,
): VerifierOptions['witnesses'] {
  const rooted = fromTrustRoot !== undefined && fromTrustRoot.keys.length > 0;
  if (options.witnesses !== undefined && rooted) {
    throw new VerifierCliError(
      'VERIFY_USAGE',
      '--witness given with a trust root that names witnesses: the trust root holds the policy; give one or the other',
    );
  }
  if (options.witnesses !== undefined) return options.witnesses;
  return rooted ? { vkeys: fromTrustRoot.keys, threshold: fromTrustRoot.threshold } : undefined;
}

/**
 * The witness policy check of --witness / --witness-threshold (or the trust root's witnesses) and
 * --witnessed-checkpoint, or undefined without witnesses. Usage errors (bad vkey, bad threshold,
 * unreadable file) throw now.
 */
export function loadWitnessCheck(
  options: VerifierOptions,
  cwd: string,
  fromTrustRoot?: TrustRootWitnesses,
): WitnessCheck | undefined {
  const witnesses = witnessesOf(options, fromTrustRoot);
  if (witnesses === undefined) {
    if (options.witnessNotePath !== undefined) {
      throw new VerifierCliError(
        'VERIFY_USAGE',
        '--witnessed-checkpoint needs --witness or a trust root with witnesses',
      );
    }
    return undefined;
  }
  const policy = policyOf(witnesses);
  const copies = options.witnessNotePath === undefined ? [] : [readWitnessNote(cwd, options.witnessNotePath)];
  return (bundles, io) => {
    const notes = new Set(bundles.map((b) => checkpointNoteOf(b.text)).filter((n) => n !== undefined));
    let ok = true;
    for (const note of notes) {
      const result = checkCheckpointWitnesses(note, policy, copies);
      ok &&= result.ok;
      const where = `checkpoint at tree size ${result.treeSize ?? '?'}`;
      const line = result.ok
        ? `witness policy: PASS ${where}: ${result.detail}\n`
        : `witness policy: FAIL [${result.code ?? 'WITNESS_POLICY_UNMET'}] ${where}: ${result.detail}\n`;
      if (options.json) io.err(line);
      else io.out(line);
    }
    return ok;
  };
}
