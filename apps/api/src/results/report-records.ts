// What a judged station report leaves in the device history, and how the answer to a repeated
// report is read back from it. Only facts a report may carry: no secret byte (judgeReport refuses
// reports with unmasked secret fields), no station error message (free text), no image.
import { type StationReport } from '#ingrain/contracts';
import type { JsonValue } from '../database/json.js';
import type { DeviceEventRecord } from '../repositories/device-records.js';
import type { Judgement, ReportDiff } from './result-judgement.js';
import type { ProvisioningResult } from './results.schemas.js';

type Quarantine = Extract<Judgement, { verdict: 'quarantined' }>;
type Diff = ProvisioningResult['diff'][number];

/** The report's facts kept with every event it causes (bytesWritten decides whether a release is allowed). */
export function reportDetails(report: StationReport): Record<string, JsonValue> {
  return {
    stationOutcome: report.outcome,
    bytesWritten: report.bytesWritten,
    blocksLocked: report.blocksLocked,
    totalMs: report.totalMs,
    jobId: report.jobId ?? null,
    errorCode: report.error?.code ?? null,
    errorPhase: report.error?.phase ?? null,
    finishedAt: report.finishedAt.toISOString(),
  };
}

function diffJson(diff: readonly ReportDiff[]): JsonValue[] {
  return diff.map((entry) => ({
    region: entry.region,
    offsetBytes: entry.offsetBytes,
    expected: entry.expected,
    actual: entry.actual,
  }));
}

/** Details of a quarantine event: the report's facts and the differences found. */
export function quarantineDetails(report: StationReport, judgement: Quarantine): Record<string, JsonValue> {
  return { ...reportDetails(report), diff: diffJson(judgement.diff), omittedDiffs: judgement.omittedDiffs };
}

/** Sum of `bytesWritten` over every report recorded for the device (ReleaseFacts). */
export function bytesWrittenReported(history: readonly DeviceEventRecord[]): number {
  let total = 0;
  for (const event of history) {
    const written = detailsOf(event)['bytesWritten'];
    if (typeof written === 'number' && Number.isFinite(written) && written > 0) total += written;
  }
  return total;
}

/** The recorded quarantine of a device: its reason and differences, as first answered. */
export function recordedQuarantine(
  history: readonly DeviceEventRecord[],
): { reason: string; diff: Diff[]; omittedDiffs: number } | undefined {
  const event = history.findLast((entry) => entry.toState === 'quarantined');
  if (event === undefined) return undefined;
  const details = detailsOf(event);
  const diff = Array.isArray(details['diff']) ? (details['diff'] as Diff[]) : [];
  const omitted = details['omittedDiffs'];
  return { reason: event.reason ?? '', diff, omittedDiffs: typeof omitted === 'number' ? omitted : 0 };
}

function detailsOf(event: DeviceEventRecord): Readonly<Record<string, JsonValue>> {
  const details = event.details;
  if (details === null || typeof details !== 'object' || Array.isArray(details)) return {};
  return details as Readonly<Record<string, JsonValue>>;
}
