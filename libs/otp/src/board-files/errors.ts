import { OtpError } from '../errors.js';

/** One problem of a board file: where it is (`line 4`, `file offset 1024`) and what is wrong. */
export interface BoardFileIssue {
  readonly where: string;
  readonly message: string;
}

/** Most issues one error lists; a file with more gets a count of the rest. */
export const MAX_LISTED_ISSUES = 20;

/**
 * A board file (raw binary, Intel HEX, Motorola S-record) cannot become an OTP image: a malformed
 * record or checksum, overlapping records, a byte addressed outside the OTP area (and its lock bytes),
 * or a lock byte other than 0x00/0xFF. Code `BOARD_FILE_INVALID`. `issues` lists every problem found,
 * each with its line (text formats) or file offset (binary) and, where it has one, its address.
 * Messages never contain a data byte's value.
 */
export class BoardFileError extends OtpError {
  readonly issues: readonly BoardFileIssue[];

  constructor(label: string, issues: readonly BoardFileIssue[]) {
    const listed = issues.slice(0, MAX_LISTED_ISSUES);
    const more = issues.length - listed.length;
    const text = listed.map((issue) => `${issue.where}: ${issue.message}`).join('; ');
    super('BOARD_FILE_INVALID', `${label}: ${text}${more > 0 ? `; and ${more} more` : ''}`);
    this.issues = listed;
  }
}
