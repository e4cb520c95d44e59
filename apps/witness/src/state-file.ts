import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { WitnessCliError } from './errors.js';

/** `format` of the witness state file (docs/witness.md "State file"). */
export const WITNESS_STATE_FORMAT = 'ingrain.witness-state.v1';

/** The latest checkpoint the witness cosigned for one log. */
export interface CosignedCheckpoint {
  readonly treeSize: number;
  /** Standard base64 of the 32-byte root. */
  readonly rootHash: string;
  /** The log-signed note as submitted plus this witness's cosignature line (served to monitors). */
  readonly note: string;
}

const cosignedSchema = z.strictObject({
  treeSize: z.number().int().nonnegative(),
  rootHash: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  note: z.string().min(1),
});
const stateSchema = z.strictObject({
  format: z.literal(WITNESS_STATE_FORMAT),
  logs: z.record(z.string(), cosignedSchema),
});

function invalid(path: string, reason: string, cause?: unknown): never {
  throw new WitnessCliError('WITNESS_STATE_INVALID', `--state-file: ${path} ${reason}`, { cause });
}

/**
 * The witness's durable record of what it cosigned, per log origin. Written whole, atomically and
 * durably (temp file, fsync, rename, fsync of the directory) before the witness answers, so a
 * crash either keeps the old record or the new one, never a torn file and never a cosignature the
 * record does not cover. A missing file is an empty record (first start); an unreadable or
 * malformed one stops the witness (WITNESS_STATE_INVALID): starting from empty would let it sign
 * a fork of what it signed before.
 */
export class WitnessStateFile {
  private constructor(
    readonly path: string,
    private logs: Record<string, CosignedCheckpoint>,
  ) {}

  /** Loads the state file (or an empty state when it does not exist). @throws WitnessCliError. */
  static async open(path: string): Promise<WitnessStateFile> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
        const state = new WitnessStateFile(path, {});
        await state.write(); // proves now, not at the first cosignature, that the directory is writable
        return state;
      }
      invalid(path, `cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, cause);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      invalid(path, 'is not JSON', cause);
    }
    const parsed = stateSchema.safeParse(json);
    if (!parsed.success) invalid(path, `is not an ${WITNESS_STATE_FORMAT} file: ${parsed.error.issues[0]?.message}`);
    return new WitnessStateFile(path, parsed.data.logs);
  }

  get(origin: string): CosignedCheckpoint | undefined {
    return Object.hasOwn(this.logs, origin) ? this.logs[origin] : undefined;
  }

  /** Records `checkpoint` as the latest cosigned for `origin`, durably; in memory only once on disk. */
  async commit(origin: string, checkpoint: CosignedCheckpoint): Promise<void> {
    const previous = this.logs;
    this.logs = { ...previous, [origin]: checkpoint };
    try {
      await this.write();
    } catch (error) {
      this.logs = previous;
      throw error;
    }
  }

  private async write(): Promise<void> {
    const temp = `${this.path}.tmp-${process.pid}`;
    const text = `${JSON.stringify({ format: WITNESS_STATE_FORMAT, logs: this.logs }, null, 2)}\n`;
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, this.path);
    const directory = await open(dirname(this.path), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }
}
