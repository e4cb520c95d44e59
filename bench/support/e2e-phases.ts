// Where a device's time goes at a fixture, from the station's own log lines (`time` has millisecond
// resolution): job-started → job-claiming (chip probe and binding lookup) → job-programming (claim)
// → job-reporting (the cycle) → job-released (report spooled and posted, attestation, release
// request) → the fixture's next job-started (queue hand-off). Means, not medians: the phases of a
// job and its hand-off add up to the fixture's period, and means keep that sum.
import { type StationEvent } from '../../testkit/stack/index.js';

export const PHASES = ['chip probe + lookup', 'claim', 'cycle', 'report + release', 'queue hand-off'] as const;
export type Phase = (typeof PHASES)[number];

/** Mean ms per phase over a run's jobs, and the mean time between two jobs' starts at one fixture. */
export interface PhaseMeans {
  readonly phasesMs: Readonly<Record<Phase, number>>;
  readonly periodMs: number;
  /** The cycle's own `totalMs` (chip-finished), mean. */
  readonly cycleTotalMs: number;
  /** Jobs with every step logged (the ones measured). */
  readonly jobs: number;
}

interface JobSteps {
  readonly fixture: string;
  readonly atMs: Partial<Record<string, number>>;
}

const STEPS = ['job-started', 'job-claiming', 'job-programming', 'job-reporting', 'job-released'] as const;

function collectJobs(events: readonly StationEvent[]): JobSteps[] {
  const jobs = new Map<string, JobSteps>();
  for (const entry of events) {
    if (!(STEPS as readonly string[]).includes(entry.event)) continue;
    const { jobId, fixture, time, station } = entry;
    if (typeof jobId !== 'string' || typeof fixture !== 'string' || typeof time !== 'string') continue;
    const key = `${String(station)}/${jobId}`;
    const job = jobs.get(key) ?? { fixture: `${String(station)}/${fixture}`, atMs: {} };
    job.atMs[entry.event] ??= Date.parse(time); // the first attempt's steps
    jobs.set(key, job);
  }
  return [...jobs.values()].filter((job) => STEPS.every((step) => job.atMs[step] !== undefined));
}

const mean = (values: readonly number[]): number =>
  values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;

const at = (job: JobSteps, step: (typeof STEPS)[number]): number => job.atMs[step] ?? Number.NaN;

/** Means of each phase over the run's complete jobs. @throws Error when no job logged every step. */
export function phaseMeans(events: readonly StationEvent[]): PhaseMeans {
  const jobs = collectJobs(events);
  if (jobs.length === 0) throw new Error('no job with every step in the station log');
  const handOffs: number[] = [];
  const periods: number[] = [];
  const byFixture = new Map<string, JobSteps[]>();
  for (const job of jobs) byFixture.set(job.fixture, [...(byFixture.get(job.fixture) ?? []), job]);
  for (const list of byFixture.values()) {
    list.sort((a, b) => at(a, 'job-started') - at(b, 'job-started'));
    for (let i = 1; i < list.length; i++) {
      handOffs.push(at(list[i]!, 'job-started') - at(list[i - 1]!, 'job-released'));
      periods.push(at(list[i]!, 'job-started') - at(list[i - 1]!, 'job-started'));
    }
  }
  const span = (from: (typeof STEPS)[number], to: (typeof STEPS)[number]) =>
    mean(jobs.map((job) => at(job, to) - at(job, from)));
  const cycleTotals = events
    .filter((entry) => entry.event === 'chip-finished' && typeof entry['totalMs'] === 'number')
    .map((entry) => entry['totalMs'] as number);
  return {
    phasesMs: {
      'chip probe + lookup': span('job-started', 'job-claiming'),
      claim: span('job-claiming', 'job-programming'),
      cycle: span('job-programming', 'job-reporting'),
      'report + release': span('job-reporting', 'job-released'),
      'queue hand-off': mean(handOffs),
    },
    periodMs: mean(periods),
    cycleTotalMs: mean(cycleTotals),
    jobs: jobs.length,
  };
}
