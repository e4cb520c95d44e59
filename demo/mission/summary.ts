import { renderTextTable, type TextTable } from '../../testkit/tables.js';
import { type VerifierVerdict } from '../../testkit/stack/index.js';
import { displayPath } from './demo-dir.js';
import { type BinTally, type StationTally } from './outcomes.js';

/** Everything the summary shows about one run. */
export interface MissionReport {
  readonly requested: number;
  /** Device state → count, from the API. */
  readonly byState: readonly (readonly [string, number])[];
  /** From the first device request to the last device finished. */
  readonly provisioningMs: number;
  readonly stackStartMs: number;
  readonly fixtures: number;
  readonly baudRate: number;
  readonly stations: readonly StationTally[];
  readonly bins: readonly BinTally[];
  readonly attestations: number;
  readonly bundlePath: string;
  readonly verdict: VerifierVerdict;
}

/** A heading and its indented body. */
export function section(title: string, body: string): string {
  const indented = body
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`.trimEnd()))
    .join('\n');
  return `\n${title}\n${indented}`;
}

function table(table: TextTable): string {
  return renderTextTable(table);
}

function outcomeSection(report: MissionReport): string {
  const rows = report.byState.filter(([state, count]) => count > 0 || state === 'provisioned');
  return section(
    'Devices by outcome (state in the API)',
    table({
      columns: ['state', 'devices'],
      rows: [...rows.map(([s, n]) => [s, String(n)]), ['total', String(report.requested)]],
    }),
  );
}

function timeSection(report: MissionReport): string {
  const provisioned = report.byState.find(([state]) => state === 'provisioned')?.[1] ?? 0;
  const seconds = report.provisioningMs / 1000;
  const perHour = seconds > 0 ? Math.round((provisioned / seconds) * 3600) : 0;
  return section(
    'Time',
    [
      `${provisioned} devices provisioned in ${seconds.toFixed(1)} s (first device request → last device provisioned)`,
      `= ${perHour.toLocaleString('en-US')} devices per hour with ${report.fixtures} fixtures at ${report.baudRate} baud`,
      `(stack start-up before that: ${(report.stackStartMs / 1000).toFixed(1)} s)`,
    ].join('\n'),
  );
}

function stationSection(report: MissionReport): string {
  const rows = report.stations.map((s) => [
    s.id,
    String(s.fixtures),
    String(s.provisioned),
    String(s.failed),
    String(s.chips),
    String(s.failedAttempts),
    s.meanCycleMs === undefined ? '-' : s.meanCycleMs.toFixed(0),
  ]);
  const columns = [
    'station',
    'fixtures',
    'provisioned',
    'failed',
    'chips finished',
    'failed job attempts',
    'mean cycle ms',
  ];
  const retried = report.stations.some((s) => s.failedAttempts > 0)
    ? [
        'A failed job attempt is retried unless its error is final; a link error (a timeout, e.g. under CPU',
        'load) resumes where the cycle stopped, so no byte is written twice. Details: logs/station-<id>.log.',
      ]
    : [];
  return section('Per station', [table({ columns, rows }), ...retried].join('\n'));
}

function binSection(report: MissionReport): string {
  const rows = report.bins.map((b) => [
    b.bin,
    String(b.chips),
    String(b.programmedBytes),
    String(b.lockedBlocks),
    String(b.damagedBytes),
  ]);
  return section(
    'Chips released from the fixtures (simulator feeder), per bin',
    [
      table({
        columns: ['bin', 'chips', 'OTP bytes not blank', 'blocks locked', 'bytes programmed against the rules'],
        rows: rows.length > 0 ? rows : [['(none)', '0', '0', '0', '0']],
      }),
      'The last column must be 0: no byte programmed twice, no lock byte other than 0x00.',
    ].join('\n'),
  );
}

function verifierSection(report: MissionReport): string {
  const { verdict } = report;
  return section(
    'Attestations, checked offline by bin/ingrain-verify',
    [
      `${report.attestations} attestations in the transparency log for this work order, exported to ${displayPath(report.bundlePath)}`,
      `verifier: ${verdict.passed} of ${verdict.total} bundles pass, ${verdict.failed} fail (exit ${verdict.exitCode}): ` +
        (verdict.ok ? 'every signature, certificate chain and log inclusion proof checks out' : 'REJECTED'),
    ].join('\n'),
  );
}

/** The summary sections, in reading order. */
export function renderSummary(report: MissionReport): string {
  return [outcomeSection, timeSection, stationSection, binSection, verifierSection]
    .map((render) => render(report))
    .join('\n');
}

/** Why the run failed, or an empty list when every device was provisioned and verified. */
export function missionProblems(report: MissionReport): string[] {
  const count = (state: string) => report.byState.find(([name]) => name === state)?.[1] ?? 0;
  const problems: string[] = [];
  if (count('provisioned') !== report.requested)
    problems.push(`${report.requested - count('provisioned')} of ${report.requested} devices were not provisioned`);
  if (report.attestations !== count('provisioned'))
    problems.push(`${report.attestations} attestations for ${count('provisioned')} provisioned devices`);
  if (!report.verdict.ok || report.verdict.exitCode !== 0)
    problems.push(`the verifier rejected ${report.verdict.failed} bundle(s)`);
  const damaged = report.bins.reduce((total, bin) => total + bin.damagedBytes, 0);
  if (damaged > 0) problems.push(`${damaged} OTP byte(s) programmed against the rules`);
  return problems;
}
