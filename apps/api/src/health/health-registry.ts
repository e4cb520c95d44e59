import { Injectable } from '@nestjs/common';

const DEFAULT_TIMEOUT_MS = 2_000;

/** A readiness check: resolves when the dependency answers, rejects (or times out) when it does not. */
export type HealthCheck = () => Promise<unknown>;

export interface CheckResult {
  readonly status: 'ok' | 'failed';
  readonly durationMs: number;
  /** On failure: the error's stable code, `TIMEOUT`, or `FAILED` — never its message (the endpoint is public). */
  readonly error?: string;
}

export interface ReadinessReport {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Readonly<Record<string, CheckResult>>;
}

interface Registration {
  readonly check: HealthCheck;
  readonly timeoutMs: number;
}

class CheckTimeoutError extends Error {
  readonly code = 'TIMEOUT';
}

/**
 * Readiness checks registered by the adapters (database, Redis, HSM…): `/health/ready` runs them
 * all in parallel, each bounded by its timeout. A failed check is reported by name and code; its
 * error is passed to `onFailure` (the caller logs it).
 */
@Injectable()
export class HealthRegistry {
  readonly #checks = new Map<string, Registration>();

  /** Adds a named check. @throws Error when `name` is already registered. */
  register(name: string, check: HealthCheck, options: { timeoutMs?: number } = {}): void {
    if (this.#checks.has(name)) throw new Error(`health check '${name}' is already registered`);
    this.#checks.set(name, { check, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  }

  /** Names of the registered checks. */
  get names(): string[] {
    return [...this.#checks.keys()];
  }

  async run(onFailure: (name: string, error: unknown) => void = () => {}): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.#checks].map(async ([name, registration]) => {
        const result = await runOne(registration, (error) => onFailure(name, error));
        return [name, result] as const;
      }),
    );
    const checks = Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const ok = entries.every(([, result]) => result.status === 'ok');
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}

async function runOne({ check, timeoutMs }: Registration, onFailure: (error: unknown) => void): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { status: 'ok', durationMs: elapsedMs(started) };
  } catch (error) {
    onFailure(error);
    return { status: 'failed', durationMs: elapsedMs(started), error: errorCode(error) };
  } finally {
    clearTimeout(timer);
  }
}

function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : 'FAILED';
}
