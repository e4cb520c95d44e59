import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { TransportSettingsError } from './errors.js';

/** A serial port's termios settings as the kernel reports them (`stty -a` on the open descriptor). */
export interface LineSettings {
  /** Output speed in baud, as reported (undefined if stty printed none). */
  readonly speedBaud: number | undefined;
  readonly dataBits: 5 | 6 | 7 | 8;
  readonly parity: 'none' | 'even' | 'odd';
  readonly stopBits: 1 | 2;
  /** Drop DTR/RTS on the last close (HUPCL). */
  readonly hangUpOnClose: boolean;
  /** Input parity checking (INPCK) and marking of flagged bytes (PARMRK), IGNPAR clear. */
  readonly parityChecked: boolean;
}

/**
 * Runs `stty -F /proc/<pid>/fd/<fd> ARGS`: the tty this process has open as `fd` (termios settings
 * belong to the tty, not to a descriptor). Not the descriptor itself as stty's stdin: the child's
 * runtime would make it blocking, and the description is shared, which breaks the port's reads and
 * its close. The extra open raises DTR/RTS as the port's own open just did; it happens before the
 * fixture's lines are settled (docs/fixtures.md). Resolves with stdout.
 * @throws TransportSettingsError when stty is missing or fails.
 */
export function sttyOnDescriptor(fd: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('stty', ['-F', `/proc/${process.pid}/fd/${fd}`, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) =>
      reject(new TransportSettingsError(`cannot run stty to check the port's settings (${error.message})`)),
    );
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new TransportSettingsError(`stty ${args.join(' ')} failed: ${stderr.trim() || `exit ${code}`}`));
    });
  });
}

/** Parses `stty -a` output (GNU coreutils) into the settings Ingrain relies on. */
export function parseSttyAll(text: string): LineSettings {
  const tokens = new Set(text.split(/[\s;]+/).filter((token) => token !== ''));
  const speed = /speed (\d+) baud/.exec(text)?.[1];
  const has = (flag: string): boolean => tokens.has(flag) && !tokens.has(`-${flag}`);
  const dataBits = (['cs5', 'cs6', 'cs7', 'cs8'] as const).findIndex((flag) => tokens.has(flag));
  const parity = !has('parenb') ? 'none' : has('parodd') ? 'odd' : 'even';
  return {
    speedBaud: speed === undefined ? undefined : Number(speed),
    dataBits: ([5, 6, 7, 8] as const)[dataBits === -1 ? 3 : dataBits] ?? 8,
    parity,
    stopBits: has('cstopb') ? 2 : 1,
    hangUpOnClose: has('hupcl'),
    parityChecked: has('inpck') && has('parmrk') && !has('ignpar'),
  };
}

/** Unix98 pty slaves have majors 136–143 (Linux Documentation/admin-guide/devices.txt). */
const PTY_SLAVE_MAJORS = { first: 136, last: 143 } as const;

/** Whether `path` is a pseudo-terminal (which carries neither parity nor modem lines). */
export async function isPseudoTerminal(path: string): Promise<boolean> {
  try {
    const { rdev } = await stat(path);
    const major = Number((BigInt(rdev) >> 8n) & 0xfffn);
    return major >= PTY_SLAVE_MAJORS.first && major <= PTY_SLAVE_MAJORS.last;
  } catch {
    return false;
  }
}

/** What a port must report after open; a mismatch names the setting. */
export interface ExpectedLineSettings {
  readonly baudRate: number;
  readonly parity: 'none' | 'even' | 'odd';
  /** The port is a pty: the kernel clears PARENB (docs/hardware.md §pty), so parity is not required. */
  readonly pseudoTerminal: boolean;
}

/** Problems of `actual` against `expected`, one phrase each (empty: the port is set up as asked). */
export function settingsProblems(actual: LineSettings, expected: ExpectedLineSettings): string[] {
  const problems: string[] = [];
  if (actual.speedBaud !== undefined && actual.speedBaud !== expected.baudRate)
    problems.push(`speed is ${actual.speedBaud} baud, not ${expected.baudRate}`);
  if (actual.dataBits !== 8) problems.push(`${actual.dataBits} data bits, not 8`);
  if (actual.stopBits !== 1) problems.push(`${actual.stopBits} stop bits, not 1`);
  if (!expected.pseudoTerminal && actual.parity !== expected.parity)
    problems.push(
      `parity is ${actual.parity}, not ${expected.parity} (the adapter or its driver cannot do 8E1, which the ROM bootloader needs: AN3155 §2)`,
    );
  if (actual.hangUpOnClose) problems.push('HUPCL is set (closing the port would drop DTR and RTS)');
  if (expected.parity !== 'none' && !actual.parityChecked)
    problems.push('input parity checking (INPCK, PARMRK, -IGNPAR) did not take effect');
  return problems;
}
