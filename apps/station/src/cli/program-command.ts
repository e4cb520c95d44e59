import { cycleResultToJson, getProfile, resetIntoBootloader, runProvisioningCycle } from '#ingrain/otp';
import { parseProgramArgs } from './args.js';
import { withBootloader } from './device-session.js';
import { EXIT_CODES } from './exit-codes.js';
import { fieldConflicts } from './field-conflicts.js';
import { planView } from './plan-view.js';
import { renderCycleReport, renderProgress } from './render.js';
import { renderApplicationStart, startApplication } from './start-application.js';
import { loadProgramTarget } from './target.js';

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * `ingrain-station program`: validates the target first (nothing touches the device on bad input),
 * then runs one provisioning cycle and reports it. Returns the process exit code.
 */
export async function programCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseProgramArgs(argv);
  const target = loadProgramTarget(args);
  const profile = getProfile(target.image.family);
  if (!args.json)
    io.stderr(
      `programming ${args.port} (${profile.displayName}, ${args.baudRate} baud)${args.dryRun ? ', dry run' : ''}`,
    );
  const note = (text: string): void => io.stderr(`note: ${text}`);
  const { result, start } = await withBootloader(
    args.port,
    args.baudRate,
    note,
    async (client, { lines }) => {
      // With --lines: the entry sequence resets the chip into its bootloader first (a chip running
      // its application is silent to 0x7F); no answer then throws (exit 6, nothing was sent).
      if (lines !== undefined) await resetIntoBootloader(lines, client);
      const result = await runProvisioningCycle(client, {
        profile,
        target: target.image,
        dryRun: args.dryRun,
        onProgress: args.json
          ? undefined
          : (event) => {
              const line = renderProgress(event);
              if (line !== undefined) io.stderr(line);
            },
      });
      return { result, start: await startApplication(args.start, result.outcome, client, lines) };
    },
    args.lines,
  );
  const json = cycleResultToJson(result, { redact: target.secretRanges });
  const extras = {
    fieldConflicts: fieldConflicts(result, target.image, target.layout),
    plannedWrites: planView(result, profile, target.image, target.layout),
  };
  const applicationStart = start === undefined ? {} : { applicationStart: start };
  if (args.json) io.stdout(JSON.stringify({ ...json, ...extras, ...applicationStart }));
  else {
    io.stdout(renderCycleReport(json, extras));
    if (start !== undefined) io.stdout(renderApplicationStart(start));
  }
  return EXIT_CODES[result.outcome];
}
