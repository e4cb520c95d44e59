import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSttyAll, settingsProblems } from './line-settings.js';

// GNU coreutils `stty -a` of a USB adapter opened 8E1 by serialport, PARMRK turned on.
const EVEN = `speed 115200 baud; rows 0; columns 0; line = 0;
intr = ^C; quit = ^\\; erase = ^?; kill = ^U; eof = ^D; eol = <undef>;
-parenb -parodd -cmspar cs8 -hupcl -cstopb cread clocal -crtscts
-ignbrk -brkint -ignpar parmrk inpck -istrip -inlcr -igncr -icrnl -ixon -ixoff
`.replace('-parenb', 'parenb');

describe('line settings read back', () => {
  test('parses speed, frame, HUPCL and parity checking', () => {
    assert.deepEqual(parseSttyAll(EVEN), {
      speedBaud: 115200,
      dataBits: 8,
      parity: 'even',
      stopBits: 1,
      hangUpOnClose: false,
      parityChecked: true,
    });
    assert.equal(parseSttyAll(EVEN.replace('-parodd', 'parodd')).parity, 'odd');
    assert.equal(parseSttyAll(EVEN.replace('cs8', 'cs7')).dataBits, 7);
  });

  test('an adapter without even parity is refused with a reason that says so', () => {
    const noParity = parseSttyAll(EVEN.replace('parenb', '-parenb'));
    const problems = settingsProblems(noParity, { baudRate: 115200, parity: 'even', pseudoTerminal: false });
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /parity is none, not even .*cannot do 8E1/);
  });

  test('a pty may drop parity (kernel rule), but nothing else', () => {
    const pty = parseSttyAll(EVEN.replace('parenb', '-parenb'));
    assert.deepEqual(settingsProblems(pty, { baudRate: 115200, parity: 'even', pseudoTerminal: true }), []);
    const wrong = parseSttyAll(EVEN.replace('115200', '9600').replace('-hupcl', 'hupcl').replace('cs8', 'cs7'));
    assert.equal(settingsProblems(wrong, { baudRate: 115200, parity: 'even', pseudoTerminal: true }).length, 3);
  });
});
