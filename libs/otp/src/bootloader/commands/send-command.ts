import { encodeCommand } from '../frames.js';
import { type BootloaderLink } from '../link.js';

/** Sends `opcode` + complement and waits for its ACK (AN3155 §3: every command starts so). */
export async function sendCommand(link: BootloaderLink, opcode: number): Promise<void> {
  await link.send(encodeCommand(opcode), 'command', opcode);
  await link.expectAck('command', opcode, link.timing.replyTimeoutMs(3));
}

/** Reads the ACK that closes a reply (Get, Get Version, Get ID end with one; AN3155 §3.1–§3.3). */
export async function expectTrailingAck(link: BootloaderLink, opcode: number): Promise<void> {
  await link.expectAck('reply', opcode, link.timing.replyTimeoutMs(1));
}
