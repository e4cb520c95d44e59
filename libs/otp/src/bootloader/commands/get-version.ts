import { Opcode } from '../an3155.js';
import { type BootloaderLink } from '../link.js';
import { expectTrailingAck, sendCommand } from './send-command.js';

/** What Get Version reports. */
export interface BootloaderVersionInfo {
  /** Protocol version byte, e.g. 0x31 for v3.1. */
  readonly version: number;
  /** The two option bytes (0x00 0x00 on current parts, kept for compatibility). */
  readonly optionBytes: readonly [number, number];
}

/** Get Version (0x01), AN3155 §3.2: H `01 FE` → D `79 ver opt1 opt2 79`. */
export async function getVersionCommand(link: BootloaderLink): Promise<BootloaderVersionInfo> {
  await sendCommand(link, Opcode.GET_VERSION);
  const [version = 0, option1 = 0, option2 = 0] = await link.receive(
    3,
    link.timing.replyTimeoutMs(3),
    'reply',
    Opcode.GET_VERSION,
  );
  await expectTrailingAck(link, Opcode.GET_VERSION);
  return { version, optionBytes: [option1, option2] };
}
