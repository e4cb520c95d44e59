import { access, mkdir, open, rename } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { type StationLog } from './station-log.js';

/** Where a released chip goes: the good bin, or quarantine (conflict, verify failure, wrong chip). */
export type ReleaseBin = 'done' | 'quarantine';

/** A chip the station is finished with. */
export interface ChipRelease {
  /** The fixture's serial port. */
  readonly port: string;
  /** The chip's UID (lower-case hex), or null for a chip that could not be identified. */
  readonly chipUid: string | null;
  readonly bin: ReleaseBin;
  /** Why (an outcome or a code), for the handler's log. */
  readonly reason: string;
}

/**
 * The fixture's chip handler, the station's only way to say "take this chip out, put it in this
 * bin, insert the next one". At a real line a pick-and-place handler or an operator does it; the
 * station then sees the next chip by its new UID.
 */
export interface FixtureControl {
  /** Asks for the chip to be taken out. Resolves once the request is handed over (not carried out). */
  release(request: ChipRelease): Promise<void>;
  /**
   * For a handler that acknowledges: resolves true once it has carried out the port's last release
   * (the next chip is in place), false after `timeoutMs` or when `signal` aborts. Without it, the
   * station just polls the fixture.
   */
  carriedOut?(port: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
}

/** No handler: the request goes to the station log for the operator, who swaps the chip by hand. */
export class OperatorFixtureControl implements FixtureControl {
  constructor(private readonly log: StationLog) {}

  release(request: ChipRelease): Promise<void> {
    this.log.write('info', 'operator-release-chip', {
      ...request,
      instruction: `move the chip to the ${request.bin} bin and insert the next one`,
    });
    return Promise.resolve();
  }
}

/** Format version of a release request file. */
export const RELEASE_REQUEST_FORMAT_VERSION = 1;

/**
 * A handler that watches a directory (the simulator's feeder mode, or a line controller's bridge):
 * each release is one JSON file `{ formatVersion: 1, port, chipUid, bin, reason, requestedAt }`,
 * written to a temporary name, fsynced and renamed, so the handler never reads half a request. The
 * handler deletes a file once it has carried it out.
 */
export class DirectoryFixtureControl implements FixtureControl {
  #sequence = 0;
  /** Port → the file of its last release request, until the handler deleted it. */
  readonly #pending = new Map<string, string>();

  constructor(private readonly directory: string) {}

  async release(request: ChipRelease): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const name = `${portKey(request.port)}-${request.chipUid ?? 'unknown'}-${process.pid}-${++this.#sequence}`;
    const body = { formatVersion: RELEASE_REQUEST_FORMAT_VERSION, ...request, requestedAt: new Date().toISOString() };
    const temporary = join(this.directory, `.${name}.tmp`);
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(`${JSON.stringify(body)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    const path = join(this.directory, `${name}.json`);
    await rename(temporary, path);
    this.#pending.set(request.port, path);
  }

  /** The handler deletes a request file once carried out: waits for that (checking every 5 ms). */
  async carriedOut(port: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const path = this.#pending.get(port);
    const deadline = performance.now() + timeoutMs;
    while (path !== undefined) {
      if (!(await exists(path))) {
        if (this.#pending.get(port) === path) this.#pending.delete(port);
        return true;
      }
      if (signal?.aborted === true || performance.now() >= deadline) return false;
      await sleep(HANDLER_CHECK_MS);
    }
    return true;
  }
}

/** How often `carriedOut` looks for the request file. */
const HANDLER_CHECK_MS = 5;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** A file-name-safe key of a port path (`/dev/pts/5` → `dev-pts-5`). */
export function portKey(port: string): string {
  return port.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '-');
}
