import {
  type LogAppendBatch,
  type LogStore,
  type NodeId,
  type StoredCheckpoint,
  type StoredNode,
  TransparencyLogError,
} from '#ingrain/crypto';
import { sql } from 'kysely';
import { CONSTRAINTS } from '../database/constraints.js';
import { isDatabaseError } from '../database/errors.js';
import { type Executor, inTransaction } from '../database/executor.js';
import { plainBytes } from './row-values.js';

/** Rows per INSERT/IN list: well under PostgreSQL's 65535 bind parameters per statement. */
const ROWS_PER_STATEMENT = 2000;

// The name of the PostgreSQL advisory lock that orders log writers; hashed to the lock's bigint
// key by the server (hashtextextended, PostgreSQL ≥ 11; PGlite has it too).
const LOG_WRITER_LOCK = 'ingrain/transparency-log/writer';

const nodeKey = (id: NodeId): string => `${id.level}/${id.index}`;
const hashKey = (hash: Uint8Array): string => Buffer.from(hash).toString('hex');

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) result.push(items.slice(i, i + ROWS_PER_STATEMENT));
  return result;
}

/**
 * The transparency log's {@link LogStore} in PostgreSQL (tables log_state, log_nodes, log_leaves,
 * log_checkpoints). Honours the interface contract: appendBatch is atomic and refuses a stale
 * batch with LOG_APPEND_CONFLICT through one conditional UPDATE of the single log_state row (the
 * row lock orders concurrent writers, in this process or another); stored nodes never change (the
 * table refuses updates, and a batch that would rewrite a node fails with LOG_STATE_INCONSISTENT).
 * Give it a transaction to make an append part of a larger unit (provision + attest + append).
 */
export class PgLogStore implements LogStore {
  constructor(private readonly db: Executor) {}

  /**
   * Takes the log writers' transaction-scoped advisory lock (pg_advisory_xact_lock): waits until no
   * other transaction, in this process or another, holds it; released when this store's
   * transaction commits or rolls back. Taken before reading the tree, it makes the
   * read–append–checkpoint sequence of one transaction see the committed result of the previous
   * writer, so appends never race. The store must be over a transaction (outside one the lock
   * would be released at once).
   */
  async lockWriters(): Promise<void> {
    if (!this.db.isTransaction) throw new TypeError('lockWriters needs a transaction');
    await sql`select pg_advisory_xact_lock(hashtextextended(${LOG_WRITER_LOCK}, 0))`.execute(this.db);
  }

  /**
   * Runs `work` with this store over a transaction: this very store when it is over one already (the
   * work commits or rolls back with the caller's unit), else over a new one.
   */
  inTransaction<T>(work: (store: PgLogStore) => Promise<T>): Promise<T> {
    return inTransaction(this.db, (trx) => work(trx === this.db ? this : new PgLogStore(trx)));
  }

  async readTreeSize(db: Executor = this.db): Promise<number> {
    const row = await db.selectFrom('log_state').select('tree_size').executeTakeFirst();
    if (row === undefined) throw new TransparencyLogError('LOG_STATE_INCONSISTENT', 'the log_state row is missing');
    return row.tree_size;
  }

