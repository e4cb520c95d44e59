import { Opcode } from '../an3155.js';
import { encodeAddress } from '../frames.js';
import { type BootloaderLink } from '../link.js';
import { sendCommand } from './send-command.js';

/**
 * Go (0x21), AN3155 §3.5: H `21 DE` → D ACK (NACK under readout protection); H address + XOR → D
 * ACK when the address is valid (NACK otherwise), then the bootloader sets the stack pointer from
 * `address` and jumps to the reset handler at `address + 4`. Nothing more comes from the ROM: from
 * then on the application owns the UART.
 */
export async function goCommand(link: BootloaderLink, address: number): Promise<void> {
  await sendCommand(link, Opcode.GO);
  await link.send(encodeAddress(address), 'address', Opcode.GO);
  await link.expectAck('address', Opcode.GO, link.timing.replyTimeoutMs(6));
}
