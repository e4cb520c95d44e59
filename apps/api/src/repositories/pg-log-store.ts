import {
  type FrontierAppend,
  type LogAppendBatch,
  LogFrontier,
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

  /** The right edge of the tree (size and edge nodes) as this store's transaction sees it: two reads. */
  async readFrontier(): Promise<LogFrontier> {
    const treeSize = await this.readTreeSize();
    const ids = LogFrontier.nodeIds(treeSize);
    return LogFrontier.of(treeSize, ids.length === 0 ? [] : await this.readNodes(ids));
  }

  /**
   * Appends one leaf computed on `frontier` (`step` = frontier.append(leafHash)) in ONE statement,
   * atomic like {@link appendBatch}: the size moves from frontier.treeSize to one more, and the leaf
   * and the nodes it completes are stored, only when the leaf is not in the log yet AND the stored
   * tree is exactly `frontier` (same size, every edge node stored with the same hash, which makes it
   * the same tree: nodes never change and the root is the fold of the edge). So a frontier kept in
   * memory across transactions is used only while it is still the log's edge; one that went stale
   * (another writer appended, or the transaction that computed it rolled back) changes nothing.
   * Like appendBatch, call it under {@link lockWriters} for ordering; the conditional update is the backstop.
   * @returns `appended`; `present` (nothing written) with the leaf's first index and the current
   *   size; or `stale` (nothing written): the caller reads the frontier again and retries.
   * @throws TransparencyLogError LOG_STATE_INCONSISTENT when a node of the append is already stored
   *   with another hash, or the leaf row could not be written (the transaction must roll back).
   */
  async appendOnFrontier(frontier: LogFrontier, step: FrontierAppend): Promise<FrontierAppendOutcome> {
    const leafHash = step.nodes[0]?.hash;
    if (leafHash === undefined || step.leafIndex !== frontier.treeSize) {
      throw new TransparencyLogError('LOG_STATE_INCONSISTENT', 'the append step was not computed on this frontier');
    }
    const row = (node: StoredNode) => sql`(${node.level}::smallint, ${node.index}::bigint, ${node.hash}::bytea)`;
    const edgeStored =
      frontier.nodes.length === 0
        ? sql`true`
        : sql`(select count(*) from log_nodes where (level, index, hash) in (${sql.join(frontier.nodes.map(row))})) = ${frontier.nodes.length}`;
    let result: FrontierAppendRow | undefined;
    try {
      ({
        rows: [result],
      } = await sql<FrontierAppendRow>`
        with present as (select leaf_index from log_leaves where leaf_hash = ${leafHash}::bytea),
        moved as (
          update log_state set tree_size = ${frontier.treeSize + 1}::bigint
          where tree_size = ${frontier.treeSize}::bigint and not exists (select 1 from present) and ${edgeStored}
          returning tree_size
        ),
        leaf as (
          insert into log_leaves (leaf_hash, leaf_index)
          select ${leafHash}::bytea, ${frontier.treeSize}::bigint from moved
          on conflict (leaf_hash) do nothing
          returning leaf_index
        ),
        nodes as (
          insert into log_nodes (level, index, hash)
          select v.level, v.index, v.hash from moved, (values ${sql.join(step.nodes.map(row))}) as v (level, index, hash)
          returning level
        )
        select
          (select leaf_index from present) as present,
          (select tree_size from moved) as moved,
          (select count(*) from leaf)::integer as leaves,
          (select count(*) from nodes)::integer as nodes,
          (select tree_size from log_state) as tree_size
      `.execute(this.db));
    } catch (error) {
      if (!isDatabaseError(error, 'UNIQUE_VIOLATION', CONSTRAINTS.logNodePrimaryKey)) throw error;
      throw new TransparencyLogError('LOG_STATE_INCONSISTENT', 'the append would rewrite a stored node', {
        cause: error,
      });
    }
    if (result === undefined) throw new TransparencyLogError('LOG_STATE_INCONSISTENT', 'the append returned no row');
    if (result.moved !== null) {
      if (result.leaves !== 1 || result.nodes !== step.nodes.length) {
        throw new TransparencyLogError('LOG_STATE_INCONSISTENT', `leaf ${step.leafIndex} was not stored whole`);
      }
      return { kind: 'appended' };
    }
    if (result.present !== null) return { kind: 'present', leafIndex: result.present, treeSize: result.tree_size };
    return { kind: 'stale' };
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

/** What {@link PgLogStore.appendOnFrontier} did. */
export type FrontierAppendOutcome =
  | { readonly kind: 'appended' }
  | { readonly kind: 'present'; readonly leafIndex: number; readonly treeSize: number }
  | { readonly kind: 'stale' };

interface FrontierAppendRow {
  readonly present: number | null;
  readonly moved: number | null;
  readonly leaves: number;
  readonly nodes: number;
  readonly tree_size: number;
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
