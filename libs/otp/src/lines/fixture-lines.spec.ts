import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ModemLines } from '../transport/index.js';
import { FixtureLines } from './fixture-lines.js';
import { GpiosetHolder } from './gpioset-holder.js';
import { type LineDriver } from './line-driver.js';
import { parseLineSequences } from './line-sequence.js';

/** Records every driver call, with the time since the first, rounded to 50 ms. */
function recordingDriver(): LineDriver & { calls: string[] } {
  const started = performance.now();
  const at = () => Math.round((performance.now() - started) / 50) * 50;
  const calls: string[] = [];
  const modem = (lines: ModemLines) => `${lines.dtr ? '' : '-'}dtr ${lines.rts ? '' : '-'}rts`;
  return {
    calls,
    setModemLines: (lines) => (calls.push(`${at()} ${modem(lines)}`), Promise.resolve()),
    sendBreak: (ms) => (calls.push(`${at()} break ${ms}`), Promise.resolve()),
    setGpio: (levels) => (
      calls.push(`${at()} gpio ${[...levels].map(([k, v]) => `${k}=${+v}`).join(' ')}`),
      Promise.resolve()
    ),
    close: () => Promise.resolve(),
  };
}

describe('FixtureLines', () => {
  test('runs the entry: signals without a pause go out together, "," waits 100 ms, the other modem line keeps its level', async () => {
    const driver = recordingDriver();
    const lines = new FixtureLines(parseLineSequences('dtr&-rts,rts,-rts'), driver);
    await lines.enterBootloader();
    assert.deepEqual(driver.calls, ['0 dtr -rts', '100 dtr rts', '200 dtr -rts']);
  });

  test('after open (DTR and RTS raised by the kernel) the lines the sequences use go to where the exit leaves them', async () => {
    const driver = recordingDriver();
    await new FixtureLines(parseLineSequences('rts&dtr,-rts:-dtr&rts,-rts'), driver).settleAfterOpen();
    assert.deepEqual(driver.calls, ['0 -dtr -rts']);
    const rtsOnly = recordingDriver();
    await new FixtureLines(parseLineSequences('rts,-rts'), rtsOnly).settleAfterOpen();
    assert.deepEqual(rtsOnly.calls, ['0 dtr -rts'], 'DTR, named by no sequence, stays as the open left it');
    const gpioOnly = recordingDriver();
    await new FixtureLines(parseLineSequences('17,-27:-17,27'), gpioOnly).settleAfterOpen();
    assert.deepEqual(gpioOnly.calls, [], 'a GPIO fixture: the open changes nothing we must undo');
  });

  test('GPIO lines are driven as one set (every line the fixture holds); brk pulses; -brk does nothing', async () => {
    const driver = recordingDriver();
    const lines = new FixtureLines(parseLineSequences('17&-27,27&-brk&brk:-17'), driver);
    await lines.enterBootloader();
    await lines.exitBootloader();
    assert.deepEqual(driver.calls, ['0 gpio 17=1 27=0', '100 gpio 17=1 27=1', '100 break 100', '100 gpio 17=0 27=1']);
  });

  test('gpioset holds the lines with --mode=signal on the configured chip', () => {
    const holder = new GpiosetHolder('gpiochip0');
    assert.deepEqual(
      holder.argsFor(
        new Map([
          [27, false],
          [17, true],
        ]),
      ),
      ['--mode=signal', 'gpiochip0', '17=1', '27=0'],
    );
  });

  test('a missing gpioset is a LINE_DRIVER_FAILED error that names the package', async () => {
    const holder = new GpiosetHolder('gpiochip0', '/nonexistent/gpioset');
    await assert.rejects(holder.set(new Map([[17, true]])), { code: 'LINE_DRIVER_FAILED', message: /gpiod package/ });
  });
});
