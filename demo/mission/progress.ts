import { type WorkOrderCounts } from '../../testkit/stack/index.js';

/** One progress line at most every this often (plus the final one). */
const PROGRESS_INTERVAL_MS = 2_000;

/**
 * Prints the work order's counts while devices are provisioned: the first poll, then at most one
 * line every two seconds, and the final counts unless that very line was the last one printed.
 */
export class ProgressPrinter {
  #lastPrintedMs = Number.NEGATIVE_INFINITY;
  #lastPrinted = '';

  constructor(
    private readonly startedMs: number,
    private readonly write: (line: string) => void = (line) => console.log(line),
  ) {}

  /** Called with every poll of the work order. */
  update(counts: WorkOrderCounts): void {
    const now = performance.now();
    if (now - this.#lastPrintedMs >= PROGRESS_INTERVAL_MS) this.#print(counts, now);
  }

  /** Called once with the final counts. */
  finish(counts: WorkOrderCounts): void {
    if (JSON.stringify(counts) !== this.#lastPrinted) this.#print(counts, performance.now());
  }

  #print(counts: WorkOrderCounts, now: number): void {
    this.#lastPrintedMs = now;
    this.#lastPrinted = JSON.stringify(counts);
    this.write(progressLine(counts, now - this.startedMs));
  }
}

/** `   6.0 s   provisioned 12/32   queued 12   claimed  8   failed  0` */
export function progressLine(counts: WorkOrderCounts, elapsedMs: number): string {
  const width = String(counts.planned).length;
  const n = (value: number) => String(value).padStart(width);
  return [
    `${(elapsedMs / 1000).toFixed(1).padStart(6)} s`,
    `provisioned ${n(counts.provisioned)}/${counts.planned}`,
    `queued ${n(counts.queued)}`,
    `claimed ${n(counts.claimed)}`,
    `failed ${n(counts.failed)}`,
  ].join('   ');
}
