import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '#ingrain/logging';
import { loadStationLogConfig, PinoStationLog } from './station-logger.js';

function logOf() {
  const lines: string[] = [];
  const logger = createLogger(
    { level: 'info', component: 'station', base: { stationId: 'st-1' } },
    {
      write: (line: string) => void lines.push(line),
    },
  );
  return {
    log: new PinoStationLog(logger),
    lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('PinoStationLog', () => {
  test('an event is a line with msg and event, component, stationId and its fields; levels map to pino', () => {
    const { log, lines } = logOf();
    log.write('info', 'chip-finished', { fixture: '/dev/ttyUSB0', deviceId: 'd-1' });
    log.write('warn', 'cycle-link-error', { code: 'BOOTLOADER_TIMEOUT' });
    log.write('error', 'queue-error', { errorCode: 'ECONNREFUSED', errorMessage: 'down' });
    const [first, second, third] = lines();
    assert.deepEqual(
      [
        first?.['msg'],
        first?.['event'],
        first?.['component'],
        first?.['stationId'],
        first?.['deviceId'],
        first?.['level'],
      ],
      ['chip-finished', 'chip-finished', 'station', 'st-1', 'd-1', 30],
    );
    assert.deepEqual([second?.['level'], second?.['code']], [40, 'BOOTLOADER_TIMEOUT']);
    assert.deepEqual([third?.['level'], third?.['code'], third?.['errorCode']], [50, 'ECONNREFUSED', 'ECONNREFUSED']);
    assert.equal(first?.['code'], undefined, 'no code on an event without one');
  });

  test('INGRAIN_LOG_FORMAT is pretty or json; anything else is refused naming the variable', () => {
    assert.deepEqual(loadStationLogConfig({}), { format: undefined, file: undefined });
    assert.deepEqual(loadStationLogConfig({ INGRAIN_LOG_FORMAT: 'json', INGRAIN_LOG_FILE: '/tmp/s.log' }), {
      format: 'json',
      file: '/tmp/s.log',
    });
    assert.throws(() => loadStationLogConfig({ INGRAIN_LOG_FORMAT: 'xml' }), {
      code: 'STATION_CONFIG_INVALID',
      message: /INGRAIN_LOG_FORMAT/,
    });
  });
});
