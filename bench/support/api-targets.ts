// The targets of issue 12 item 7 and their verdicts, for bench:api: each measured in the same run
// as the rate or limit it is compared with.

/** How a measurement must relate to its limit to meet the target. */
export type Comparison = 'at least' | 'at most' | 'below';

export interface Target {
  readonly name: string;
  readonly comparison: Comparison;
  readonly limit: number;
  readonly unit: string;
}

export type Verdict = 'met' | 'missed' | 'not measured';

export interface Judged {
  readonly verdict: Verdict;
  /** measured / limit (1 = exactly the limit); undefined when not measured. */
  readonly ratio: number | undefined;
}

/** The verdict of `measured` against `target` (undefined or NaN: not measured). */
export function judge(target: Target, measured: number | undefined): Judged {
  if (measured === undefined || !Number.isFinite(measured)) return { verdict: 'not measured', ratio: undefined };
  const met =
    target.comparison === 'at least'
      ? measured >= target.limit
      : target.comparison === 'at most'
        ? measured <= target.limit
        : measured < target.limit;
  return { verdict: met ? 'met' : 'missed', ratio: measured / target.limit };
}

const SYMBOL: Record<Comparison, string> = { 'at least': '≥', 'at most': '≤', below: '<' };

/** `≥ 50 %`, `≤ 10 CPU ms/device`. */
export function targetText(target: Target): string {
  return `${SYMBOL[target.comparison]} ${target.limit} ${target.unit}`;
}

/** The ratio as the table shows it: `0.31 × limit`, or `–` when not measured. */
export function ratioText(judged: Judged): string {
  return judged.ratio === undefined ? '–' : `${judged.ratio.toFixed(2)} × limit`;
}

export const TARGETS = {
  batchShareOfRaw: { name: 'batched requests vs raw HSM rate', comparison: 'at least', limit: 50, unit: '%' },
  lineCpu: { name: 'CPU per device at the line', comparison: 'at most', limit: 10, unit: 'CPU ms/device' },
  p99AtHalfLoad: { name: 'p99 at half the sustained single-request load', comparison: 'below', limit: 50, unit: 'ms' },
  rssOnPglite: { name: 'API RSS at load on PGlite', comparison: 'below', limit: 300, unit: 'MB' },
} as const satisfies Record<string, Target>;
