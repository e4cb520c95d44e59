import { inspect } from 'node:util';

const REDACTED = '[redacted PIN]';

/**
 * A user PIN that does not print itself: `String()`, `JSON.stringify()` and `util.inspect()` show
 * `[redacted PIN]`, so a config object that reaches a log line leaks nothing. Only the login code
 * calls {@link HsmPin.reveal}.
 */
export class HsmPin {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The PIN itself, for C_Login only. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
