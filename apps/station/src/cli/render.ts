import {
  type CycleError,
  type CycleProgressEvent,
  type CycleResultJson,
  CYCLE_PHASES,
  type DecodedField,
  type DeviceReadoutJson,
  getProfile,
  type PlanConflictJson,
  type VerifyMismatchJson,
} from '#ingrain/otp';
import { fieldConflictLine, type FieldConflictView } from './field-conflicts.js';
import { type PlanViewJson, renderPlanView } from './plan-view.js';

/** What the CLI adds to a cycle's result: conflicts by layout field, a dry run's plan. */
export interface CycleReportExtras {
  readonly fieldConflicts?: FieldConflictView;
  readonly plannedWrites?: PlanViewJson;
}

const OUTCOME_MARK: Record<CycleResultJson['outcome'], string> = {
  provisioned: '✔',
  'already-provisioned': '✔',
  planned: '•',
  conflict: '✘',
  'verify-failed': '✘',
  'wrong-device': '✘',
  'link-error': '✘',
  protected: '✘',
};

const NEXT_STEP: Partial<Record<CycleResultJson['outcome'], string>> = {
  conflict: 'The chip holds data that cannot become the target. It is final: quarantine the chip; do not retry.',
  'verify-failed': 'The read-back differs from the target; nothing was locked. Quarantine the chip and investigate.',
  'wrong-device': 'The chip is not of the layout family. Check the fixture and the product selection.',
  'link-error': 'The chip is resumable: check the connection and run the same command again.',
  protected:
    'The chip is readout-protected: nothing was read or written, and running again changes nothing. Take the chip out and put it in quarantine.',
};

const hex = (value: number, digits: number): string => `0x${value.toString(16).padStart(digits, '0')}`;
const ms = (value: number): string => value.toFixed(1);
const byteOrHidden = (value: number | null): string => (value === null ? '(secret)' : hex(value, 2));

function chipLine(r: {
  family: string | null;
  productId: number | null;
  bootloaderVersion: number | null;
  uid: string | null;
}): string {
  const family =
    r.family === null ? 'unknown chip' : getProfile(r.family as Parameters<typeof getProfile>[0]).displayName;
  const pid = r.productId === null ? '' : ` PID ${hex(r.productId, 3)}`;
  const version =
    r.bootloaderVersion === null ? '' : ` · bootloader v${r.bootloaderVersion >> 4}.${r.bootloaderVersion & 0xf}`;
  return `${family}${pid}${version}${r.uid === null ? '' : ` · UID ${r.uid}`}`;
}

function conflictLine(c: PlanConflictJson): string {
  switch (c.reason) {
    case 'byte-conflict':
      return `block ${c.block} byte ${c.offsetBytes}: holds ${byteOrHidden(c.actual)}, target ${byteOrHidden(c.expected)}`;
    case 'locked-block-incomplete':
      return `block ${c.block} is locked but still misses ${c.missingBytes} byte(s)`;
    case 'invalid-lock-byte':
      return `lock byte of block ${c.block} holds ${hex(c.actual, 2)} (only 0x00 or 0xFF are legal)`;
    case 'unexpected-lock':
      return `block ${c.block} is locked although the target leaves it open`;
  }
}

function mismatchLine(m: VerifyMismatchJson): string {
  const where = m.region === 'lock' ? `lock byte ${m.offsetBytes}` : `byte ${m.offsetBytes}`;
  return `${where}: read ${byteOrHidden(m.actual)}, expected ${byteOrHidden(m.expected)}`;
}

function errorLine(e: CycleError): string {
  return `${e.code} in phase ${e.phase}${e.stage === null ? '' : ` (stage ${e.stage})`}: ${e.message}`;
}

