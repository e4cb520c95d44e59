import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChipFamily } from '#ingrain/otp';
import { type DeviceState, deviceStateSchema } from '#ingrain/simulator';
import { SimulatorError } from '#ingrain/simulator';

/**
 * Saved chips in a directory, one JSON file per device slot (`<family>-<index>.json`), so a
 * restarted simulator with the same directory, family and count resumes the same chips.
 */
export class StateFileStore {
  constructor(readonly directory: string) {
    mkdirSync(directory, { recursive: true });
  }

  pathFor(family: ChipFamily, index: number): string {
    return join(this.directory, `${family}-${index}.json`);
  }

  /** The saved chip of a slot, or undefined when there is none. @throws SIM_STATE_INVALID */
  load(family: ChipFamily, index: number): DeviceState | undefined {
    const path = this.pathFor(family, index);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SimulatorError('SIM_STATE_INVALID', `cannot read ${path}`, { cause: error });
    }
    return parseState(path, text);
  }

  /**
   * Saves a slot synchronously and atomically (temp file + rename), so a reply the host sees
   * after a write is never ahead of the file.
   */
  save(family: ChipFamily, index: number, state: DeviceState): void {
    const path = this.pathFor(family, index);
    const temporaryPath = `${path}.${process.pid}.tmp`;
    writeFileSync(temporaryPath, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(temporaryPath, path);
  }
}

function parseState(path: string, text: string): DeviceState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SimulatorError('SIM_STATE_INVALID', `${path} is not JSON`, { cause: error });
  }
  const parsed = deviceStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new SimulatorError('SIM_STATE_INVALID', `${path}: ${parsed.error.message}`, { cause: parsed.error });
  }
  return parsed.data;
}
