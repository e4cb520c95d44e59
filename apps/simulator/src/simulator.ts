import { type ChipFamily } from '#ingrain/otp';
import { hexToBytes } from './device/device-state.js';
import { SimulatedDevice } from './device/simulated-device.js';
import { type DevicePort, openDevicePort } from './pty/device-port.js';
import { DeviceLink } from './pty/device-link.js';
import { type PtyPair, openPtyPair } from './pty/socat-pty-pair.js';
import { type ParsedSimulatorOptions, type SimulatorOptions, parseSimulatorOptions } from './simulator-options.js';
import { StateFileStore } from './state/state-file-store.js';
import { type WireTiming, type WireTimingStats } from './timing/timed-emitter.js';

/** One simulated chip reachable over a pty. */
export interface SimulatedDeviceHandle {
  /** The pty a host opens (e.g. /dev/pts/7). */
  readonly port: string;
  readonly family: ChipFamily;
  readonly uidHex: string;
  /** The device core: OTP snapshot, damaged bytes, setFaults(), powerCycle(). */
  readonly device: SimulatedDevice;
  /** The state file of this chip, when a state directory is used. */
  readonly statePath: string | undefined;
  /** With `baudTiming`: how late reply ends left against the wire model (scheduler accuracy). */
  wireTimingStats(): WireTimingStats | undefined;
}

/** Running simulated devices. */
export interface Simulator {
  readonly devices: readonly SimulatedDeviceHandle[];
  /** Closes every port and stops every socat. Idempotent; never throws. */
  close(): Promise<void>;
}

/** The device end of the pty is opened at this rate; ptys ignore it (reference §1). */
const DEVICE_PORT_BAUD_RATE = 115_200;

interface RunningDevice {
  readonly handle: SimulatedDeviceHandle;
  close(): Promise<void>;
}

/**
 * Starts `count` simulated devices, each behind its own socat pty pair and opened with the real
 * serialport binding. Devices with a saved state file in `stateDir` resume that chip.
 * @throws SimulatorError SIM_INVALID_OPTIONS, SIM_SOCAT_MISSING, SIM_PTY_FAILED, SIM_PTY_TIMEOUT,
 *   SIM_PORT_OPEN_FAILED, SIM_STATE_INVALID, SIM_STATE_MISMATCH (anything already started is closed)
 */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const parsed = parseSimulatorOptions(options);
  const store = parsed.stateDir === undefined ? undefined : new StateFileStore(parsed.stateDir);
  const started = await Promise.allSettled(
    Array.from({ length: parsed.count }, (_, index) => startDevice(parsed, index, store)),
  );
  const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(running.map((device) => device.close()));
    throw failure.reason;
  }
  let closing: Promise<void> | undefined;
  return {
    devices: running.map((device) => device.handle),
    close: () => (closing ??= Promise.all(running.map((device) => device.close())).then(() => undefined)),
  };
}

async function startDevice(
  options: ParsedSimulatorOptions,
  index: number,
  store?: StateFileStore,
): Promise<RunningDevice> {
  const log = options.log ?? (() => undefined);
  const device = createDevice(options, index, store, log);
  const pty = await openPtyPair();
  let port: DevicePort;
  try {
    port = await openDevicePort(pty.devicePath, DEVICE_PORT_BAUD_RATE, log);
  } catch (error) {
    await pty.close();
    throw error;
  }
  const link = new DeviceLink(device, (bytes) => port.write(bytes), wireTiming(options));
  port.onData((chunk) => link.receive(chunk));
  const statePath = store?.pathFor(options.family, index);
  log(`device ${index}: ${options.family} uid ${device.uidHex} on ${pty.hostPath}`);
  return {
    handle: {
      port: pty.hostPath,
      family: options.family,
      uidHex: device.uidHex,
      device,
      statePath,
      wireTimingStats: () => link.timingStats(),
    },
    close: () => closeDevice(link, port, pty),
  };
}

function createDevice(
  options: ParsedSimulatorOptions,
  index: number,
  store: StateFileStore | undefined,
  log: (line: string) => void,
): SimulatedDevice {
  const uidHex = options.uids?.[index];
  const device = new SimulatedDevice({
    family: options.family,
    productId: options.productId,
    uid: uidHex === undefined ? undefined : hexToBytes(uidHex.toLowerCase()),
    lockedWriteAck: options.lockedWriteAck,
    faults: options.faults,
    state: store?.load(options.family, index),
    onStateChange: (state) => {
      try {
        store?.save(options.family, index, state);
      } catch (error) {
        log(`device ${index}: cannot save state: ${(error as Error).message}`);
      }
    },
  });
  store?.save(options.family, index, device.exportState());
  return device;
}

function wireTiming(options: ParsedSimulatorOptions): WireTiming | undefined {
  if (options.baudTiming === undefined) return undefined;
  return { baudRate: options.baudTiming, programTimePerByteUs: options.programTimePerByteUs };
}

async function closeDevice(link: DeviceLink, port: DevicePort, pty: PtyPair): Promise<void> {
  link.close();
  await port.close().catch(() => undefined);
  await pty.close().catch(() => undefined);
}
