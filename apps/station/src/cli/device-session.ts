import { BootloaderClient, SerialTransport } from '#ingrain/otp';

/** Opens the serial port (8E1), runs `work` with a bootloader client on it, and always closes it. */
export async function withBootloader<T>(
  port: string,
  baudRate: number,
  work: (client: BootloaderClient) => Promise<T>,
): Promise<T> {
  const transport = await SerialTransport.open({ path: port, baudRate });
  try {
    return await work(new BootloaderClient(transport, { baudRate }));
  } finally {
    await transport.close();
  }
}
