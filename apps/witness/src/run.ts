import type { AddressInfo } from 'node:net';
import { cosignerVkeyString, type NoteVerifierKey, parseLogVkey } from '#ingrain/crypto';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, WitnessCliError } from './errors.js';
import { createKeyFile, readKeyFile } from './key-file.js';
import { parseWitnessCommand, USAGE, type WitnessCommand } from './options.js';
import { createWitnessServer } from './server.js';
import { WitnessStateFile } from './state-file.js';
import { Witness } from './witness.js';

/** Where the CLI writes, and how `serve` learns it should stop (process signals in main.ts). */
export interface WitnessIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly stopped: Promise<void>;
}

function parseLogKeys(vkeys: readonly string[]): NoteVerifierKey[] {
  return vkeys.map((vkey, i) => {
    try {
      return parseLogVkey(vkey);
    } catch (cause) {
      throw new WitnessCliError('WITNESS_USAGE', `--log-vkey #${i + 1}: ${(cause as Error).message}`, { cause });
    }
  });
}

async function serve(command: Extract<WitnessCommand, { command: 'serve' }>, io: WitnessIo): Promise<number> {
  const logKeys = parseLogKeys(command.logVkeys);
  const cosigner = readKeyFile(command.keyFile);
  const state = await WitnessStateFile.open(command.stateFile);
  const witness = new Witness({ cosigner, logKeys, state, report: (line) => io.err(`ingrain-witness: ${line}\n`) });
  const server = createWitnessServer(witness, (error) =>
    io.err(`ingrain-witness: failed to record a checkpoint: ${(error as Error).message}\n`),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(new WitnessCliError('WITNESS_LISTEN_FAILED', `--port: cannot listen (${cause.message})`, { cause })),
    );
    server.listen(command.port, command.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const logs = logKeys.map((k) => k.keyName).join(', ');
  io.out(`ingrain-witness: listening on http://${command.host}:${port} as ${cosignerVkeyString(cosigner.key)}\n`);
  io.out(`ingrain-witness: witnessing ${logs}\n`);
  await io.stopped;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  return EXIT_OK;
}

async function dispatch(command: WitnessCommand, io: WitnessIo): Promise<number> {
  switch (command.command) {
    case 'help':
      io.out(`${USAGE}\n`);
      return EXIT_OK;
    case 'init':
      io.out(`${cosignerVkeyString(createKeyFile(command.keyFile, command.name).key)}\n`);
      return EXIT_OK;
    case 'vkey':
      io.out(`${cosignerVkeyString(readKeyFile(command.keyFile).key)}\n`);
      return EXIT_OK;
    case 'serve':
      return serve(command, io);
  }
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Runs `ingrain-witness argv…` and returns its exit code: 0 done, 1 key/state/listen failure,
 * 2 usage error (docs/witness.md "Exit codes"). Messages name the flag or file and the reason.
 */
export async function runWitnessCli(argv: readonly string[], io: WitnessIo): Promise<number> {
  try {
    return await dispatch(parseWitnessCommand(argv), io);
  } catch (error) {
    const code = codeOf(error);
    io.err(
      `error${code === undefined ? '' : ` [${code}]`}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    if (error instanceof WitnessCliError && error.code === 'WITNESS_USAGE') {
      io.err(`${USAGE}\n`);
      return EXIT_USAGE;
    }
    return codeOf(error) === 'WITNESS_VKEY_INVALID' ? EXIT_USAGE : EXIT_FAILURE;
  }
}
