import { type DeviceTransport } from '#ingrain/otp';
import { type SimulatedDevice } from './simulated-device.js';

/**
 * Serves `device` on one end of a `DeviceTransport` (usually libs/otp's in-memory pair) until that
 * end closes: every received byte goes to the device at once, its replies go back without the
 * wire timing the simulator app adds. Never rejects.
 */
export async function serveOnTransport(device: SimulatedDevice, transport: DeviceTransport): Promise<void> {
  for (;;) {
    let byte: Uint8Array;
    try {
      byte = await transport.read(1, Number.POSITIVE_INFINITY);
    } catch {
      return;
    }
    const replies = device.receive(byte);
    for (const reply of replies) {
      if (reply.bytes.length === 0) continue;
      try {
        await transport.write(reply.bytes);
      } catch {
        return;
      }
    }
  }
}
