import { type DoctorReport, type FixtureSequencesReport } from './doctor-survey.js';

const NEXT_STEP: Record<DoctorReport['verdict'], string> = {
  ready: 'Ready: the chip answers and can be read. `program --dry-run` shows what would be written.',
  protected: 'Readout protection is active: nothing can be read or written. Put the chip in quarantine; do not retry.',
  'unknown-chip': 'The product ID names no family the station knows. Check the part on the board.',
  'no-bootloader':
    'No bootloader answered 0x7F: empty fixture, chip not reset into its bootloader (BOOT0 high, then NRST), wrong port or baud, or a bootloader disabled (RDP level 2). Check in that order.',
  'link-error':
    'The bootloader answered, then the link failed. Check the cable and the adapter, then run doctor again.',
};

/** The human summary of `ingrain-station doctor`. */
export function renderDoctorReport(r: DoctorReport): string {
  const lines = [`doctor ${r.port}: ${r.verdict}`];
  lines.push(`  line        ${r.line.baudRate} baud ${r.line.frame}`);
  lines.push(...renderSequences(r.fixtureSequences));
  if (r.bootloader.version !== null) {
    lines.push(`  bootloader  v${r.bootloader.version} (sync: ${r.bootloader.sync ?? '-'})`);
    lines.push(`  commands    ${r.bootloader.commands.map((c) => `${c.opcode} ${c.name}`).join(', ')}`);
  }
  if (r.chip.productId !== null) {
    lines.push(`  chip        PID ${r.chip.productId} ${r.chip.name ?? '(unknown family)'}`);
  }
  if (r.chip.uid !== null) lines.push(`  UID         ${r.chip.uid}`);
  if (r.chip.flashSizeKb !== null) lines.push(`  flash       ${r.chip.flashSizeKb} KB`);
  lines.push(`  protection  ${r.protection}`);
  if (r.otp !== null) {
    lines.push(`  OTP         ${r.otp.blocks.length} blocks × ${r.otp.blockSizeBytes} B at ${r.otp.baseAddress}`);
    for (const b of r.otp.blocks) {
      const lock = b.lock === null ? '' : `  ${b.lock}`;
      lines.push(
        `    block ${String(b.block).padStart(2)}  ${b.state.padEnd(14)} ${String(b.programmedBytes).padStart(4)} B${lock}`,
      );
    }
  }
  if (r.problem !== null) lines.push(`  problem     ${r.problem.code}: ${r.problem.message}`);
  const sequences = r.fixtureSequences;
  if (sequences.status === 'failed' && r.verdict === 'ready')
    lines.push(`  The chip is readable but the fixture's exit sequence does not work: ${sequences.reason ?? ''}.`);
  else lines.push(`  ${NEXT_STEP[r.verdict]}`);
  return lines.join('\n');
}

/** The fixture lines: not configured, or the entry/exit test with each step and what it showed. */
function renderSequences(s: FixtureSequencesReport): string[] {
  if (s.status === 'not-configured') return ['  fixture     entry/exit sequences not-configured (no --lines)'];
  const out = [`  fixture     entry/exit sequences ${s.status}: ${s.sequence}`];
  out.push(
    `    entry     ${s.entry.steps.join(', ') || '(none)'} → ${s.entry.bootloaderAnswered ? 'bootloader answered' : 'no bootloader answer'}`,
  );
  if (s.exit !== null) {
    out.push(
      `    exit      ${s.exit.steps.join(', ') || '(none)'} → ${s.exit.bootloaderSilent ? 'bootloader silent (application runs)' : 'bootloader still answers'}`,
    );
    if (s.exit.applicationOutput !== null) out.push(`    app said  ${JSON.stringify(s.exit.applicationOutput)}`);
  }
  if (s.reason !== null) out.push(`    reason    ${s.reason}`);
  return out;
}
