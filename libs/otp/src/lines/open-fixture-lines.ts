import { GpiosetHolder } from './gpioset-holder.js';
import { FixtureLines } from './fixture-lines.js';
import { type LineDriver, LineDriverError } from './line-driver.js';
import { type FixtureSequences, gpioOffsetsOf } from './line-sequence.js';
import { type ModemLineControl, PortLineDriver } from './port-line-driver.js';
import { SimLineDriver } from './sim-line-driver.js';

/** How a fixture's lines are reached. */
export interface FixtureLinesOptions {
  readonly sequences: FixtureSequences;
  /** The open port (its DTR, RTS, BREAK). Unused with `simControl`. */
  readonly port: ModemLineControl;
  /** GPIO chip of the sequence's GPIO numbers (`gpiochip0`, or a /dev/gpiochipN path). */
  readonly gpioChip?: string;
  /** A simulated fixture: the simulator's control socket for it (all lines go there). */
  readonly simControl?: string;
}

/**
 * Opens a fixture's line control once its port is open, and settles the lines the open raised
 * (`FixtureLines.settleAfterOpen`). The one entry point the station worker and the CLI share.
 * @throws LineDriverError (GPIO lines without a chip, an unreachable simulator, a refused line).
 */
export async function openFixtureLines(options: FixtureLinesOptions): Promise<FixtureLines> {
  const usesGpio = gpioOffsetsOf(options.sequences).length > 0;
  if (usesGpio && options.gpioChip === undefined && options.simControl === undefined)
    throw new LineDriverError("the sequence drives GPIO lines: configure the fixture's GPIO chip (e.g. gpiochip0)");
  let driver: LineDriver;
  if (options.simControl !== undefined) driver = await SimLineDriver.connect(options.simControl);
  else
    driver = new PortLineDriver(
      options.port,
      usesGpio && options.gpioChip !== undefined ? new GpiosetHolder(options.gpioChip) : undefined,
    );
  const lines = new FixtureLines(options.sequences, driver);
  try {
    await lines.settleAfterOpen();
  } catch (error) {
    await lines.close();
    throw error;
  }
  return lines;
}
