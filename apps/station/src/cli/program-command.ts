import { cycleResultToJson, getProfile, runProvisioningCycle } from '#ingrain/otp';
import { parseProgramArgs } from './args.js';
import { withBootloader } from './device-session.js';
import { EXIT_CODES } from './exit-codes.js';
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
  const result = await withBootloader(args.port, args.baudRate, (client) =>
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
  io.stdout(args.json ? JSON.stringify(json) : renderCycleReport(json));
  return EXIT_CODES[result.outcome];
}
