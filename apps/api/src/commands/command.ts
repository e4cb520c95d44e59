import type { ParseArgsConfig } from 'node:util';

/** Where a command reads its environment and writes its output (process streams in production). */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  out(text: string): void;
  err(text: string): void;
}

/** Parsed option values, as node:util parseArgs returns them. */
export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** One command of a group, e.g. `hsm init`. Returns the process exit code. */
export interface AdminCommand {
  readonly name: string;
  readonly summary: string;
  /** Usage line after `ingrain-admin <group> <name>`. */
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(values: OptionValues, io: CliIo): Promise<number>;
}

/** A group of commands, e.g. `hsm` (later `token` for API tokens). */
export interface CommandGroup {
  readonly name: string;
  readonly summary: string;
  readonly commands: readonly AdminCommand[];
}
