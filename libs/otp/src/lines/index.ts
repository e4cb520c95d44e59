export { FixtureLines } from './fixture-lines.js';
export { GpiosetHolder } from './gpioset-holder.js';
export { type LineDriver, LineDriverError } from './line-driver.js';
export {
  BREAK_PULSE_MS,
  type FixtureLine,
  type FixtureSequences,
  formatSteps,
  gpioOffsetsOf,
  type GpioLine,
  LineSequenceError,
  type LineStep,
  parseLineSequences,
  SEQUENCE_COMMA_DELAY_MS,
} from './line-sequence.js';
export { type ModemLineControl, PortLineDriver } from './port-line-driver.js';
export { SimLineDriver } from './sim-line-driver.js';
export * from './sim-line-protocol.js';
export { openFixtureLines, type FixtureLinesOptions } from './open-fixture-lines.js';
export { DEFAULT_BOOT_DELAY_MS, RESET_RESYNC_ATTEMPTS, resetIntoBootloader } from './reset-into-bootloader.js';