/** The human report of `ingrain-station program`. */
export function renderCycleReport(r: CycleResultJson, extras: CycleReportExtras = {}): string {
  const lines = [`${OUTCOME_MARK[r.outcome]} ${r.outcome}  ${chipLine(r)}`];
  const locked = r.plan?.blocksToLock ?? [];
  const blocks = locked.length > 0 ? ` [${locked.join(', ')}]` : '';
  lines.push(
    r.outcome === 'planned'
      ? `  would program ${r.plan?.bytesToProgram ?? 0} byte(s) in ${r.plan?.dataChunks ?? 0} chunk(s), then lock ${locked.length} block(s)${blocks}`
      : `  wrote ${r.bytesWritten} byte(s) in ${r.plan?.dataChunks ?? 0} chunk(s); locked ${r.blocksLocked} block(s)${blocks}`,
  );
  const phases = CYCLE_PHASES.map((phase) => `${phase} ${ms(r.durationsMs[phase])}`).join(' · ');
  lines.push(`  time (ms): ${phases} · total ${ms(r.totalMs)}`);
  lines.push(
    `  wire: ${r.wire.bytesSent} bytes sent, ${r.wire.bytesReceived} received, ${r.wire.roundTrips} round trips`,
  );
  if (extras.plannedWrites !== undefined) lines.push(...renderPlanView(extras.plannedWrites));
  const byField = extras.fieldConflicts;
  const conflicts =
    byField === undefined
      ? r.conflicts.map(conflictLine)
      : [
          ...byField.fields.map(fieldConflictLine),
          ...byField.uncovered.flatMap((index) => {
            const conflict = r.conflicts[index];
            return conflict === undefined ? [] : [conflictLine(conflict)];
          }),
        ];
  const details = [...conflicts, ...r.mismatches.slice(0, 16).map(mismatchLine)];
  if (r.mismatches.length > 16) details.push(`… and ${r.mismatches.length - 16} more mismatches (use --json)`);
  if (r.error !== null) details.push(errorLine(r.error));
  lines.push(...details.map((line) => `    - ${line}`));
  const next = NEXT_STEP[r.outcome];
  if (next !== undefined) lines.push(`  ${next}`);
  return lines.join('\n');
}

/** A one-line progress message for the terminal, or undefined for events not worth a line. */
export function renderProgress(event: CycleProgressEvent): string | undefined {
  if (event.type === 'phase-end') return `  ${event.phase.padEnd(8)} ${ms(event.durationMs)} ms`;
  if (event.type === 'chunk-written')
    return `  ${event.phase} chunk ${event.index + 1}/${event.count} @ ${hex(event.address, 8)} (${event.lengthBytes} B, ACKed)`;
  return undefined;
}

function dumpRows(hexText: string, baseAddress: number, rowBytes: number): string[] {
  const rows: string[] = [];
  for (let offset = 0; offset * 2 < hexText.length; offset += rowBytes) {
    const slice = hexText
      .slice(offset * 2, (offset + rowBytes) * 2)
      .replace(/(..)/g, '$1 ')
      .trimEnd();
    rows.push(`  ${hex(baseAddress + offset, 8)}  ${slice}`);
  }
  return rows;
}

/** The human report of `ingrain-station read`: chip, hex dump by block, lock bytes, decoded fields. */
export function renderReadout(r: DeviceReadoutJson, fields: readonly DecodedField[] | undefined): string {
  const profile = getProfile(r.family);
  const lines = [chipLine(r), `OTP data (${profile.blockCount} blocks × ${profile.blockSizeBytes} B, "**" = secret):`];
  lines.push(...dumpRows(r.otpData, profile.otpBaseAddress, profile.blockSizeBytes > 32 ? 32 : profile.blockSizeBytes));
  if (profile.lockBaseAddress !== null) {
    const locks = r.lockBytes.match(/../g) ?? [];
    const locked = locks.flatMap((byte, block) => (byte === '00' ? [block] : []));
    lines.push(`lock bytes: ${locks.join(' ')}  (locked: ${locked.length > 0 ? locked.join(', ') : 'none'})`);
  }
  if (fields !== undefined) {
    lines.push('fields:');
    for (const f of fields) {
      const value = f.secret ? '(secret, not shown)' : JSON.stringify(f.value);
      lines.push(`  ${f.name.padEnd(20)} ${f.state.padEnd(10)} ${value}`);
    }
  }
  return lines.join('\n');
}
