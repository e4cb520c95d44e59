// The conformance suite against a real STM32 in its ROM bootloader, when one is attached:
//   INGRAIN_CONFORMANCE_PORT=/dev/ttyUSB0 INGRAIN_CONFORMANCE_FAMILY=stm32f4 (stm32f2|f4|f7|l4)
//   INGRAIN_CONFORMANCE_BAUD=115200 (optional)
//   INGRAIN_CONFORMANCE_WRITE=1 (optional: ALSO programs and locks one blank OTP block, for good)
//   INGRAIN_CONFORMANCE_LINES='dtr&rts,-rts:-dtr&rts,-rts' (optional: the fixture's sequence; its entry
//   resets the chip into the bootloader after each open, docs/fixtures.md); DTR/RTS/BREAK only: a GPIO holder would outlive the suite
// Without INGRAIN_CONFORMANCE_WRITE=1 the suite only reads. Without a port it is skipped, and says so.
import { setTimeout as sleep } from 'node:timers/promises';
import { CHIP_FAMILIES, type ChipFamily, openFixtureLines, parseLineSequences, SerialTransport } from '#ingrain/otp';
import { bootloaderConformance } from './bootloader-conformance.js';

const port = process.env['INGRAIN_CONFORMANCE_PORT'];
const familyText = process.env['INGRAIN_CONFORMANCE_FAMILY'];
const baudRate = Number(process.env['INGRAIN_CONFORMANCE_BAUD'] ?? 115_200);
const allowWrites = process.env['INGRAIN_CONFORMANCE_WRITE'] === '1';
const sequenceText = process.env['INGRAIN_CONFORMANCE_LINES'];

/** Opens the port; with a sequence, resets the chip into its bootloader first (as the station does). */
async function openBoard(path: string): Promise<SerialTransport> {
  const transport = await SerialTransport.open({ path, baudRate });
  if (sequenceText === undefined || sequenceText === '') return transport;
  const lines = await openFixtureLines({ sequences: parseLineSequences(sequenceText), port: transport });
  await lines.enterBootloader();
  await sleep(100); // bootloader start-up (docs/hardware.md §sync)
  return transport;
}

const skip =
  port === undefined || port === ''
    ? 'no board: set INGRAIN_CONFORMANCE_PORT (and INGRAIN_CONFORMANCE_FAMILY) to run the suite against a real STM32'
    : undefined;

bootloaderConformance(
  `bootloader conformance: real board on ${port ?? '(no port)'}${allowWrites ? ' (WRITES OTP)' : ' (reads only)'}`,
  () => {
    if (!CHIP_FAMILIES.includes(familyText as ChipFamily)) {
      throw new Error(`INGRAIN_CONFORMANCE_FAMILY must be one of ${CHIP_FAMILIES.join(', ')}, got ${familyText}`);
    }
    if (!Number.isInteger(baudRate) || baudRate <= 0) throw new Error('INGRAIN_CONFORMANCE_BAUD must be a baud rate');
    return Promise.resolve({
      family: familyText as ChipFamily,
      freshAtFirstOpen: false, // the board may still be synchronised from an earlier run
      allowWrites,
      strictRanges: false,
      replyTimeoutMs: 1_000,
      open: () => openBoard(port ?? ''),
    });
  },
  skip === undefined ? {} : { skip },
);
