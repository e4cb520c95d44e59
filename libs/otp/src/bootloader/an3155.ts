// Protocol constants of the STM32 ROM bootloader over USART: ST AN3155 (Rev 20), summarised in
// docs/hardware.md (§link, §framing, §commands, §ack-nack). The one home of these values: the
// simulator's device model imports them from here.

/** Sent once by the host so the device can measure the baud rate (AN3155 §2). */
export const SYNC_BYTE = 0x7f;
/** Acknowledge (AN3155 §2). */
export const ACK = 0x79;
/** Not-acknowledge: bad complement/checksum, unknown command, refused address (AN3155 §2). */
export const NACK = 0x1f;
/** Some bootloaders answer BUSY while an operation runs: keep waiting (AN3155 §2, v3.x). */
export const BUSY = 0x76;

/**
 * Byte used to re-synchronise a device in an unknown state. 0xFF never pairs with another 0xFF into
 * a valid command (its complement is 0x00), never makes a valid address or length frame, and, if it
 * lands in a Write Memory data block, programs nothing: OTP programming is old AND new (docs/hardware.md §lock-rules).
 */
export const RESYNC_BYTE = 0xff;

/** Command opcodes (AN3155 §3, docs/hardware.md §commands). */
export const Opcode = {
  GET: 0x00,
  GET_VERSION: 0x01,
  GET_ID: 0x02,
  READ_MEMORY: 0x11,
  GO: 0x21,
  WRITE_MEMORY: 0x31,
  READOUT_PROTECT: 0x82,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** Largest Read/Write Memory transfer: N is one byte and means N+1 bytes (AN3155 §3.4, §3.6). */
export const MAX_TRANSFER_BYTES = 256;
/** Write Memory: N+1 must be a multiple of 4 (AN3155 §3.6). */
export const WRITE_LENGTH_MULTIPLE_BYTES = 4;
/** Get ID: N = 1 on every STM32, i.e. a two-byte product ID follows (AN3155 §3.3). */
export const GET_ID_N = 1;
/** Highest address a 4-byte address frame can carry. */
export const MAX_ADDRESS = 0xffff_ffff;

/** Bits per byte on the wire in 8E1: start + 8 data + parity + stop (AN3155 §2). */
export const BITS_PER_BYTE_8E1 = 11;

/** Where the application's vector table starts on F2/F4/F7/L4: main flash (AN2606, RM0090 §2.4). */
export const FLASH_BASE_ADDRESS = 0x0800_0000;
