import { createLogger, defaultLogFormat, LOG_FORMATS, type LogFormat, logDestination } from '#ingrain/logging';
import type { Logger } from 'pino';
import { StationError } from '../errors.js';
import type { LogFields, LogLevel, StationLog } from '../station-log.js';

/**
 * The station's log on pino (libs/logging: the format the API writes too): each event is a line with
 * `msg` (and `event`, its old name) set to the event's name, `component: "station"`, `stationId`,
 * the event's fields, and `code` whenever the event carries an error code (`errorCode`).
 */
export class PinoStationLog implements StationLog {
  constructor(private readonly logger: Logger) {}

  write(level: LogLevel, event: string, fields: LogFields = {}): void {
    const code = fields['code'] ?? fields['errorCode'];
    this.logger[level]({ event, ...fields, ...(code === undefined ? {} : { code }) }, event);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** How the station logs, from INGRAIN_LOG_FORMAT and INGRAIN_LOG_FILE. */
export interface StationLogConfig {
  /** Undefined: pretty when stderr is a terminal, JSON otherwise. */
  readonly format: LogFormat | undefined;
  /** JSON lines also go to this file. */
  readonly file: string | undefined;
}

/** @throws StationError `STATION_CONFIG_INVALID` naming INGRAIN_LOG_FORMAT when it is neither pretty nor json. */
export function loadStationLogConfig(env: Env): StationLogConfig {
  const format = env['INGRAIN_LOG_FORMAT']?.trim() ?? '';
  const file = env['INGRAIN_LOG_FILE']?.trim() ?? '';
  if (format !== '' && !(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new StationError(
      'STATION_CONFIG_INVALID',
      'invalid worker configuration: INGRAIN_LOG_FORMAT: expected pretty or json',
    );
  }
  return { format: format === '' ? undefined : (format as LogFormat), file: file === '' ? undefined : file };
}

/** The worker's log: to stderr (readable on a terminal, JSON otherwise) and, if configured, JSON to a file. */
export function createStationLog(config: StationLogConfig, stationId: string): StationLog {
  const stream = process.stderr;
  const destination = logDestination({ format: config.format ?? defaultLogFormat(stream), stream, file: config.file });
  return new PinoStationLog(createLogger({ level: 'info', component: 'station', base: { stationId } }, destination));
}
