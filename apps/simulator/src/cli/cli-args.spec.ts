import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCliArgs, parseFaultFlags } from './cli-args.js';

describe('parseCliArgs', () => {
  test('parses every flag', () => {
    const command = parseCliArgs([
      '--family=stm32f7',
      '--count',
      '3',
      '--baud-timing',
      '115200',
      '--program-time-us',
      '100',
      '--latency-ms',
      '16',
      '--state-dir',
      '/tmp/x',
      '--uid',
      '000102030405060708090A0B',
      '--product-id',
      '0x449',
      '--locked-write',
      'nack',
      '--fault',
      'nack-command=3',
      '--fault',
      'power-loss-after-bytes=0',
    ]);
    assert.deepEqual(command, {
      kind: 'run',
      options: {
        family: 'stm32f7',
        count: 3,
        baudTiming: 115200,
        programTimePerByteUs: 100,
        transferLatencyMs: 16,
        stateDir: '/tmp/x',
        uids: ['000102030405060708090a0b'],
        productId: 0x449,
        lockedWriteAck: false,
        faults: { nackCommand: 3, powerLossAfterBytes: 0 },
      },
    });
  });

  test('defaults are left to startSimulator', () => {
    const command = parseCliArgs(['--family', 'stm32f4']);
    assert.equal(command.kind, 'run');
    if (command.kind === 'run') assert.equal(command.options.count, undefined);
  });

  test('--help wins', () => {
    assert.deepEqual(parseCliArgs(['--help']), { kind: 'help' });
  });

  for (const [argv, flag] of [
    [['--count', '2'], '--family'],
    [['--family', 'stm32h7'], '--family'],
    [['--family', 'stm32f4', '--count', '0'], '--count'],
    [['--family', 'stm32f4', '--count', 'two'], '--count'],
    [['--family', 'stm32f4', '--baud-timing', '300'], '--baud-timing'],
    [['--family', 'stm32f4', '--uid', 'abc'], '--uid'],
    [['--family', 'stm32f4', '--latency-ms', '1'], '--latency-ms'],
    [['--family', 'stm32f4', '--baud-timing', '115200', '--latency-ms', '2000'], '--latency-ms'],
    [['--family', 'stm32f4', '--locked-write', 'maybe'], '--locked-write'],
    [['--family', 'stm32f4', '--fault', 'explode=1'], '--fault'],
    [['--family', 'stm32f4', '--fault', 'nack-command=0'], '--fault'],
    [['--family', 'stm32f4', '--colour'], '--colour'],
  ] as const) {
    test(`rejects ${argv.join(' ')} naming ${flag}`, () => {
      assert.throws(
        () => parseCliArgs(argv),
        (error: Error & { code?: string }) => error.code === 'SIM_CLI_USAGE' && error.message.includes(flag),
      );
    });
  }
});

describe('parseFaultFlags', () => {
  test('maps every CLI fault name', () => {
    assert.deepEqual(
      parseFaultFlags([
        'power-loss-after-bytes=10',
        'drop-rx-byte=1',
        'corrupt-tx-byte=2',
        'nack-command=3',
        'silent-from-command=4',
      ]),
      {
        powerLossAfterBytes: 10,
        dropReceivedByte: 1,
        corruptTransmittedByte: 2,
        nackCommand: 3,
        silentFromCommand: 4,
      },
    );
  });
});
