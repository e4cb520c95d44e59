/** A value a log line may carry: scalars only, so an image or a report can never be logged by accident. */
export type LogValue = string | number | boolean | null | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;
export type LogLevel = 'info' | 'warn' | 'error';

/** The station's log: one event per call. Callers pass ids, states, codes and counts, never secrets. */
export interface StationLog {
  write(level: LogLevel, event: string, fields?: LogFields): void;
}

/** JSON lines (`{"time","level","event",…}`) to a text sink, stderr by default. */
export class JsonLinesLog implements StationLog {
  constructor(private readonly sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  write(level: LogLevel, event: string, fields: LogFields = {}): void {
    this.sink(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }));
  }
}

/** The message and code of an error, for a log line (never its cause chain, which may hold payloads). */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { errorCode: typeof code === 'string' ? code : error.name, errorMessage: error.message };
  }
  return { errorCode: 'UNKNOWN', errorMessage: String(error) };
}
