import { BootloaderClient, SerialTransport } from '#ingrain/otp';

/**
 * Opens the serial port (8E1), runs `work` with a bootloader client on it, and always closes it.
 * Opening asks the OS for low latency; when the adapter's latency cannot be lowered (or was), `note`
 * gets one line saying so. A port that cannot be opened rejects with `PortOpenError`.
 */
export async function withBootloader<T>(
  port: string,
  baudRate: number,
  note: (text: string) => void,
  work: (client: BootloaderClient) => Promise<T>,
): Promise<T> {
  const transport = await SerialTransport.open({ path: port, baudRate });
  const latency = transport.lowLatency;
  if (latency.state === 'unavailable' || latency.state === 'lowered') note(latency.note);
  try {
    return await work(new BootloaderClient(transport, { baudRate }));
  } finally {
    await transport.close();
  }
}
