import { GET_ID_N, Opcode } from '../an3155.js';
import { BootloaderBadReplyError } from '../errors.js';
import { type BootloaderLink } from '../link.js';
import { expectTrailingAck, sendCommand } from './send-command.js';

/**
 * Get ID (0x02), AN3155 §3.3: H `02 FD` → D `79 01 PIDhi PIDlo 79`. Returns the product ID
 * (e.g. 0x413 for F405/407). N must be 1 as on every STM32; anything else is malformed.
 */
export async function getIdCommand(link: BootloaderLink): Promise<number> {
  await sendCommand(link, Opcode.GET_ID);
  const [n = 0] = await link.receive(1, link.timing.replyTimeoutMs(1), 'reply', Opcode.GET_ID);
  if (n !== GET_ID_N) throw new BootloaderBadReplyError('reply', Opcode.GET_ID, `expected N = 1, got ${n}`);
  const [high = 0, low = 0] = await link.receive(2, link.timing.replyTimeoutMs(2), 'reply', Opcode.GET_ID);
  await expectTrailingAck(link, Opcode.GET_ID);
  return (high << 8) | low;
}
