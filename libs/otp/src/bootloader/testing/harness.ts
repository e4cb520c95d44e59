// Test fixture (not exported from the library): a client wired to a fake device over a memory link.
import { STM32F4, type DeviceProfile } from '../../profiles/index.js';
import { createMemoryLink, type MemoryTransport } from '../../transport/index.js';
import { BootloaderClient, type BootloaderClientOptions } from '../client.js';
import { FakeBootloader, type FakeBootloaderOptions } from './fake-bootloader.js';
import { FakeOtpChip } from './fake-chip.js';

export interface Harness {
  readonly client: BootloaderClient;
  readonly fake: FakeBootloader;
  readonly chip: FakeOtpChip;
  readonly host: MemoryTransport;
  close(): Promise<void>;
}

/** Short margins: the fake answers synchronously, so only deliberate silences ever wait. */
export const TEST_TIMING: BootloaderClientOptions = {
  replyMarginMs: 20,
  programTimePer256BytesMs: 20,
  busyTimeoutMs: 200,
  maxResyncAttempts: 16,
};

export function createHarness(
  options: {
    profile?: DeviceProfile;
    fake?: Partial<FakeBootloaderOptions>;
    client?: BootloaderClientOptions;
    chip?: FakeOtpChip;
  } = {},
): Harness {
  const profile = options.profile ?? STM32F4;
  const chip = options.chip ?? new FakeOtpChip(profile);
  const fake = new FakeBootloader(chip, { productId: profile.productIds[0] ?? 0, ...options.fake });
  const [host, device] = createMemoryLink();
  fake.attach(device);
  const client = new BootloaderClient(host, { ...TEST_TIMING, ...options.client });
  return { client, fake, chip, host, close: () => host.close() };
}
