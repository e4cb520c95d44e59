export { BOARD_FILE_FORMATS, type BoardFileFormat, type BoardRecord } from './board-record.js';
export { BoardFileError, type BoardFileIssue } from './errors.js';
export { type BoardImage, describeOtpArea, placeBoardRecords } from './place-records.js';
export { type BoardFileOptions, boardFileFormatOf, readBoardFile } from './read-board-file.js';
