import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CryptoError, type LogRangeTrust } from '#ingrain/crypto';
import { type CliIo, EXIT_OK, EXIT_USAGE, EXIT_VERIFICATION_FAILED, VerifierCliError } from '../cli-io.js';
import { readPublicKeySpki } from '../inputs.js';
import { followLog, LogProblem, type TileFetcher } from './follow-log.js';
import { MONITOR_USAGE, type MonitorOptions, parseMonitorOptions } from './monitor-options.js';
import { readMonitorState, writeMonitorState } from './monitor-state.js';

/** Fetches below the tiles prefix with fetch(); any answer but 200 is an unreachable log (exit 2). */
function httpFetcher(options: MonitorOptions, cwd: string): TileFetcher {
  const token =
    options.tokenPath === undefined ? undefined : readFileSync(resolve(cwd, options.tokenPath), 'utf8').trim();
  return async (path) => {
    const url = new URL(path, options.url);
    let response: Response;
    try {
      response = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
    } catch (error) {
      throw new VerifierCliError('VERIFY_INPUT_UNREADABLE', `cannot reach ${url.href}`, { cause: error });
    }
    if (response.status !== 200) {
      throw new VerifierCliError('VERIFY_INPUT_UNREADABLE', `${url.href} answered ${response.status}`);
    }
    return new Uint8Array(await response.arrayBuffer());
  };
}

async function checkOnce(
  options: MonitorOptions,
  trust: LogRangeTrust,
  fetchTile: TileFetcher,
  io: CliIo,
): Promise<void> {
  const kept = readMonitorState(io.cwd, options.statePath);
  const result = await followLog(fetchTile, trust, kept);
  writeMonitorState(io.cwd, options.statePath, result.state);
  io.out(
    `caught up: tree size ${result.state.frontier.size} (${result.newEntries} new entries verified since size ${result.previousSize})\n`,
  );
}

/**
 * `ingrain-verify monitor …`: one check (or, with --follow, one every interval until something is
 * wrong). Exit 0 caught up; 1 a problem with the log (reason on stderr, the state is not advanced);
 * 2 usage, unreadable input, unreachable log.
 */
export async function runMonitorCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const options = parseMonitorOptions(argv);
    if (options === 'help') {
      io.out(`${MONITOR_USAGE}\n`);
      return EXIT_OK;
    }
    const trust: LogRangeTrust = {
      attestationPublicKeySpkiDer: readPublicKeySpki(io.cwd, options.attestationKeyPath, 'attestation key'),
      logPublicKeySpkiDer: readPublicKeySpki(io.cwd, options.logKeyPath, 'log key'),
      origin: options.origin,
    };
    const fetchTile = httpFetcher(options, io.cwd);
    for (;;) {
      await checkOnce(options, trust, fetchTile, io);
      if (!options.follow) return EXIT_OK;
      await delay(options.intervalMs);
    }
  } catch (error) {
    if (error instanceof LogProblem || error instanceof CryptoError) {
      io.err(`monitor: ${error.code}: ${error.message}\n`);
      return EXIT_VERIFICATION_FAILED;
    }
    if (error instanceof VerifierCliError) {
      io.err(`monitor: ${error.code}: ${error.message}\n`);
      if (error.code === 'VERIFY_USAGE') io.err(`${MONITOR_USAGE}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
