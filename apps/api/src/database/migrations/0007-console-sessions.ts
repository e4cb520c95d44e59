// The web console's sessions (docs/console.md): a signed-in browser holds a random session id in an
// HttpOnly cookie; the database keeps only its SHA-256, the API token it was opened with (revoking
// the token ends its sessions: they are read through the token), the CSRF token the page echoes on
// every state-changing request, and when it expires (absolute) or was last used (idle timeout).
import type { SqlMigration } from './sql-migration.js';

export const consoleSessionsMigration: SqlMigration = {
  statements: [
    `create table console_sessions (
      id_hash bytea primary key constraint console_sessions_id_hash_check check (octet_length(id_hash) = 32),
      token_id uuid not null constraint console_sessions_token_fkey references api_tokens (id) on delete cascade,
      csrf_token text not null constraint console_sessions_csrf_token_check check (length(csrf_token) >= 32),
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null
    )`,
    `create index console_sessions_token_id_idx on console_sessions (token_id)`,
    `create index console_sessions_expires_at_idx on console_sessions (expires_at)`,
  ],
};
