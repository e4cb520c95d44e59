// What bench:api reads from /proc: the API process's resident memory (VmRSS, and its peak VmHWM,
// which writing 5 to /proc/self/clear_refs resets so that each row gets its own peak) and the CPU of
// a local PostgreSQL server's processes (postmaster, its backends and helpers), so that CPU per
// device on PostgreSQL counts the database's share as PGlite's rows do (it runs in the API process).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** Resident memory of a process, bytes (from /proc/<pid>/status). */
export interface ProcMemory {
  readonly rssBytes: number;
  /** Peak resident set since the process started or since the last reset. */
  readonly peakRssBytes: number;
}

/** VmRSS and VmHWM of a /proc/<pid>/status text (values in kB). @throws Error when either line is missing. */
export function parseProcStatus(text: string): ProcMemory {
  const kib = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
    if (match === null) throw new Error(`/proc status has no ${name} line`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/** CPU clock ticks of a /proc/<pid>/stat text: utime + stime, and cutime + cstime (reaped children). */
export interface ProcTicks {
  readonly pid: number;
  readonly ppid: number;
  readonly ownTicks: number;
  readonly reapedChildrenTicks: number;
}

/** Parses /proc/<pid>/stat: the command name is in parentheses and may hold spaces, so split after the last ')'. */
export function parseProcStat(pid: number, text: string): ProcTicks {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name (proc(5)): state ppid … utime stime cutime cstime are fields 14-17, here 11-14.
  const field = (index: number): number => {
    const value = Number(fields[index]);
    if (!Number.isFinite(value)) throw new Error(`/proc/${pid}/stat: field ${index + 3} is not a number`);
    return value;
  };
  return { pid, ppid: field(1), ownTicks: field(11) + field(12), reapedChildrenTicks: field(13) + field(14) };
}

export const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** This process's memory now. */
export function ownMemory(): ProcMemory {
  return parseProcStatus(readFileSync('/proc/self/status', 'utf8'));
}

/** Resets this process's VmHWM to its current RSS; false when the kernel refuses (then sample instead). */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function readStat(pid: number): ProcTicks | undefined {
  try {
    return parseProcStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // it exited meanwhile
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

const numericPids = (): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);

/**
 * The postmaster of the local server listening on `port` (its argv holds `port=<port>`, as
 * testkit/postgres.ts starts it), or undefined.
 */
export function findPostmaster(port: number): number | undefined {
  return numericPids().find((pid) => {
    const cmdline = cmdlineOf(pid);
    return /(^|\/)postgres /.test(cmdline) && cmdline.includes(`port=${port} `);
  });
}

/**
 * CPU ms used so far by a PostgreSQL server: the postmaster, every live child (backends,
 * checkpointer, WAL writer…) and the children it already reaped. Differences between two readings
 * are the server's CPU in between (a child that exits in between is counted when reaped).
 */
export function postgresCpuMs(postmaster: number): number {
  const stats = numericPids().map(readStat);
  let ticks = 0;
  for (const stat of stats) {
    if (stat === undefined) continue;
    if (stat.pid === postmaster) ticks += stat.ownTicks + stat.reapedChildrenTicks;
    else if (stat.ppid === postmaster) ticks += stat.ownTicks;
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
