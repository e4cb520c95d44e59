import { SerialPort } from 'serialport';

/** ACK / NACK (AN3155 §2), repeated here so this instrument shares no code with the device. */
const HOST_ACK = 0x79;
const HOST_NACK = 0x1f;

/** A reply that did not arrive in time. */
export class HostTimeoutError extends Error {
  constructor(
    readonly expectedBytes: number,
    readonly received: Uint8Array,
  ) {
    super(`timed out waiting for ${expectedBytes} bytes, got ${received.length}`);
    this.name = 'HostTimeoutError';
  }
}

/**
 * A deliberately minimal AN3155 host over a real serial port, for the simulator's own tests and
 * timing measurements. Not a production client (that is libs/otp): no retries, no policy; every
 * method returns the raw reply so tests can assert on bytes.
 */
export class RawBootloaderHost {
  private buffer: number[] = [];
  private waiter: (() => void) | undefined;

  private constructor(private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      this.buffer.push(...chunk);
      this.waiter?.();
    });
  }

  /** Opens `path` at 115200 baud (8N1: a pty carries no parity, docs/hardware.md §pty). */
  static async open(path: string, baudRate = 115_200): Promise<RawBootloaderHost> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error === null ? resolve() : reject(error))));
    return new RawBootloaderHost(port);
  }

  /** Writes `bytes` without waiting for anything. */
  send(bytes: Iterable<number>): void {
    this.port.write(Buffer.from([...bytes]));
  }

  /** Writes `bytes` and waits for exactly `replyBytes` bytes. @throws HostTimeoutError */
  async exchange(bytes: Iterable<number>, replyBytes: number, timeoutMs = 2000): Promise<Uint8Array> {
    this.send(bytes);
    return this.take(replyBytes, timeoutMs);
  }

  /** Waits for exactly `count` bytes. @throws HostTimeoutError */
  take(count: number, timeoutMs = 2000): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const finish = () => {
        if (this.buffer.length < count) return;
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(Uint8Array.from(this.buffer.splice(0, count)));
      };
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new HostTimeoutError(count, Uint8Array.from(this.buffer.splice(0))));
      }, timeoutMs);
      this.waiter = finish;
      finish();
    });
  }

  /** Whatever arrives within `windowMs` (to prove silence). */
  async drain(windowMs: number): Promise<Uint8Array> {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    return Uint8Array.from(this.buffer.splice(0));
  }

  /** Sends 0x7F; returns the one-byte answer. */
  async sync(): Promise<number> {
    return (await this.exchange([0x7f], 1))[0] ?? -1;
  }

  /** Sends a command frame (opcode, complement) and returns the first answer byte. */
  async command(opcode: number): Promise<number> {
    return (await this.exchange([opcode, opcode ^ 0xff], 1))[0] ?? -1;
  }

  /** Get ID: returns the product ID. @throws Error on NACK */
  async getId(): Promise<number> {
    const reply = await this.exchange([0x02, 0xfd], 5);
    if (reply[0] !== HOST_ACK) throw new Error('Get ID refused');
    return ((reply[2] ?? 0) << 8) | (reply[3] ?? 0);
  }

  /** Read Memory of 1–256 bytes. @throws Error naming the stage that got NACK */
  async readMemory(address: number, lengthBytes: number): Promise<Uint8Array> {
    expectAck(await this.command(0x11), 'read command');
    expectAck((await this.exchange(addressFrame(address), 1))[0], 'read address');
    const n = lengthBytes - 1;
    expectAck((await this.exchange([n, n ^ 0xff], 1))[0], 'read length');
    return this.take(lengthBytes);
  }

  /** Write Memory; returns the final ACK/NACK byte. @throws Error if the command or address is refused */
  async writeMemory(address: number, data: Uint8Array, timeoutMs = 2000): Promise<number> {
    expectAck(await this.command(0x31), 'write command');
    expectAck((await this.exchange(addressFrame(address), 1))[0], 'write address');
    const n = data.length - 1;
    const checksum = data.reduce((acc, byte) => acc ^ byte, n);
    return (await this.exchange([n, ...data, checksum], 1, timeoutMs))[0] ?? -1;
  }

  async close(): Promise<void> {
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}

function expectAck(byte: number | undefined, stage: string): void {
  if (byte === HOST_ACK) return;
  const what = byte === HOST_NACK ? 'NACK' : `0x${(byte ?? -1).toString(16)}`;
  throw new Error(`${stage}: ${what}`);
}

/** 4 address bytes MSB first and their XOR (AN3155 §3.4). */
export function addressFrame(address: number): number[] {
  const bytes = [(address >>> 24) & 0xff, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff];
  return [...bytes, bytes.reduce((acc, byte) => acc ^ byte, 0)];
}
