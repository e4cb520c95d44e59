import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { TransportClosedError, TransportIoError, TransportTimeoutError } from './errors.js';
import { SerialTransport } from './serial-transport.js';

/** Starts `socat` with two linked ptys (this file's own pair) and returns their paths. */
async function startPtyPair(): Promise<{ socat: ChildProcess; paths: [string, string] }> {
  const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const paths: string[] = [];
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socat.kill('SIGTERM');
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`socat did not report two ptys: ${stderr}`)), 5000);
    socat.once('error', fail);
    socat.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const match of stderr.matchAll(/PTY is (\S+)/g))
        if (!paths.includes(match[1] ?? '')) paths.push(match[1] ?? '');
      if (/starting data transfer loop/.test(stderr) && paths.length === 2) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { socat, paths: [paths[0] ?? '', paths[1] ?? ''] };
}

describe('SerialTransport over a pty pair (real serialport binding)', () => {
  let socat: ChildProcess | undefined;
  let host: SerialTransport;
  let device: SerialTransport;
  let hostPath: string;

  before(async () => {
    const pair = await startPtyPair();
    socat = pair.socat;
    hostPath = pair.paths[0];
    // 8E1 is the default; the kernel drops parity on ptys (docs/hardware.md §pty) and the open still works.
    host = await SerialTransport.open({ path: pair.paths[0], baudRate: 115200 });
    device = await SerialTransport.open({ path: pair.paths[1], baudRate: 115200, parity: 'none' });
  });

  after(async () => {
    try {
      await host?.close();
      await device?.close();
    } finally {
      socat?.kill('SIGTERM');
    }
  });

  test('carries bytes both ways', async () => {
    assert.equal(host.baudRate, 115200);
    await host.write(Uint8Array.from([0x7f]));
    assert.deepEqual(await device.read(1, 2000), Uint8Array.from([0x7f]));
    const block = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
    await device.write(block);
    assert.deepEqual(await host.read(600, 2000), block);
  });

  test('settings are read back after open: 8 data bits, 1 stop, HUPCL off, input parity checking on', () => {
    assert.equal(host.pseudoTerminal, true);
    assert.deepEqual(host.lineSettings, {
      speedBaud: 115200,
      dataBits: 8,
      parity: 'none', // the pty cleared PARENB (docs/hardware.md §pty); accepted on a pty only
      stopBits: 1,
      hangUpOnClose: false,
      parityChecked: true,
    });
    assert.equal(device.lineSettings?.parityChecked, false, 'parity none: no PARMRK');
  });

  test('with PARMRK on, data bytes 0xFF arrive once (the kernel doubles them; the transport undoes it)', async () => {
    const block = Uint8Array.from([0xff, 0x00, 0xff, 0xff, 0x7f, 0xff, 0x00, 0x00, 0xff]);
    await device.write(block);
    assert.deepEqual(await host.read(block.length, 2000), block);
  });

  test('a pty has no modem lines: setting DTR/RTS is refused (ENOTTY), so line sequences need another channel', async () => {
    await assert.rejects(host.setModemLines({ dtr: false, rts: false }), TransportIoError);
  });

  test('a read times out with what arrived; discardInput drops buffered bytes', async () => {
    await device.write(Uint8Array.from([1, 2]));
    await assert.rejects(
      host.read(3, 200),
      (e: unknown) => e instanceof TransportTimeoutError && e.received.length === 2,
    );
    await device.write(Uint8Array.from([9]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    host.discardInput();
    await device.write(Uint8Array.from([10]));
    assert.deepEqual(await host.read(1, 2000), Uint8Array.from([10]));
  });

  test('opening a missing port is a typed I/O error naming the path', async () => {
    await assert.rejects(SerialTransport.open({ path: '/dev/does-not-exist', baudRate: 115200 }), (e: unknown) => {
      return e instanceof TransportIoError && e.message.includes('/dev/does-not-exist');
    });
  });

  test('invalid options are rejected before touching the OS', async () => {
    await assert.rejects(SerialTransport.open({ path: '', baudRate: 0 }), { code: 'TRANSPORT_INVALID_ARGUMENT' });
  });

  test('after close, reads and writes reject with TransportClosedError', async () => {
    const pending = assert.rejects(host.read(1, Infinity), TransportClosedError);
    await host.close();
    await pending;
    await assert.rejects(host.write(Uint8Array.from([1])), TransportClosedError);
    await host.close(); // idempotent
  });

  test('after a read timed out and the port closed, it opens again (the settings check leaves the descriptor non-blocking)', async () => {
    // Regression: stty given the port's descriptor as stdin made the shared description blocking; a
    // pending read then held the port (and its lock) after close: "Cannot lock port" on reopen.
    for (let round = 0; round < 2; round += 1) {
      const again = await SerialTransport.open({ path: hostPath, baudRate: 115200 });
      await assert.rejects(again.read(1, 50), TransportTimeoutError);
      await again.close();
    }
  });
});
