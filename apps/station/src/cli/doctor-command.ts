import { parseArgs } from 'node:util';
import { z } from 'zod';
import { withBootloader } from './device-session.js';
import { surveyWithLines } from './doctor-lines.js';
import { renderDoctorReport } from './doctor-render.js';
import { type DoctorReport, surveyChip } from './doctor-survey.js';
import { EXIT_CODES } from './exit-codes.js';
import { type CommandIo } from './program-command.js';
import { type CliLines, LINE_FLAGS, parseLineFlags } from './lines-args.js';
import { UsageError } from './usage-error.js';

const doctorArgs = z.object({
  port: z.string({ error: '--port is required' }).min(1, '--port is required'),
  baudRate: z.coerce
    .number({ error: '--baud must be a number' })
    .int('--baud must be a whole number')
    .min(1200, '--baud must be at least 1200 (AN3155 range 1200–115200)')
    .max(115_200, '--baud must be at most 115200 (AN3155 range 1200–115200)'),
  json: z.boolean(),
});

/** Exit code per verdict: the chip's own outcome codes (docs/station.md, "doctor"). */
const EXIT_BY_VERDICT: Record<DoctorReport['verdict'], number> = {
  ready: 0,
  protected: EXIT_CODES.protected,
  'unknown-chip': EXIT_CODES['wrong-device'],
  'no-bootloader': EXIT_CODES['link-error'],
  'link-error': EXIT_CODES['link-error'],
};

/**
 * `ingrain-station doctor --port P [--baud B] [--lines SEQ …] [--json]`: the chip summary a line
 * engineer runs first; with `--lines`, the fixture's entry and exit sequences tested too.
 * Read-only: it sends Get, Get ID and Read Memory, never a write. Returns the exit code: the
 * verdict's, except a readable chip whose sequences failed (the exit one) is 8 (configuration).
 */
export async function doctorCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseDoctorArgs(argv);
  const note = (text: string): void => io.stderr(`note: ${text}`);
  const report = await withBootloader(
    args.port,
    args.baudRate,
    note,
    (client, { transport, lines }) =>
      lines === undefined || args.lines === undefined
        ? surveyChip(client, args.port, args.baudRate)
        : surveyWithLines(client, transport, lines, args.lines.text, args.port, args.baudRate),
    args.lines,
  );
  io.stdout(args.json ? JSON.stringify(report) : renderDoctorReport(report));
  if (report.verdict !== 'ready' || report.fixtureSequences.status !== 'failed') return EXIT_BY_VERDICT[report.verdict];
  return EXIT_CODES.configuration;
}

function parseDoctorArgs(argv: readonly string[]): z.infer<typeof doctorArgs> & { lines: CliLines | undefined } {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        baud: { type: 'string', default: '115200' },
        json: { type: 'boolean', default: false },
        ...LINE_FLAGS,
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(`doctor: ${(error as Error).message}`, { cause: error });
  }
  const parsed = doctorArgs.safeParse({ port: values.port, baudRate: values.baud, json: values.json });
  if (!parsed.success) throw new UsageError(`doctor: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return { ...parsed.data, lines: parseLineFlags(values) };
}
