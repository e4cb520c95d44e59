// Runs bin/ingrain-station as an operator would and keeps what it printed and its exit status.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { binPath } from '../../testkit/paths.js';

const run = promisify(execFile);

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `bin/ingrain-station ...args`; a non-zero exit is a result, not an error (a crash still throws). */
export async function runStation(args: readonly string[], timeoutMs: number): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [binPath('ingrain-station'), ...args], {
      timeout: timeoutMs,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
