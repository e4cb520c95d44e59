import type { ApiTokenView, CreatedToken } from '../../tokens/tokens.schemas.js';

function describe(token: ApiTokenView): string {
  const station = token.stationId === null ? '' : `, station ${token.stationId}`;
  return `id ${token.id}, role ${token.role}${station}, name '${token.name}'`;
}

/** Human-readable output of `token create`: the secret on a line of its own, shown once. */
export function formatCreated(token: CreatedToken): string {
  return [
    token.token,
    `  ${describe(token)}`,
    '  Store it now (e.g. in a secret manager): it is shown only once; only its SHA-256 is kept.',
    '',
  ].join('\n');
}

/** Human-readable output of `token list` (never secrets). */
export function formatList(tokens: readonly ApiTokenView[]): string {
  if (tokens.length === 0) return 'no API tokens\n';
  const lines = tokens.map((token) => {
    const state = token.revokedAt === null ? 'active' : `revoked ${token.revokedAt}`;
    const used = token.lastUsedAt === null ? 'never used' : `last used ${token.lastUsedAt}`;
    return `${describe(token)} — ${state}, ${used}`;
  });
  return `${lines.join('\n')}\n`;
}
