// Test glue (not exported from the library): a client wired to libs/simulator's device model over a
// memory link.
import { STM32F4, type DeviceProfile } from '../../profiles/index.js';
import { createMemoryLink, type MemoryTransport } from '../../transport/index.js';
import { BootloaderClient, type BootloaderClientOptions } from '../client.js';
import { type ChipView, WiredDevice, type WiredDeviceOptions } from './wired-device.js';

export interface Harness {
  readonly client: BootloaderClient;
  readonly device: WiredDevice;
  readonly chip: ChipView;
  readonly host: MemoryTransport;
  close(): Promise<void>;
}

/** Short margins: the device answers synchronously, so only deliberate silences ever wait. */
export const TEST_TIMING: BootloaderClientOptions = {
  replyMarginMs: 20,
  programTimePer256BytesMs: 20,
  busyTimeoutMs: 200,
  maxResyncAttempts: 16,
};

/** Options of {@link createHarness}; `chip` wires a new link to an existing chip. */
export interface HarnessOptions {
  readonly profile?: DeviceProfile;
  readonly device?: WiredDeviceOptions;
  readonly client?: BootloaderClientOptions;
  readonly chip?: ChipView;
}

export function createHarness(options: HarnessOptions = {}): Harness {
  return wire(
    new WiredDevice(options.chip?.profile ?? options.profile ?? STM32F4, options.device, options.chip),
    options,
  );
}

/** Connects a client to `device` over a fresh memory link. */
export function wire<D extends WiredDevice>(device: D, options: { readonly client?: BootloaderClientOptions } = {}) {
  const [host, deviceEnd] = createMemoryLink();
  device.attach(deviceEnd);
  const client = new BootloaderClient(host, { ...TEST_TIMING, ...options.client });
  return { client, device, chip: device.chip, host, close: () => host.close() };
}
