import { parseArgs } from 'node:util';
import type { AdminCommand, CliIo, CommandGroup } from './command.js';
import { AdminError } from './errors.js';
import { hsmCommands } from './hsm/hsm-commands.js';
import { tokenCommands } from './token/token-commands.js';
import { trustRootCommands } from './trust-root/trust-root-commands.js';

/** Command groups of ingrain-admin. A new group is one more entry here. */
export const COMMAND_GROUPS: readonly CommandGroup[] = [hsmCommands, tokenCommands, trustRootCommands];

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** Usage text of the whole CLI or of one group. */
export function usage(group?: CommandGroup): string {
  const groups = group === undefined ? COMMAND_GROUPS : [group];
  const lines = ['usage: ingrain-admin <group> <command> [options]', ''];
  for (const { name, summary, commands } of groups) {
    lines.push(`${name}: ${summary}`);
    for (const command of commands)
      lines.push(`  ${name} ${command.name} ${command.usage}`, `      ${command.summary}`);
  }
  return lines.join('\n');
}

/**
 * Runs `ingrain-admin argv…` and returns the exit code: 0 success, 1 failure, 2 usage error.
 * Errors print as `error [CODE]: message` (no stack: messages are written to be read, and never
 * carry a PIN).
 */
export async function runAdminCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [groupName, commandName, ...rest] = argv;
  if (groupName === undefined) {
    io.err(`${usage()}\n`);
    return EXIT_USAGE;
  }
  if (groupName === '--help' || groupName === '-h' || groupName === 'help') {
    io.out(`${usage()}\n`);
    return 0;
  }
  const group = COMMAND_GROUPS.find((candidate) => candidate.name === groupName);
  const command = group?.commands.find((candidate) => candidate.name === commandName);
  if (group === undefined || command === undefined) {
    const what =
      group === undefined ? `unknown command group '${groupName}'` : `unknown command '${commandName ?? ''}'`;
    io.err(`error [ADMIN_USAGE]: ${what}\n${usage(group)}\n`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(parseOptions(group, command, rest), io);
  } catch (error) {
    io.err(`${describeError(error)}\n`);
    return error instanceof AdminError && error.code === 'ADMIN_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  }
}

function parseOptions(group: CommandGroup, command: AdminCommand, args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: command.options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // A positional argument is echoed by parseArgs; it might be a PIN typed by mistake.
    const positional = (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL';
    const reason = positional
      ? 'positional arguments are not accepted (not shown)'
      : error instanceof Error
        ? error.message
        : 'invalid arguments';
    throw new AdminError(
      'ADMIN_USAGE',
      `${reason}\nusage: ingrain-admin ${group.name} ${command.name} ${command.usage}`,
    );
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string') {
    return `error [${(error as Error & { code: string }).code}]: ${error.message}`;
  }
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}
