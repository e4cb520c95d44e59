import { Opcode } from '../an3155.js';
import { BootloaderBadReplyError } from '../errors.js';
import { type BootloaderLink } from '../link.js';
import { expectTrailingAck, sendCommand } from './send-command.js';

/** What Get reports: the bootloader version and the opcodes it supports. */
export interface BootloaderInfo {
  /** Protocol version byte, e.g. 0x31 for v3.1. */
  readonly version: number;
  /** Supported command opcodes in the order the device listed them. */
  readonly commands: readonly number[];
}

/**
 * Get (0x00), AN3155 §3.1: H `00 FF` → D `79 N ver c0…c(N-1) 79`, N + 1 bytes after N.
 * A reply with N = 0 (no command at all) is rejected as malformed.
 */
export async function getCommand(link: BootloaderLink): Promise<BootloaderInfo> {
  await sendCommand(link, Opcode.GET);
  const [n = 0] = await link.receive(1, link.timing.replyTimeoutMs(1), 'reply', Opcode.GET);
  if (n < 1) throw new BootloaderBadReplyError('reply', Opcode.GET, `command count byte N = ${n}`);
  const body = await link.receive(n + 1, link.timing.replyTimeoutMs(n + 1), 'reply', Opcode.GET);
  await expectTrailingAck(link, Opcode.GET);
  return { version: body[0] ?? 0, commands: [...body.subarray(1)] };
}
