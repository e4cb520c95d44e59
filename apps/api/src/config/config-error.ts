/**
 * The environment does not describe a runnable API. Code `CONFIG_INVALID`; the message names the
 * variable and what is expected, never its value (some variables hold secrets).
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
