import { decodeImage, deviceReadoutToJson, getProfile, readDeviceOtp, resetIntoBootloader } from '#ingrain/otp';
import { parseReadArgs } from './args.js';
import { withBootloader } from './device-session.js';
import { type CommandIo } from './program-command.js';
import { renderReadout } from './render.js';
import { loadLayoutFile, secretRangesOf } from './target.js';
import { UsageError } from './usage-error.js';

/**
 * `ingrain-station read`: identifies the chip and dumps its OTP and lock bytes (and, with --layout,
 * the decoded fields, secret ones redacted). Writes nothing. Returns the process exit code.
 */
export async function readCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseReadArgs(argv);
  const layout = args.layoutPath === undefined ? undefined : loadLayoutFile(args.layoutPath);
  if (layout !== undefined && args.family !== undefined && layout.family !== args.family)
    throw new UsageError(`--family ${args.family} contradicts the layout's family ${layout.family}`);
  const family = layout?.family ?? args.family;
  const profile = family === undefined ? undefined : getProfile(family);
  const note = (text: string): void => io.stderr(`note: ${text}`);
  const readout = await withBootloader(
    args.port,
    args.baudRate,
    note,
    async (client, { lines }) => {
      if (lines === undefined) return readDeviceOtp(client, profile);
      // With --lines: reset into the bootloader, read, then run the exit sequence whatever happened
      // (read writes nothing: the chip goes back to running its application). No exit part: it
      // stays in its bootloader.
      try {
        await resetIntoBootloader(lines, client);
        return await readDeviceOtp(client, profile);
      } finally {
        await lines
          .exitBootloader()
          .catch((error: unknown) => note(`exit sequence failed: ${(error as Error).message}`));
      }
    },
    args.lines,
  );
  const fields = layout === undefined ? undefined : decodeImage(layout, readout.otpData);
  const json = deviceReadoutToJson(readout, { redact: secretRangesOf(layout) });
  io.stdout(args.json ? JSON.stringify({ ...json, fields }) : renderReadout(json, fields));
  return 0;
}
