/**
 * How a simulated chip models its BOOT0 and NRST pins (AN2606 "boot configuration": the ROM
 * bootloader runs after a reset with BOOT0 high; with BOOT0 low the chip starts from main flash).
 */
export interface BootPinsOptions {
  /** BOOT0 level when the chip is powered (inserted). Default false: it starts its application. */
  readonly boot0High?: boolean;
  /** NRST held low when the chip is powered (the fixture holds it in reset). Default false. */
  readonly resetAsserted?: boolean;
  /**
   * What the application transmits when it starts (a banner), or undefined for a silent one. The
   * simulator sends it on the chip's UART like any reply.
   */
  readonly banner?: string;
}

/** Levels of the two boot pins: BOOT0 high or low, NRST held low (in reset) or released. */
export interface BootPinLevels {
  readonly boot0High: boolean;
  readonly resetAsserted: boolean;
}

/** What the chip runs: its ROM bootloader, its application, or nothing (held in reset, or off). */
export type RunMode = 'bootloader' | 'application' | 'in-reset';
