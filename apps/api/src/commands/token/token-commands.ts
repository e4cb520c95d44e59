import { z } from 'zod';
import { CreateTokenRequest, TokenId } from '../../tokens/tokens.schemas.js';
import type { AdminCommand, CommandGroup, OptionValues } from '../command.js';
import { AdminError } from '../errors.js';
import { formatCreated, formatList } from './format.js';
import { withTokens } from './open-tokens.js';

function text(value: OptionValues[string]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

// Schema field → command-line option.
const OPTION_NAMES: Readonly<Record<string, string>> = { stationId: 'station-id' };

/** Parses with the API's own schema, so the CLI and POST /v1/tokens accept exactly the same tokens. */
function parseOrUsage<S extends z.ZodType>(schema: S, input: unknown, command: AdminCommand): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? 'arguments');
    return `--${OPTION_NAMES[field] ?? field}: ${issue.message}`;
  });
  throw new AdminError(
    'ADMIN_USAGE',
    `${problems.join('\n')}\nusage: ingrain-admin token ${command.name} ${command.usage}`,
  );
}

const createCommand: AdminCommand = {
  name: 'create',
  summary: 'create an API token and print it once (the first admin token comes from here)',
  usage: '--role admin|mes|station|auditor --name NAME [--station-id ID] [--json]',
  options: {
    role: { type: 'string' },
    name: { type: 'string' },
    'station-id': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, io) {
    const stationId = text(values['station-id']);
    const request = parseOrUsage(
      CreateTokenRequest,
      { name: text(values['name']), role: text(values['role']), ...(stationId === undefined ? {} : { stationId }) },
      createCommand,
    );
    const created = await withTokens(io.env, io.cwd, (tokens) => tokens.create(request));
    io.out(values['json'] === true ? `${JSON.stringify(created, null, 2)}\n` : formatCreated(created));
    return 0;
  },
};

const listCommand: AdminCommand = {
  name: 'list',
  summary: 'list API tokens (ids, roles, use and revocation; never secrets)',
  usage: '[--json]',
  options: { json: { type: 'boolean' } },
  async run(values, io) {
    const { tokens } = await withTokens(io.env, io.cwd, (service) => service.list());
    io.out(values['json'] === true ? `${JSON.stringify(tokens, null, 2)}\n` : formatList(tokens));
    return 0;
  },
};

const revokeCommand: AdminCommand = {
  name: 'revoke',
  summary: 'revoke an API token for good (exit 1 with TOKEN_NOT_FOUND for an unknown id)',
  usage: '--id TOKEN_ID',
  options: { id: { type: 'string' } },
  async run(values, io) {
    const id = parseOrUsage(z.object({ id: TokenId }), { id: text(values['id']) }, revokeCommand).id;
    await withTokens(io.env, io.cwd, (tokens) => tokens.revoke(id));
    io.out(`revoked ${id}\n`);
    return 0;
  },
};

/**
 * `ingrain-admin token …`: API tokens, straight in the API's database (DATABASE_URL or
 * INGRAIN_DATA_DIR, as for the API).
 */
export const tokenCommands: CommandGroup = {
  name: 'token',
  summary: "API tokens in the API's database (DATABASE_URL or INGRAIN_DATA_DIR, as for the API)",
  commands: [createCommand, listCommand, revokeCommand],
};
