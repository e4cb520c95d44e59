import { tryHexToBytes } from '#ingrain/encoding';
import { type ChipFamily } from '#ingrain/otp';
import { type BootPinLevels, SimulatedDevice } from '#ingrain/simulator';
import { type SimulatorFeeder, startFeeder } from './feeder/simulator-feeder.js';
import { FixtureSlot } from './feeder/fixture-slot.js';
import { type DevicePort, openDevicePort } from './pty/device-port.js';
import { LineControl, parseWiring, type Wiring } from './pty/line-control.js';
import { type PtyPair, openPtyPair } from './pty/socat-pty-pair.js';
import { type ParsedSimulatorOptions, type SimulatorOptions, parseSimulatorOptions } from './simulator-options.js';
import { StateFileStore } from './state/state-file-store.js';
import { type WireTiming, type WireTimingStats } from './timing/timed-emitter.js';

/** One simulated chip reachable over a pty (in feeder mode: the fixture and the chip it holds now). */
export interface SimulatedDeviceHandle {
  /** The pty a host opens (e.g. /dev/pts/7). */
  readonly port: string;
  readonly family: ChipFamily;
  readonly uidHex: string;
  /** The device core: OTP snapshot, damaged bytes, setFaults(), powerCycle(). */
  readonly device: SimulatedDevice;
  /** False while a feeder fixture is empty (its chip budget spent): nothing answers on the port. */
  readonly chipPresent: boolean;
  /** The state file of this chip, when a state directory is used. */
  readonly statePath: string | undefined;
  /** With `baudTiming`: how late reply ends left against the wire model (scheduler accuracy). */
  wireTimingStats(): WireTimingStats | undefined;
  /** With `lineControl`: the fixture's control socket (the station's `sim` line driver connects). */
  readonly lineControl: string | undefined;
}

/** Running simulated devices. */
export interface Simulator {
  readonly devices: readonly SimulatedDeviceHandle[];
  /** The chip handler, in feeder mode (`options.feeder`). */
  readonly feeder?: SimulatorFeeder | undefined;
  /** Closes every port and stops every socat. Idempotent; never throws. */
  close(): Promise<void>;
}

/** The device end of the pty is opened at this rate; ptys ignore it (docs/hardware.md §pty). */
const DEVICE_PORT_BAUD_RATE = 115_200;

interface RunningDevice {
  readonly handle: SimulatedDeviceHandle;
  readonly slot: FixtureSlot;
  /** BOOT0/NRST as the fixture lines drive them now (with `lineControl`). */
  readonly lines: LineControl | undefined;
  /** Sends the chip's own output (an application banner) on the pty. */
  flushOwnOutput(): void;
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
  const wiring = parsed.lineControl === undefined ? undefined : parseWiring(parsed.lineControl.wiring);
  const store = parsed.stateDir === undefined ? undefined : new StateFileStore(parsed.stateDir);
  const started = await Promise.allSettled(
    Array.from({ length: parsed.count }, (_, index) => startDevice(parsed, index, store, wiring)),
  );
  const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(running.map((device) => device.close()));
    throw failure.reason;
  }
  let feeder: SimulatorFeeder | undefined;
  try {
    feeder =
      parsed.feeder === undefined
        ? undefined
        : await startFeeder(parsed, parsed.feeder, running, (index) => {
            // A chip inserted powers up with the pins the fixture's lines drive now.
            const device = createDevice(parsed, index, store, log(parsed), true, running[index]?.lines?.pins);
            setImmediate(() => running[index]?.flushOwnOutput()); // its banner, once it is in the slot
            return device;
          });
  } catch (error) {
    await Promise.all(running.map((device) => device.close()));
    throw error;
  }
  let closing: Promise<void> | undefined;
  const closeAll = async () => {
    await feeder?.close();
    await Promise.all(running.map((device) => device.close()));
  };
  return {
    devices: running.map((device) => device.handle),
    feeder,
    close: () => (closing ??= closeAll()),
  };
}

function log(options: ParsedSimulatorOptions): (line: string) => void {
  return options.log ?? (() => undefined);
}

async function startDevice(
  options: ParsedSimulatorOptions,
  index: number,
  store: StateFileStore | undefined,
  wiring: Wiring | undefined,
): Promise<RunningDevice> {
  const log = options.log ?? (() => undefined);
  const device = createDevice(options, index, store, log, false, wiring && LineControl.initialPins(wiring));
  const pty = await openPtyPair();
  let port: DevicePort;
  try {
    port = await openDevicePort(pty.devicePath, DEVICE_PORT_BAUD_RATE, log);
  } catch (error) {
    await pty.close();
    throw error;
  }
  const slot = new FixtureSlot(index, device, (bytes) => port.write(bytes), wireTiming(options));
  port.onData((chunk) => slot.receive(chunk));
  const flushOwnOutput = () => {
    const own = slot.chipPresent ? slot.chip.takeOutput() : new Uint8Array(0);
    if (own.length > 0) port.write(own);
  };
  let lines: LineControl | undefined;
  if (options.lineControl !== undefined && wiring !== undefined) {
    const socketPath = `${options.lineControl.dir}/fixture-${index}.sock`;
    const chip = () => (slot.chipPresent ? slot.chip : undefined);
    try {
      lines = await LineControl.start(socketPath, wiring, { chip, flushOwnOutput });
    } catch (error) {
      slot.close();
      await port.close().catch(() => undefined);
      await pty.close();
      throw error;
    }
  }
  setImmediate(flushOwnOutput); // a chip that starts its application prints its banner
  const statePath = store?.pathFor(options.family, index);
  log(`device ${index}: ${options.family} uid ${device.uidHex} on ${pty.hostPath}`);
  return {
    lines,
    flushOwnOutput,
    handle: {
      port: pty.hostPath,
      family: options.family,
      get uidHex() {
        return slot.chip.uidHex;
      },
      get device() {
        return slot.chip;
      },
      get chipPresent() {
        return slot.chipPresent;
      },
      statePath,
      wireTimingStats: () => slot.timingStats(),
      lineControl: lines?.socketPath,
    },
    slot,
    close: async () => {
      await lines?.close();
      await closeDevice(slot, port, pty);
    },
  };
}

/** A slot's chip: the saved or configured one, or (`fresh`, feeder mode) a new blank one without faults. */
function createDevice(
  options: ParsedSimulatorOptions,
  index: number,
  store: StateFileStore | undefined,
  log: (line: string) => void,
  fresh = false,
  pins?: BootPinLevels,
): SimulatedDevice {
  const uidHex = fresh ? undefined : options.uids?.[index];
  const device = new SimulatedDevice({
    family: options.family,
    productId: options.productId,
    uid: uidHex === undefined ? undefined : tryHexToBytes(uidHex.toLowerCase()),
    lockedWriteAck: options.lockedWriteAck,
    bootPins: pins === undefined ? undefined : { ...pins, banner: options.lineControl?.banner },
    faults: fresh ? undefined : options.faults,
    state: fresh ? undefined : store?.load(options.family, index),
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
  const { programTimePerByteUs, transferLatencyMs } = options;
  return { baudRate: options.baudTiming, programTimePerByteUs, transferLatencyMs };
}

async function closeDevice(slot: FixtureSlot, port: DevicePort, pty: PtyPair): Promise<void> {
  slot.close();
  await port.close().catch(() => undefined);
  await pty.close().catch(() => undefined);
}
