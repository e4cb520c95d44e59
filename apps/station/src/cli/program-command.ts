import { cycleResultToJson, getProfile, runProvisioningCycle } from '#ingrain/otp';
import { parseProgramArgs } from './args.js';
import { withBootloader } from './device-session.js';
import { EXIT_CODES } from './exit-codes.js';
import { fieldConflicts } from './field-conflicts.js';
import { planView } from './plan-view.js';
import { renderCycleReport, renderProgress } from './render.js';
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
  const result = await withBootloader(args.port, args.baudRate, note, (client) =>
    runProvisioningCycle(client, {
      profile,
      target: target.image,
      dryRun: args.dryRun,
      onProgress: args.json
        ? undefined
        : (event) => {
            const line = renderProgress(event);
            if (line !== undefined) io.stderr(line);
          },
    }),
  );
  const json = cycleResultToJson(result, { redact: target.secretRanges });
  const extras = {
    fieldConflicts: fieldConflicts(result, target.image, target.layout),
    plannedWrites: planView(result, profile, target.image, target.layout),
  };
  io.stdout(args.json ? JSON.stringify({ ...json, ...extras }) : renderCycleReport(json, extras));
  return EXIT_CODES[result.outcome];
}
