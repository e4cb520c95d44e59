import { SerialPort } from 'serialport';
import { SimulatorError } from '#ingrain/simulator';

/** The device's end of a pty, opened with the real serialport binding. */
export interface DevicePort {
  /** Bytes from the host. */
  onData(listener: (chunk: Uint8Array) => void): void;
  write(bytes: Uint8Array): void;
  close(): Promise<void>;
}

/**
 * Opens `path` with serialport (8N1 at `baudRate`: ptys ignore both, docs/hardware.md §pty).
 * @throws SimulatorError SIM_PORT_OPEN_FAILED
 */
export async function openDevicePort(path: string, baudRate: number, log: (line: string) => void): Promise<DevicePort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => {
      if (error === null) resolve();
      else
        reject(new SimulatorError('SIM_PORT_OPEN_FAILED', `cannot open ${path}: ${error.message}`, { cause: error }));
    });
  });
  port.on('error', (error: Error) => log(`serial port ${path}: ${error.message}`));
  return {
    onData: (listener) => port.on('data', (chunk: Buffer) => listener(chunk)),
    write: (bytes) => {
      port.write(Buffer.from(bytes));
    },
    close: () => closePort(port),
  };
}

function closePort(port: SerialPort): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => port.close(() => resolve()));
}
