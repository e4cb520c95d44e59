import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { type StationEvent } from '../../testkit/stack/index.js';

/**
 * The output of the processes the demo starts, one file each under `<dir>/logs/` (api.log,
 * simulator.log, station-<id>.log), so the console keeps to the summary.
 */
export class ProcessLogs {
  readonly dir: string;
  readonly #streams = new Map<string, WriteStream>();
  #closed = false;

  constructor(demoDir: string) {
    this.dir = join(demoDir, 'logs');
    mkdirSync(this.dir, { recursive: true });
  }

  /** A line sink for `name`.log. */
  sink(name: string): (line: string) => void {
    return (line) => this.#stream(name).write(`${line}\n`);
  }

  /** A sink for station events: each to station-<id>.log as the JSON line it came as. */
  stationSink(): (event: StationEvent) => void {
    return (event) => {
      const { station, ...line } = event as StationEvent & { station?: unknown };
      this.#stream(`station-${String(station)}`).write(`${JSON.stringify(line)}\n`);
    };
  }

  /** Flushes and closes every file. */
  async close(): Promise<void> {
    this.#closed = true;
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    await Promise.all(
      streams.map(async (stream) => {
        stream.end();
        await finished(stream);
      }),
    );
  }

  #stream(name: string): Pick<WriteStream, 'write'> {
    if (this.#closed) return { write: () => true };
    let stream = this.#streams.get(name);
    if (stream === undefined) {
      stream = createWriteStream(join(this.dir, `${name}.log`), { flags: 'a' });
      this.#streams.set(name, stream);
    }
    return stream;
  }
}
