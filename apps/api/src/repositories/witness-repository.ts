import type { ColumnType, Kysely } from 'kysely';
import { type Executor, inTransaction } from '../database/executor.js';

// Tables of migration 0003 (docs/witness.md), declared here so the shared Tables stay untouched.
type WitnessTables = {
  witnessed_checkpoints: { tree_size: number; note: string; created_at: ColumnType<Date, never, never> };
  witness_cosignatures: {
    witness_vkey: string;
    tree_size: number;
    signature_line: string;
    cosigned_at: Date;
    received_at: ColumnType<Date, never, never>;
  };
  witness_states: { witness_vkey: string; tree_size: number; updated_at: ColumnType<Date, Date | undefined, Date> };
};

type WitnessDb = Kysely<WitnessTables>;
const withWitnessTables = (executor: Executor): WitnessDb => executor.withTables<WitnessTables>();

/** One witness's cosignature on a checkpoint. */
export interface StoredCosignature {
  readonly witnessVkey: string;
  /** The note signature line, ending in `\n`. */
  readonly signatureLine: string;
  readonly cosignedAt: Date;
}

/** A log checkpoint with the cosignatures the API collected for it. */
export interface WitnessedCheckpoint {
  readonly treeSize: number;
  /** The log-signed note, without cosignatures. */
  readonly note: string;
  readonly cosignatures: readonly StoredCosignature[];
}

/** How many recent cosigned sizes {@link WitnessRepository.latestWitnessed} looks through. */
const RECENT_SIZES = 64;

/**
 * witnessed_checkpoints, witness_cosignatures, witness_states: cosignatures collected from the
 * configured witnesses, and the size each witness last said it cosigned.
 */
export class WitnessRepository {
  private readonly db: WitnessDb;

  constructor(private readonly executor: Executor) {
    this.db = withWitnessTables(executor);
  }

  /** Stores a witness's cosignature on the checkpoint `note` of `treeSize`; a repeat is a no-op. */
  async addCosignature(treeSize: number, note: string, cosignature: StoredCosignature): Promise<void> {
    await inTransaction(this.executor, async (trx) => {
      const db = withWitnessTables(trx);
      await db
        .insertInto('witnessed_checkpoints')
        .values({ tree_size: treeSize, note })
        .onConflict((c) => c.column('tree_size').doNothing())
        .execute();
      await db
        .insertInto('witness_cosignatures')
        .values({
          witness_vkey: cosignature.witnessVkey,
          tree_size: treeSize,
          signature_line: cosignature.signatureLine,
          cosigned_at: cosignature.cosignedAt,
        })
        .onConflict((c) => c.columns(['witness_vkey', 'tree_size']).doNothing())
        .execute();
      await setSize(db, cosignature.witnessVkey, treeSize);
    });
  }

  /** Records the size a witness reports it last cosigned (its 409 answer). */
  async setWitnessSize(witnessVkey: string, treeSize: number): Promise<void> {
    await setSize(this.db, witnessVkey, treeSize);
  }

  /** The size a witness last cosigned, as far as the API knows; 0 when never. */
  async witnessSize(witnessVkey: string): Promise<number> {
    const row = await this.db
      .selectFrom('witness_states')
      .select('tree_size')
      .where('witness_vkey', '=', witnessVkey)
      .executeTakeFirst();
    return row?.tree_size ?? 0;
  }

  /**
   * The most recent checkpoint cosigned by every witness in `vkeys`, else the most recent
   * cosigned by any of them (among the last 64 cosigned sizes), with their lines; undefined when
   * none of them has cosigned anything.
   */
  async latestWitnessed(vkeys: readonly string[]): Promise<WitnessedCheckpoint | undefined> {
    if (vkeys.length === 0) return undefined;
    const sizes = await this.db
      .selectFrom('witness_cosignatures')
      .select(['tree_size', (eb) => eb.fn.countAll<number>().as('count')])
      .where('witness_vkey', 'in', vkeys)
      .groupBy('tree_size')
      .orderBy('tree_size', 'desc')
      .limit(RECENT_SIZES)
      .execute();
    const chosen = sizes.find((s) => Number(s.count) >= new Set(vkeys).size) ?? sizes[0];
    if (chosen === undefined) return undefined;
    const checkpoint = await this.db
      .selectFrom('witnessed_checkpoints')
      .select(['tree_size', 'note'])
      .where('tree_size', '=', chosen.tree_size)
      .executeTakeFirstOrThrow();
    const lines = await this.db
      .selectFrom('witness_cosignatures')
      .select(['witness_vkey', 'signature_line', 'cosigned_at'])
      .where('tree_size', '=', chosen.tree_size)
      .where('witness_vkey', 'in', vkeys)
      .orderBy('witness_vkey')
      .execute();
    return {
      treeSize: checkpoint.tree_size,
      note: checkpoint.note,
      cosignatures: lines.map((l) => ({
        witnessVkey: l.witness_vkey,
        signatureLine: l.signature_line,
        cosignedAt: l.cosigned_at,
      })),
    };
  }
}

async function setSize(db: WitnessDb, witnessVkey: string, treeSize: number): Promise<void> {
  await db
    .insertInto('witness_states')
    .values({ witness_vkey: witnessVkey, tree_size: treeSize })
    .onConflict((c) => c.column('witness_vkey').doUpdateSet({ tree_size: treeSize, updated_at: new Date() }))
    .execute();
}
