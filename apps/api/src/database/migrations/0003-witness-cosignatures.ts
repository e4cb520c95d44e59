// Witnessing (docs/witness.md): the checkpoints the API had cosigned and each witness's
// cosignature line on them, plus the latest size each witness reported it cosigned (its 409
// answers), so a round starts from the right consistency proof.
import type { SqlMigration } from './sql-migration.js';

export const witnessCosignaturesMigration: SqlMigration = {
  statements: [
    `create table witnessed_checkpoints (
      tree_size bigint primary key check (tree_size >= 0),
      note text not null,
      created_at timestamptz not null default now()
    )`,
    `create table witness_cosignatures (
      witness_vkey text not null,
      tree_size bigint not null references witnessed_checkpoints (tree_size),
      signature_line text not null check (signature_line like '— % %'),
      cosigned_at timestamptz not null,
      received_at timestamptz not null default now(),
      primary key (witness_vkey, tree_size)
    )`,
    `create index witness_cosignatures_tree_size on witness_cosignatures (tree_size)`,
    `create table witness_states (
      witness_vkey text primary key,
      tree_size bigint not null check (tree_size >= 0),
      updated_at timestamptz not null default now()
    )`,
  ],
};
