// The conformance suite against the simulator over a real pty (socat), through the real serialport
// binding and libs/otp's SerialTransport at 115200 8E1 (a pty ignores parity), with wire timing; one
// family of each OTP shape (F4, F72x: byte-programmed with lock bytes; L4, G0: double-words).
import { type ChipFamily, SerialTransport } from '#ingrain/otp';
import { startTestSimulator } from '../support/simulator.js';
import { bootloaderConformance } from './bootloader-conformance.js';

const BAUD_RATE = 115_200;

for (const family of ['stm32f4', 'stm32l4', 'stm32f72x', 'stm32g0'] as const satisfies readonly ChipFamily[]) {
  bootloaderConformance(`bootloader conformance: ${family} simulator over a pty`, async () => {
    const simulator = await startTestSimulator({ family, count: 1, baudTiming: BAUD_RATE });
    const port = simulator.devices[0]?.port;
    if (port === undefined) throw new Error('the simulator started no device');
    return {
      family,
      freshAtFirstOpen: true,
      allowWrites: true,
      strictRanges: true,
      replyTimeoutMs: 1_000,
      open: () => SerialTransport.open({ path: port, baudRate: BAUD_RATE }),
      close: () => simulator.close(),
    };
  });
}