  async readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    const found = new Map<string, Uint8Array>();
    for (const chunk of chunks(ids)) {
      const rows = await this.db
        .selectFrom('log_nodes')
        .select(['level', 'index', 'hash'])
        .where((eb) =>
          eb(
            eb.refTuple('level', 'index'),
            'in',
            chunk.map((id) => eb.tuple(id.level, id.index)),
          ),
        )
        .execute();
      for (const row of rows) found.set(nodeKey(row), plainBytes(row.hash));
    }
    return ids.map((id) => {
      const hash = found.get(nodeKey(id));
      if (hash === undefined) {
        throw new TransparencyLogError('LOG_NODE_MISSING', `no stored node at level ${id.level}, index ${id.index}`);
      }
      return hash;
    });
  }

  async findLeafIndices(leafHashes: readonly Uint8Array[]): Promise<(number | undefined)[]> {
    const indexByHash = new Map<string, number>();
    for (const chunk of chunks(leafHashes)) {
      const rows = await this.db
        .selectFrom('log_leaves')
        .select(['leaf_hash', 'leaf_index'])
        .where('leaf_hash', 'in', chunk)
        .execute();
      for (const row of rows) indexByHash.set(hashKey(row.leaf_hash), row.leaf_index);
    }
    return leafHashes.map((hash) => indexByHash.get(hashKey(hash)));
  }

  appendBatch(batch: LogAppendBatch): Promise<void> {
    return inTransaction(this.db, async (trx) => {
      const moved = await trx
        .updateTable('log_state')
        .set({ tree_size: batch.toTreeSize })
        .where('tree_size', '=', batch.fromTreeSize)
        .returning('tree_size')
        .executeTakeFirst();
      if (moved === undefined) {
        const current = await this.readTreeSize(trx);
        throw new TransparencyLogError(
          'LOG_APPEND_CONFLICT',
          `append computed for tree size ${batch.fromTreeSize} but the log has ${current} leaves`,
        );
      }
      await insertNodes(trx, batch.nodes);
      await insertLeaves(trx, batch.fromTreeSize, batch.leafHashes);
    });
  }

  async writeCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    await this.db
      .insertInto('log_checkpoints')
      .values({ tree_size: checkpoint.treeSize, root_hash: checkpoint.rootHash, note: checkpoint.note })
      .onConflict((conflict) => conflict.column('tree_size').doNothing())
      .execute();
  }

  async readLatestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const row = await this.db
      .selectFrom('log_checkpoints')
      .select(['tree_size', 'root_hash', 'note'])
      .orderBy('tree_size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { treeSize: row.tree_size, rootHash: plainBytes(row.root_hash), note: row.note };
  }

  async readCheckpoint(treeSize: number): Promise<StoredCheckpoint | undefined> {
    if (!Number.isSafeInteger(treeSize) || treeSize < 0) return undefined;
    const row = await this.db
      .selectFrom('log_checkpoints')
      .select(['tree_size', 'root_hash', 'note'])
      .where('tree_size', '=', treeSize)
      .executeTakeFirst();
    return row && { treeSize: row.tree_size, rootHash: plainBytes(row.root_hash), note: row.note };
  }

  /** Every signed checkpoint, oldest first: up to `limit` with a tree size above `afterTreeSize` (-1: from the start). */
  async readCheckpointHistory(afterTreeSize: number, limit: number): Promise<CheckpointHistoryEntry[]> {
    const rows = await this.db
      .selectFrom('log_checkpoints')
      .select(['tree_size', 'root_hash', 'note', 'created_at'])
      .where('tree_size', '>', afterTreeSize)
      .orderBy('tree_size', 'asc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      treeSize: row.tree_size,
      rootHash: plainBytes(row.root_hash),
      note: row.note,
      createdAt: row.created_at,
    }));
  }

  /**
   * The log entries (leaf bytes) at indices [begin, end), in order: every leaf is an attestation
   * whose stored envelope text is exactly its leaf bytes (LogService appends only that normal form).
   * LOG_NODE_MISSING when one is absent.
   */
  async readEntries(begin: number, end: number): Promise<Uint8Array[]> {
    const rows = await this.db
      .selectFrom('attestations')
      .select(['leaf_index', 'envelope'])
      .where('leaf_index', '>=', begin)
      .where('leaf_index', '<', end)
      .orderBy('leaf_index', 'asc')
      .execute();
    return Array.from({ length: Math.max(0, end - begin) }, (_, i) => {
      const row = rows[i];
      if (row?.leaf_index !== begin + i) {
        throw new TransparencyLogError('LOG_NODE_MISSING', `no stored entry at leaf index ${begin + i}`);
      }
      return new Uint8Array(Buffer.from(row.envelope, 'utf8'));
    });
  }
}

/** One stored checkpoint of the history, with when it was signed. */
export interface CheckpointHistoryEntry extends StoredCheckpoint {
  readonly createdAt: Date;
}

async function insertNodes(db: Executor, nodes: readonly StoredNode[]): Promise<void> {
  try {
    for (const chunk of chunks(nodes)) {
      await db
        .insertInto('log_nodes')
        .values(chunk.map((node) => ({ level: node.level, index: node.index, hash: node.hash })))
        .execute();
    }
  } catch (error) {
    if (!isDatabaseError(error, 'UNIQUE_VIOLATION', CONSTRAINTS.logNodePrimaryKey)) throw error;
    throw new TransparencyLogError('LOG_STATE_INCONSISTENT', 'the batch would rewrite a stored node', {
      cause: error,
    });
  }
}

/** Leaf hash → index; a hash already present keeps its first index (like the in-memory store). */
async function insertLeaves(db: Executor, fromTreeSize: number, leafHashes: readonly Uint8Array[]): Promise<void> {
  const rows = leafHashes.map((hash, offset) => ({ leaf_hash: hash, leaf_index: fromTreeSize + offset }));
  for (const chunk of chunks(rows)) {
    await db
      .insertInto('log_leaves')
      .values(chunk)
      .onConflict((conflict) => conflict.column('leaf_hash').doNothing())
      .execute();
  }
}
