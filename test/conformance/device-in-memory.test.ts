// The conformance suite against the simulator's device model in memory (libs/otp's memory link):
// every family, writes included (the chip is made fresh for the run).
import { CHIP_FAMILIES, createMemoryLink, type DeviceTransport } from '#ingrain/otp';
import { SimulatedDevice, serveOnTransport } from '#ingrain/simulator';
import { bootloaderConformance } from './bootloader-conformance.js';

for (const family of CHIP_FAMILIES) {
  bootloaderConformance(`bootloader conformance: ${family} device model in memory`, () => {
    const device = new SimulatedDevice({ family });
    return Promise.resolve({
      family,
      freshAtFirstOpen: true,
      allowWrites: true,
      strictRanges: true,
      replyTimeoutMs: 200,
      clientOptions: { replyMarginMs: 20, programTimePer256BytesMs: 20, busyTimeoutMs: 200 },
      open: (): Promise<DeviceTransport> => {
        const [host, deviceEnd] = createMemoryLink();
        void serveOnTransport(device, deviceEnd);
        return Promise.resolve(host);
      },
    });
  });
}
