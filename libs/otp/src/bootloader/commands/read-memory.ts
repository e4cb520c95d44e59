import { Opcode } from '../an3155.js';
import { encodeAddress, encodeReadLength } from '../frames.js';
import { type BootloaderLink } from '../link.js';
import { sendCommand } from './send-command.js';

/**
 * One Read Memory (0x11), AN3155 §3.4: command → ACK, address + XOR → ACK, N + ~N → ACK, then
 * N + 1 data bytes (no checksum). `lengthBytes` is 1…256 (the caller splits longer reads).
 * A NACK at the command stage also means readout protection is active.
 */
export async function readMemoryCommand(
  link: BootloaderLink,
  address: number,
  lengthBytes: number,
): Promise<Uint8Array> {
  const { timing } = link;
  await sendCommand(link, Opcode.READ_MEMORY);
  await link.send(encodeAddress(address), 'address', Opcode.READ_MEMORY);
  await link.expectAck('address', Opcode.READ_MEMORY, timing.replyTimeoutMs(6));
  await link.send(encodeReadLength(lengthBytes), 'length', Opcode.READ_MEMORY);
  await link.expectAck('length', Opcode.READ_MEMORY, timing.replyTimeoutMs(3));
  return link.receive(lengthBytes, timing.replyTimeoutMs(lengthBytes), 'data', Opcode.READ_MEMORY);
}
