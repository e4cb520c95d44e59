import { type ModemLines } from '../transport/index.js';
import { type GpiosetHolder } from './gpioset-holder.js';
import { type LineDriver, LineDriverError } from './line-driver.js';

/** The modem-line side of an open serial port (`SerialTransport` has it). */
export interface ModemLineControl {
  setModemLines(lines: ModemLines): Promise<void>;
  sendBreak(durationMs: number): Promise<void>;
}

/** A real fixture: DTR, RTS and BREAK on the adapter's open port; GPIO lines through gpioset. */
export class PortLineDriver implements LineDriver {
  constructor(
    private readonly port: ModemLineControl,
    private readonly gpio: GpiosetHolder | undefined,
  ) {}

  setModemLines(lines: ModemLines): Promise<void> {
    return this.port.setModemLines(lines);
  }

  sendBreak(durationMs: number): Promise<void> {
    return this.port.sendBreak(durationMs);
  }

  setGpio(levels: ReadonlyMap<number, boolean>): Promise<void> {
    if (this.gpio === undefined)
      return Promise.reject(new LineDriverError('the sequence drives GPIO lines but no GPIO chip is configured'));
    return this.gpio.set(levels);
  }

  async close(): Promise<void> {
    await this.gpio?.release();
  }
}
