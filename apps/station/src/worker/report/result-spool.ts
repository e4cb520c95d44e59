import { access, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type StationReportBody } from '#ingrain/contracts';
import { StationError } from '../errors.js';

/** One report waiting for delivery. */
export interface SpoolEntry {
  /** The file name; names sort oldest first. */
  readonly name: string;
  readonly deviceId: string;
  readonly report: StationReportBody;
  readonly spooledAt: string;
}

const SPOOL_FORMAT_VERSION = 1;
const entrySchema = z.strictObject({
  formatVersion: z.literal(SPOOL_FORMAT_VERSION),
  deviceId: z.string().min(1).max(128),
  // The station wrote it; the API is the judge of its shape.
  report: z.record(z.string(), z.unknown()),
  spooledAt: z.string(),
});

const PENDING = 'pending';
const REJECTED = 'rejected';
const ENTRY_SUFFIX = '.json';

/**
 * The station's durable result spool (an adapter over a directory): `pending/` holds reports not yet
 * accepted by the API, `rejected/` those the API refused (kept for an operator, never deleted).
 * An append is on disk (file and directory fsynced) before it resolves, so a report survives a crash
 * or a power cut from then on. Reports carry no secret byte (they are masked before).
 */
export class ResultSpool {
  #sequence = 0;

  constructor(readonly directory: string) {}

  /** Creates the directories. @throws StationError `STATION_SPOOL_IO` */
  async init(): Promise<void> {
    await io('create the spool', async () => {
      await mkdir(join(this.directory, PENDING), { recursive: true });
      await mkdir(join(this.directory, REJECTED), { recursive: true });
    });
  }

  /** Names a new entry (no I/O yet): names sort in creation order. */
  entryFor(deviceId: string, report: StationReportBody): SpoolEntry {
    const spooledAt = new Date();
    const time = String(spooledAt.getTime()).padStart(15, '0');
    const name = `${time}-${process.pid}-${String(++this.#sequence).padStart(6, '0')}-${deviceId}${ENTRY_SUFFIX}`;
    return { name, deviceId, report, spooledAt: spooledAt.toISOString() };
  }

  /**
   * Writes an entry durably (temporary file fsynced, renamed, directory fsynced).
   * @throws StationError `STATION_SPOOL_IO`
   */
  async write(entry: SpoolEntry): Promise<void> {
    const { deviceId, report, spooledAt } = entry;
    const text = `${JSON.stringify({ formatVersion: SPOOL_FORMAT_VERSION, deviceId, report, spooledAt })}\n`;
    await io(`spool the report of device ${deviceId}`, async () => {
      const directory = join(this.directory, PENDING);
      const temporary = join(directory, `.${entry.name}.tmp`);
      await writeDurably(temporary, text);
      await rename(temporary, join(directory, entry.name));
      await syncDirectory(directory);
    });
  }

  /** `entryFor` then `write`. @throws StationError `STATION_SPOOL_IO` */
  async append(deviceId: string, report: StationReportBody): Promise<SpoolEntry> {
    const entry = this.entryFor(deviceId, report);
    await this.write(entry);
    return entry;
  }

  /**
   * Pending reports, oldest first. A file that does not parse is moved to `rejected/` and skipped.
   * @throws StationError `STATION_SPOOL_IO`
   */
  async pending(): Promise<SpoolEntry[]> {
    const directory = join(this.directory, PENDING);
    const names = await io('list the spool', () => readdir(directory));
    const entries: SpoolEntry[] = [];
    for (const name of names.filter((n) => n.endsWith(ENTRY_SUFFIX) && !n.startsWith('.')).sort()) {
      const entry = await this.#read(name);
      if (entry !== undefined) entries.push(entry);
    }
    return entries;
  }

  /** How many reports wait in `pending/` (the metrics' spool depth; nothing is parsed). */
  async count(): Promise<number> {
    const names = await io('list the spool', () => readdir(join(this.directory, PENDING)));
    return names.filter((n) => n.endsWith(ENTRY_SUFFIX) && !n.startsWith('.')).length;
  }

  /** True while the entry is still pending (not delivered or rejected meanwhile). */
  async isPending(entry: SpoolEntry): Promise<boolean> {
    try {
      await access(join(this.directory, PENDING, entry.name));
      return true;
    } catch {
      return false;
    }
  }

  /** Deletes a delivered entry. Idempotent. @throws StationError `STATION_SPOOL_IO` */
  async remove(entry: SpoolEntry): Promise<void> {
    await io('delete a delivered report', async () => {
      await rm(join(this.directory, PENDING, entry.name), { force: true });
      await syncDirectory(join(this.directory, PENDING));
    });
  }

  /** Moves an entry the API refused to `rejected/`. @throws StationError `STATION_SPOOL_IO` */
  async reject(entry: Pick<SpoolEntry, 'name'>): Promise<void> {
    await io('set a refused report aside', async () => {
      await rename(join(this.directory, PENDING, entry.name), join(this.directory, REJECTED, entry.name));
      await syncDirectory(join(this.directory, REJECTED));
      await syncDirectory(join(this.directory, PENDING));
    });
  }

  /** Names of the refused entries, oldest first. */
  async rejected(): Promise<string[]> {
    const names = await io('list refused reports', () => readdir(join(this.directory, REJECTED)));
    return names.filter((n) => n.endsWith(ENTRY_SUFFIX)).sort();
  }

  async #read(name: string): Promise<SpoolEntry | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.directory, PENDING, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // delivered meanwhile
      throw new StationError('STATION_SPOOL_IO', `cannot read the spooled report ${name}`, { cause: error });
    }
    const parsed = entrySchema.safeParse(parseJson(text));
    if (!parsed.success) {
      await this.reject({ name });
      return undefined;
    }
    const { deviceId, report, spooledAt } = parsed.data;
    return { name, deviceId, report: report as unknown as StationReportBody, spooledAt };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function writeDurably(path: string, text: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** fsync of a directory, so a rename or an unlink in it is durable. */
async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

async function io<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StationError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? 'I/O error';
    throw new StationError('STATION_SPOOL_IO', `cannot ${what} (${reason})`, { cause: error });
  }
}
