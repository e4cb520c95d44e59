import { BootloaderClient, type FixtureLines, openFixtureLines, SerialTransport } from '#ingrain/otp';
import { type CliLines } from './lines-args.js';

/** What a command gets besides the client: the open port and, with `--lines`, the fixture's lines. */
export interface DeviceSession {
  readonly transport: SerialTransport;
  /** Opened and settled (`openFixtureLines`); undefined without `--lines`. Nothing is run on them yet. */
  readonly lines: FixtureLines | undefined;
}

/**
 * Opens the serial port (8E1) and, with `lines`, the fixture's line control (the library's
 * `openFixtureLines`, as the worker does), runs `work` with a bootloader client on it, and always
 * releases the lines and closes the port. Opening asks the OS for low latency; when the adapter's
 * latency cannot be lowered (or was), `note` gets one line saying so. A port that cannot be opened
 * rejects with `PortOpenError`; lines that cannot be driven with `LineDriverError`.
 */
export async function withBootloader<T>(
  port: string,
  baudRate: number,
  note: (text: string) => void,
  work: (client: BootloaderClient, session: DeviceSession) => Promise<T>,
  lines?: CliLines,
): Promise<T> {
  const transport = await SerialTransport.open({ path: port, baudRate });
  const latency = transport.lowLatency;
  if (latency.state === 'unavailable' || latency.state === 'lowered') note(latency.note);
  let fixture: FixtureLines | undefined;
  try {
    if (lines !== undefined)
      fixture = await openFixtureLines({
        sequences: lines.sequences,
        port: transport,
        gpioChip: lines.gpioChip,
        simControl: lines.simControl,
      });
    return await work(new BootloaderClient(transport, { baudRate }), { transport, lines: fixture });
  } finally {
    await fixture?.close();
    await transport.close();
  }
}
