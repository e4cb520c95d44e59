// `doctor --lines`: the fixture's entry and exit sequences tested on the chip in the fixture. The
// entry sequence runs, then the survey connects as after a reset; with an exit part, the exit
// sequence runs, what the chip sends is listened to (an application banner), and a single 0x7F
// checks that no bootloader answers any more. Sends no write.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ACK,
  type BootloaderClient,
  DEFAULT_BOOT_DELAY_MS,
  type FixtureLines,
  type LineStep,
  NACK,
  RESET_RESYNC_ATTEMPTS,
  type SerialTransport,
  SYNC_BYTE,
  TransportError,
} from '#ingrain/otp';
import { type DoctorReport, type FixtureSequencesReport, surveyChip } from './doctor-survey.js';

/** How long doctor listens after the exit sequence for what the application sends. */
const LISTEN_AFTER_EXIT_MS = 300;
/** Longest application output kept in the report. */
const MAX_OUTPUT_CHARS = 200;

/** Each step of a sequence as text: `dtr`, `-rts`, `brk`, `17`, `wait 100 ms`. */
export function stepTexts(steps: readonly LineStep[]): string[] {
  return steps.map((step) => {
    if (step.kind === 'wait') return `wait ${step.durationMs} ms`;
    const name = step.line.kind === 'gpio' ? String(step.line.offset) : step.line.kind;
    return `${step.on ? '' : '-'}${name}`;
  });
}

/** Surveys the chip with the fixture's lines, and reports the entry/exit test in `fixtureSequences`. */
export async function surveyWithLines(
  client: BootloaderClient,
  transport: SerialTransport,
  lines: FixtureLines,
  text: string,
  port: string,
  baudRate: number,
): Promise<DoctorReport> {
  const entrySteps = stepTexts(lines.sequences.entry);
  const failed = (reason: string, report: DoctorReport): DoctorReport => ({
    ...report,
    fixtureSequences: {
      status: 'failed',
      sequence: text,
      entry: { steps: entrySteps, bootloaderAnswered: report.bootloader.sync !== null },
      exit: null,
      reason,
    },
  });
  await lines.enterBootloader(); // a line that cannot be driven throws (exit 8)
  await sleep(DEFAULT_BOOT_DELAY_MS);
  const report = await surveyChip(client, port, baudRate, {
    afterReset: true,
    maxResyncAttempts: RESET_RESYNC_ATTEMPTS,
  });
  if (report.bootloader.sync === null)
    return failed(
      'no bootloader answered 0x7F after the entry sequence: it must raise BOOT0 (held through the reset) and pulse NRST; check the polarity (docs/fixtures.md)',
      report,
    );
  const exitSteps = lines.sequences.exit;
  let exit: Extract<FixtureSequencesReport, { status: 'passed' | 'failed' }>['exit'] = null;
  let reason: string | null = null;
  if (exitSteps !== undefined) {
    transport.discardInput();
    await lines.exitBootloader();
    const output = await listen(transport, LISTEN_AFTER_EXIT_MS);
    const bootloaderSilent = !(await bootloaderAnswers(transport));
    exit = { steps: stepTexts(exitSteps), bootloaderSilent, applicationOutput: output };
    if (!bootloaderSilent)
      reason =
        'the bootloader still answers 0x7F after the exit sequence: it must lower BOOT0 before releasing NRST (the chip restarted into its bootloader, or was never reset)';
  }
  return {
    ...report,
    fixtureSequences: {
      status: reason === null ? 'passed' : 'failed',
      sequence: text,
      entry: { steps: entrySteps, bootloaderAnswered: true },
      exit,
      reason,
    },
  };
}

/** What arrives within `ms`, as printable text (control bytes as `.`, CR/LF kept as `\n`); null if nothing. */
async function listen(transport: SerialTransport, ms: number): Promise<string | null> {
  let received: Uint8Array;
  try {
    received = await transport.read(4096, ms);
  } catch (error) {
    received = (error as { received?: Uint8Array }).received ?? new Uint8Array(0);
  }
  if (received.length === 0) return null;
  const text = Buffer.from(received)
    .toString('latin1')
    .replace(/\r\n?/g, '\n')
    .replace(/[^\x20-\x7e\n]/g, '.')
    .trim();
  return text.slice(0, MAX_OUTPUT_CHARS);
}

/** How long one 0x7F may wait for its ACK or NACK (a bootloader answers within a few ms). */
const SYNC_REPLY_MS = 100;

/**
 * Two 0x7F bytes at most, nothing else: a bootloader that just started answers the first with ACK;
 * one still synchronised (never reset) takes the pair as a bad command and answers NACK. Anything
 * else, or silence, is not a bootloader. Sends no 0xFF burst to a running application.
 */
async function bootloaderAnswers(transport: SerialTransport): Promise<boolean> {
  transport.discardInput();
  for (let attempt = 0; attempt < 2; attempt += 1) {
    await transport.write(Uint8Array.of(SYNC_BYTE));
    let reply: Uint8Array;
    try {
      reply = await transport.read(1, SYNC_REPLY_MS);
    } catch (error) {
      if (error instanceof TransportError) continue; // silence: try the second byte
      throw error;
    }
    if (reply[0] === ACK || reply[0] === NACK) return true;
  }
  return false;
}
