// Why a serial port did not open, in the operator's terms: no such port, no permission, or held by
// another process (named by pid and command). The serialport binding reports open failures as bare
// message strings, so the reason is found again from the OS: stat, open(2) and /proc.
import {
  constants,
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { TransportIoError } from './errors.js';

/** Why the port did not open. */
export type PortOpenReason = 'not-found' | 'permission-denied' | 'busy' | 'failed';

/** A process holding the port (its lock, or an open descriptor when the port is busy). */
export interface PortHolder {
  readonly pid: number;
  /** The holder's command line (or its short name when the command line is unreadable). */
  readonly command: string;
}

const CODES: Record<PortOpenReason, string> = {
  'not-found': 'TRANSPORT_PORT_NOT_FOUND',
  'permission-denied': 'TRANSPORT_PORT_PERMISSION_DENIED',
  busy: 'TRANSPORT_PORT_BUSY',
  failed: 'TRANSPORT_PORT_OPEN_FAILED',
};

/**
 * The serial port could not be opened: a configuration problem of the station (wrong path, missing
 * group membership, another program on the port), not a link failure: running again does not help.
 * `systemCode` is the errno name found (ENOENT, EACCES, EBUSY, EAGAIN for a lock held), `holders`
 * the processes holding a busy port (empty when none could be found). A `TransportIoError`, as a
 * failed open always was, with a finer code.
 */
export class PortOpenError extends TransportIoError {
  constructor(
    readonly path: string,
    readonly reason: PortOpenReason,
    readonly systemCode: string | undefined,
    readonly holders: readonly PortHolder[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options, CODES[reason]);
  }
}

/** What the operator should do, per reason (one line; the CLI prints it under the error). */
export const PORT_OPEN_REMEDY: Record<PortOpenReason, string> = {
  'not-found': 'check --port: list the adapters with `ls -l /dev/serial/by-id/`, and the cable.',
  'permission-denied':
    'add the user to the port’s group (usually dialout): `sudo usermod -aG dialout $USER`, then log in again.',
  busy: 'stop the process holding the port (another ingrain-station, a terminal program, ModemManager), then run again.',
  failed: 'check that the path is a serial port and that its driver is loaded (`dmesg`).',
};

/** The OS's word for why `path` cannot be opened read-write, or undefined when it now opens. */
function probeErrno(path: string): string | undefined {
  try {
    closeSync(openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK));
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}

/** The binding's message, mapped to an errno name where it carries one. */
function errnoFromMessage(message: string): string | undefined {
  if (/No such file or directory/i.test(message)) return 'ENOENT';
  if (/Permission denied/i.test(message)) return 'EACCES';
  if (/Cannot lock port|Resource temporarily unavailable/i.test(message)) return 'EAGAIN';
  if (/Device or resource busy/i.test(message)) return 'EBUSY';
  return undefined;
}

function reasonOf(errno: string | undefined): PortOpenReason {
  if (errno === 'ENOENT' || errno === 'ENODEV' || errno === 'ENXIO') return 'not-found';
  if (errno === 'EACCES' || errno === 'EPERM') return 'permission-denied';
  if (errno === 'EBUSY' || errno === 'EAGAIN' || errno === 'EWOULDBLOCK') return 'busy';
  return 'failed';
}

function commandOf(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((part) => part !== '');
    if (argv.length > 0) return oneLine(argv.join(' '));
  } catch {
    // fall through to comm
  }
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** A command line on one line, at most 160 characters. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

/** Owner, group and mode of the device, e.g. `root:dialout, mode 0660`, or undefined when unreadable. */
function accessOf(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `${nameOf('/etc/passwd', stat.uid)}:${nameOf('/etc/group', stat.gid)}, mode 0${(stat.mode & 0o777).toString(8)}`;
  } catch {
    return undefined;
  }
}

/** The name of a numeric user or group id from /etc/passwd or /etc/group, else the number. */
function nameOf(file: string, id: number): string {
  try {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((entry) => entry.split(':')[2] === String(id));
    return line?.split(':')[0] ?? String(id);
  } catch {
    return String(id);
  }
}

/** Pids holding a flock(2) on the device's inode (/proc/locks: "1: FLOCK ADVISORY WRITE pid maj:min:inode …"). */
function lockHolders(inode: number): number[] {
  let text: string;
  try {
    text = readFileSync('/proc/locks', 'utf8');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const pid = Number(fields[4]);
    const inodeField = fields[5]?.split(':')[2];
    if (inodeField !== undefined && Number(inodeField) === inode && pid > 0) pids.push(pid);
  }
  return pids;
}

/** Pids (other than this process) with an open descriptor on `device`. */
function openHolders(device: string): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  for (const name of entries) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${name}/fd`);
    } catch {
      continue; // gone, or another user's process
    }
    const holds = fds.some((fd) => {
      try {
        return readlinkSync(`/proc/${name}/fd/${fd}`) === device;
      } catch {
        return false;
      }
    });
    if (holds) pids.push(pid);
  }
  return pids;
}

/** Who holds `path`: the flock holder first; failing that, every other process with it open. */
export function findPortHolders(path: string): PortHolder[] {
  let device: string;
  let inode: number;
  try {
    device = realpathSync(path);
    inode = statSync(device).ino;
  } catch {
    return [];
  }
  const locked = lockHolders(inode).filter((pid) => pid !== process.pid);
  const pids = locked.length > 0 ? locked : openHolders(device);
  return [...new Set(pids)].map((pid) => ({ pid, command: commandOf(pid) }));
}

function describe(path: string, reason: PortOpenReason, errno: string | undefined, holders: PortHolder[]): string {
  const code = errno === undefined ? '' : ` (${errno})`;
  switch (reason) {
    case 'not-found':
      return `cannot open serial port ${path}: no such port${code}`;
    case 'permission-denied': {
      const access = accessOf(path);
      return `cannot open serial port ${path}: permission denied${code}${access === undefined ? '' : `; the port is ${access}`}`;
    }
    case 'busy': {
      const who = holders.map((h) => `pid ${h.pid} (${h.command})`).join(', ');
      return `cannot open serial port ${path}: busy${code}${who === '' ? '' : `, held by ${who}`}`;
    }
    case 'failed':
      return `cannot open serial port ${path}${code}`;
  }
}

/**
 * Classifies a failed open of `path` (`cause` is what the binding threw). Called right after the
 * failure: the port is probed once more with open(2) for the errno, and a busy port's holders are
 * looked up in /proc (the lock in /proc/locks, else open descriptors). Never throws.
 */
export function diagnosePortOpenFailure(path: string, cause: unknown): PortOpenError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const fromMessage = errnoFromMessage(message);
  // A lock held by another process shows only in the binding's message (open(2) itself succeeds).
  const errno = fromMessage === 'EAGAIN' ? fromMessage : (probeErrno(path) ?? fromMessage);
  const reason = reasonOf(errno);
  const holders = reason === 'busy' ? findPortHolders(path) : [];
  return new PortOpenError(path, reason, errno, holders, describe(path, reason, errno, holders), { cause });
}
