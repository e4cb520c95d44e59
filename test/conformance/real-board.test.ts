// The conformance suite against a real STM32 in its ROM bootloader, when one is attached:
//   INGRAIN_CONFORMANCE_PORT=/dev/ttyUSB0 INGRAIN_CONFORMANCE_FAMILY=stm32f4 (stm32f2|f4|f7|l4)
//   INGRAIN_CONFORMANCE_BAUD=115200 (optional)
//   INGRAIN_CONFORMANCE_WRITE=1 (optional: ALSO programs and locks one blank OTP block, for good)
// Without INGRAIN_CONFORMANCE_WRITE=1 the suite only reads. Without a port it is skipped, and says so.
import { CHIP_FAMILIES, type ChipFamily, SerialTransport } from '#ingrain/otp';
import { bootloaderConformance } from './bootloader-conformance.js';

const port = process.env['INGRAIN_CONFORMANCE_PORT'];
const familyText = process.env['INGRAIN_CONFORMANCE_FAMILY'];
const baudRate = Number(process.env['INGRAIN_CONFORMANCE_BAUD'] ?? 115_200);
const allowWrites = process.env['INGRAIN_CONFORMANCE_WRITE'] === '1';

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
      open: () => SerialTransport.open({ path: port ?? '', baudRate }),
    });
  },
  skip === undefined ? {} : { skip },
);
