// Asking the OS for low latency on a USB-serial adapter. Every AN3155 round trip waits for a reply,
// and a USB adapter holds received bytes until its buffer fills or its latency timer expires: 16 ms
// by default on FTDI chips (ftdi_sio), which would cost 16 ms per round trip. ftdi_sio exposes the
// timer in sysfs (`latency_timer`, 1–255 ms); writing 1 there is what `setserial PORT low_latency`
// (TIOCSSERIAL with ASYNC_LOW_LATENCY) does on this driver, without opening the port.
//
// TIOCSSERIAL itself is not used: from Node it is reachable only through the serialport binding's
// `set()`, which in the same call rewrites DTR, RTS and BREAK (TIOCMSET, TIOCCBRK) — on a fixture
// wired to BOOT0/NRST that is a reset — and which drops a TIOCSSERIAL failure without reporting it.
import { readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** The FTDI latency timer we ask for, in ms (ftdi_sio's lowest; its default is 16). */
export const LOW_LATENCY_TIMER_MS = 1;

/** What `requestLowLatency` found and did. */
export interface LowLatencyOutcome {
  /**
   * 'lowered': the timer was above 1 ms and is now 1 ms; 'already-low': it was 1 ms;
   * 'not-applicable': no USB adapter (a pty, an on-board UART); 'unavailable': a USB adapter whose
   * latency this process cannot lower (no knob for its driver, or no permission) — see `note`.
   */
  readonly state: 'lowered' | 'already-low' | 'not-applicable' | 'unavailable';
  /** The tty's name (ttyUSB0, pts/3, …). */
  readonly tty: string;
  /** The kernel driver of the adapter, when sysfs names one (ftdi_sio, cp210x, ch341, cdc_acm, …). */
  readonly driver: string | undefined;
  /** The FTDI latency timer after the request, in ms, when the driver has one. */
  readonly latencyTimerMs: number | undefined;
  /** One line for a log or the CLI: what was done, or why not and what to do. */
  readonly note: string;
}

function driverOf(deviceDir: string): string | undefined {
  try {
    return basename(readlinkSync(join(deviceDir, 'driver')));
  } catch {
    return undefined;
  }
}

function readTimer(file: string): number | undefined {
  try {
    const value = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lowers the adapter's receive latency of the serial port at `path` where the OS allows it: the
 * FTDI latency timer (sysfs `latency_timer`) goes to 1 ms. Touches no modem line and does not open
 * the port. Never throws; the outcome says what happened. `sysfsRoot` is for tests.
 */
export function requestLowLatency(path: string, sysfsRoot = '/sys'): LowLatencyOutcome {
  let device: string;
  try {
    device = realpathSync(path);
  } catch {
    return { state: 'not-applicable', tty: path, driver: undefined, latencyTimerMs: undefined, note: 'no such port' };
  }
  const tty = device.startsWith('/dev/pts/') ? `pts/${basename(device)}` : basename(device);
  const base = { tty, latencyTimerMs: undefined };
  if (tty.startsWith('pts/'))
    return {
      ...base,
      state: 'not-applicable',
      driver: undefined,
      note: `${tty} is a pseudo-terminal: no adapter latency`,
    };
  const deviceDir = join(sysfsRoot, 'class', 'tty', tty, 'device');
  const driver = driverOf(deviceDir);
  const timerFile = join(deviceDir, 'latency_timer');
  const before = readTimer(timerFile);
  if (before === undefined) {
    const usb = tty.startsWith('ttyUSB') || tty.startsWith('ttyACM');
    if (!usb)
      return { ...base, state: 'not-applicable', driver, note: `${tty} (${driver ?? 'no driver'}): not a USB adapter` };
    return {
      ...base,
      state: 'unavailable',
      driver,
      note: `${tty} (${driver ?? 'unknown driver'}): the OS offers no latency setting for this adapter; each reply may wait for its USB transfer (about 1 ms)`,
    };
  }
  if (before <= LOW_LATENCY_TIMER_MS)
    return {
      ...base,
      state: 'already-low',
      driver,
      latencyTimerMs: before,
      note: `${tty}: latency timer ${before} ms`,
    };
  try {
    writeFileSync(timerFile, `${LOW_LATENCY_TIMER_MS}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return {
      ...base,
      state: 'unavailable',
      driver,
      latencyTimerMs: before,
      note:
        `${tty}: latency timer is ${before} ms and cannot be lowered (${code} on ${timerFile}): each reply may wait ${before} ms; ` +
        `as root: echo 1 > ${timerFile}, or a udev rule: ACTION=="add", SUBSYSTEM=="usb-serial", DRIVER=="ftdi_sio", ATTR{latency_timer}="1"`,
    };
  }
  const after = readTimer(timerFile) ?? LOW_LATENCY_TIMER_MS;
  return {
    ...base,
    state: 'lowered',
    driver,
    latencyTimerMs: after,
    note: `${tty}: latency timer ${before} → ${after} ms`,
  };
}
