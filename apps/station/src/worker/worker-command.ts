import { loadWorkerConfig } from './config.js';
import { StationError } from './errors.js';
import { createStationLog, loadStationLogConfig } from './logging/station-logger.js';
import { type StationLog } from './station-log.js';
import { StationWorker } from './station-worker.js';

/** Exit status when the grace period ran out or a second signal forced the stop. */
const FORCED_EXIT_CODE = 1;

function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * `ingrain-station worker`: runs until SIGTERM or SIGINT, then stops gracefully (see
 * StationWorker.stop). A second signal, or a stop longer than the grace period, ends the process at
 * once with status 1 (the cycle is resumable; spooled reports are delivered at the next start).
 * Returns the exit status. The log goes to stderr: JSON lines, or readable lines on a terminal
 * (INGRAIN_LOG_FORMAT), and JSON lines to INGRAIN_LOG_FILE when set (docs/observability.md).
 *
 * Before it takes any job the station's token is checked with the API (`GET /v1/stations/me`); while
 * the API is unreachable the start waits and tries again (a signal then ends the process with 0).
 *
 * @throws StationError `STATION_CONFIG_INVALID` (exit 2) before anything is opened;
 *   `STATION_CREDENTIALS_REJECTED` (exit 2) when the API refuses the token or it is another
 *   station's or line's, before anything is opened or taken from the queue.
 */
export async function workerCommand(argv: readonly string[], given?: StationLog): Promise<number> {
  const config = loadWorkerConfig(argv, process.env);
  const log = given ?? createStationLog(loadStationLogConfig(process.env), config.stationId);
  const firstSignal = nextStopSignal();
  // A signal while the start still waits for an unreachable API ends the wait: nothing was taken yet.
  const startAborted = new AbortController();
  void firstSignal.then(() => startAborted.abort());
  let station: StationWorker;
  try {
    station = await StationWorker.start(config, { log, signal: startAborted.signal });
  } catch (error) {
    if (!(error instanceof StationError && error.code === 'STATION_SHUTTING_DOWN')) throw error;
    log.write('info', 'stopped-before-start', { reason: error.message });
    return 0;
  }
  const signal = await firstSignal;
  log.write('info', 'stop-signal', { signal, graceMs: config.shutdownGraceMs });
  const force = (reason: string) => {
    log.write('error', 'forced-exit', { reason });
    process.exit(FORCED_EXIT_CODE);
  };
  void nextStopSignal().then((again) => force(`second ${again}`));
  const grace = setTimeout(() => force('the grace period ran out'), config.shutdownGraceMs);
  grace.unref();
  await station.stop();
  clearTimeout(grace);
  return 0;
}
