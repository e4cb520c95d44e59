import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TreeFrontier } from '#ingrain/crypto';
import { VerifierCliError } from '../cli-io.js';

/** What the monitor keeps between runs: the last checkpoint it verified and the tree's frontier there. */
export interface MonitorState {
  readonly checkpointNote: string;
  readonly frontier: TreeFrontier;
}

interface StateFile {
  readonly format: 'ingrain-monitor-state/v1';
  readonly checkpoint: string;
  readonly treeSize: number;
  /** Roots of the complete subtrees at treeSize, largest first, standard base64. */
  readonly frontier: readonly string[];
}

/** The kept state, or undefined when the file does not exist yet (first run). */
export function readMonitorState(cwd: string, path: string): MonitorState | undefined {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VerifierCliError('VERIFY_INPUT_UNREADABLE', `cannot read the state file ${path}`, { cause: error });
  }
  try {
    const file = JSON.parse(text) as StateFile;
    if (file.format !== 'ingrain-monitor-state/v1') throw new Error('unknown format');
    const hashes = file.frontier.map((hash) => new Uint8Array(Buffer.from(hash, 'base64')));
    return { checkpointNote: file.checkpoint, frontier: new TreeFrontier(file.treeSize, hashes) };
  } catch (error) {
    throw new VerifierCliError('VERIFY_INPUT_UNREADABLE', `the state file ${path} is not a monitor state`, {
      cause: error,
    });
  }
}

/** Replaces the state file atomically (write a sibling, then rename over it). */
export function writeMonitorState(cwd: string, path: string, state: MonitorState): void {
  const file: StateFile = {
    format: 'ingrain-monitor-state/v1',
    checkpoint: state.checkpointNote,
    treeSize: state.frontier.size,
    frontier: state.frontier.hashes.map((hash) => Buffer.from(hash).toString('base64')),
  };
  const target = resolve(cwd, path);
  writeFileSync(`${target}.tmp`, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${target}.tmp`, target);
}
