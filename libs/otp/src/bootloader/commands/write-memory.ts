import { Opcode } from '../an3155.js';
import { encodeAddress, encodeWriteData } from '../frames.js';
import { type BootloaderLink } from '../link.js';
import { sendCommand } from './send-command.js';

/**
 * One Write Memory (0x31), AN3155 §3.6: command → ACK, address + XOR → ACK, N + data + checksum →
 * ACK after programming. `bytes` is 4…256 bytes, a multiple of 4 (checked by the caller).
 * The final ACK proves nothing about what the device holds (docs/hardware.md §cmd-write-memory): only a read-back does.
 */
export async function writeMemoryCommand(link: BootloaderLink, address: number, bytes: Uint8Array): Promise<void> {
  const { timing } = link;
  await sendCommand(link, Opcode.WRITE_MEMORY);
  await link.send(encodeAddress(address), 'address', Opcode.WRITE_MEMORY);
  await link.expectAck('address', Opcode.WRITE_MEMORY, timing.replyTimeoutMs(6));
  const frame = encodeWriteData(bytes);
  await link.send(frame, 'data', Opcode.WRITE_MEMORY);
  const ackTimeoutMs = timing.replyTimeoutMs(frame.length + 1) + timing.programTimeMs(bytes.length);
  await link.expectAck('data', Opcode.WRITE_MEMORY, ackTimeoutMs);
}
