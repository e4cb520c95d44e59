// The help mechanism of `ingrain-station`: every command has a `CommandHelp`, `--help` / `-h` anywhere
// in its arguments prints it (exit 0, nothing else runs), and the overview lists every command.
// A new command hooks in by exporting its `CommandHelp` and adding a `StationCommand` to main.ts.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `ingrain-station COMMAND --help` prints, and the command's line in the overview. */
export interface CommandHelp {
  readonly name: string;
  /** One line for the overview. */
  readonly summary: string;
  /** The full text: usage lines, each flag, exit codes. */
  readonly text: string;
}

/** A command of `ingrain-station`: its help and how to run it (returns the exit code). */
export interface StationCommand {
  readonly help: CommandHelp;
  readonly run: (argv: readonly string[]) => Promise<number>;
}

/** True when the arguments ask for help (`--help` or `-h`): the command shows it and does nothing else. */
export function asksForHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** The overview: what the tool is, one line per command, the global flags. */
export function renderOverview(commands: readonly StationCommand[]): string {
  const width = Math.max(...commands.map((command) => command.help.name.length));
  const lines = commands.map((command) => `  ${command.help.name.padEnd(width)}  ${command.help.summary}`);
  return [
    'ingrain-station — program and read STM32 OTP over the ROM bootloader (AN3155), and the station worker',
    '',
    'Usage: ingrain-station COMMAND [flags]     ingrain-station COMMAND --help     ingrain-station --version',
    '',
    'Commands:',
    ...lines,
    '',
    'See docs/station.md.',
  ].join('\n');
}

/** The version of the package this code ships in (package.json, found upwards from this file). */
export function stationVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === 'ingrain' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no package.json here: go up
    }
    const parent = dirname(directory);
    if (parent === directory) return 'unknown';
    directory = parent;
  }
}
