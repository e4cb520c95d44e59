import { type FSWatcher, watch } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseReleaseRequest, type ReleaseRequest } from './release-request.js';

/** A missed inotify event is caught up by this periodic rescan. */
const RESCAN_INTERVAL_MS = 1_000;

/**
 * Watches a directory for request files (`*.json`; names starting with `.` are writes in progress),
 * hands each one `parse` accepts to `onRequest` in name order and deletes it. An invalid file is
 * logged and deleted. Scans never overlap.
 */
export class RequestWatcher<T> {
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #scanning: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(
    readonly directory: string,
    private readonly parse: (text: string) => T | undefined,
    private readonly onRequest: (request: T) => void,
    private readonly log: (line: string) => void = () => undefined,
    private readonly what = 'a request',
  ) {}

  /** Creates the directory, carries out the requests already there, then watches. */
  async start(): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    this.#watcher = watch(this.directory, () => this.#scanSoon());
    this.#watcher.on('error', (error) => this.log(`feeder: watching ${this.directory} failed: ${error.message}`));
    this.#timer = setInterval(() => this.#scanSoon(), RESCAN_INTERVAL_MS);
    this.#timer.unref();
    await this.scan();
  }

  /** One pass over the directory (waits for a running one, then runs again). */
  async scan(): Promise<void> {
    if (this.#scanning !== undefined) {
      this.#again = true;
      return this.#scanning;
    }
    this.#scanning = this.#scanLoop().finally(() => (this.#scanning = undefined));
    return this.#scanning;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watcher?.close();
    clearInterval(this.#timer);
    await this.#scanning;
  }

  #scanSoon(): void {
    if (!this.#closed) this.scan().catch((error: unknown) => this.log(`feeder: scan failed: ${String(error)}`));
  }

  async #scanLoop(): Promise<void> {
    do {
      this.#again = false;
      const names = (await readdir(this.directory)).filter((name) => name.endsWith('.json') && !name.startsWith('.'));
      for (const name of names.sort()) {
        if (this.#closed) return;
        await this.#handle(name);
      }
    } while (this.#again && !this.#closed);
  }

  async #handle(name: string): Promise<void> {
    const path = join(this.directory, name);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) return; // taken by a parallel scan
    const request = this.parse(text);
    if (request === undefined) this.log(`feeder: ${name} is not ${this.what}; deleted`);
    else this.onRequest(request);
    await rm(path, { force: true });
  }
}

/** The station's release requests (release-request.ts) in a directory. */
export class ReleaseWatcher extends RequestWatcher<ReleaseRequest> {
  constructor(directory: string, onRequest: (request: ReleaseRequest) => void, log?: (line: string) => void) {
    super(directory, parseReleaseRequest, onRequest, log, 'a release request');
  }
}
