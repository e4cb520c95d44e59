import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BootloaderClient, createMemoryLink } from '#ingrain/otp';
import { SimulatedDevice, type SimulatedDeviceOptions, serveOnTransport } from '#ingrain/simulator';
import { renderDoctorReport } from './doctor-render.js';
import { surveyChip, type DoctorReport } from './doctor-survey.js';

const TIMING = { replyMarginMs: 20, maxResyncAttempts: 2 };

/** Surveys a simulated chip over an in-memory link; returns the report and every opcode it received. */
async function survey(options: SimulatedDeviceOptions): Promise<{ report: DoctorReport; opcodes: number[] }> {
  const opcodes: number[] = [];
  const device = new SimulatedDevice({ ...options, hooks: { onCommand: (op) => opcodes.push(op) } });
  const [host, deviceEnd] = createMemoryLink();
  void serveOnTransport(device, deviceEnd);
  try {
    return { report: await surveyChip(new BootloaderClient(host, TIMING), 'mem', 115200), opcodes };
  } finally {
    await host.close();
  }
}

describe('surveyChip (doctor)', () => {
  test('reads only: Get, Get ID and Read Memory, never a write', async () => {
    const { report, opcodes } = await survey({ family: 'stm32f4' });
    assert.equal(report.verdict, 'ready');
    assert.deepEqual(
      [...new Set(opcodes)].sort((a, b) => a - b),
      [0x00, 0x02, 0x11],
    );
  });

  test('L4 has no lock bytes: every block lock is null; flash size from 0x1FFF75E0', async () => {
    const { report } = await survey({ family: 'stm32l4' });
    assert.equal(report.verdict, 'ready');
    assert.equal(report.chip.family, 'stm32l4');
    assert.equal(report.chip.flashSizeKb, 256);
    assert.ok(report.otp?.blocks.every((block) => block.lock === null));
    assert.doesNotMatch(renderDoctorReport(report), /open|locked/);
  });

  test('an invalid lock byte is named', async () => {
    const device = new SimulatedDevice({ family: 'stm32f4' });
    device.preload('lock', 3, [0x5a]);
    const { report } = await survey({ family: 'stm32f4', state: device.exportState() });
    assert.equal(report.otp?.blocks[3]?.lock, 'invalid');
  });

  test('an unknown PID: verdict unknown-chip, PID shown, nothing else read', async () => {
    const { report, opcodes } = await survey({ family: 'stm32f4', unlistedProductId: 0x999 });
    assert.equal(report.verdict, 'unknown-chip');
    assert.equal(report.chip.productId, '0x999');
    assert.equal(report.chip.family, null);
    assert.ok(!opcodes.includes(0x11));
  });

  test('a bootloader that never answers: no-bootloader with the sync error', async () => {
    const { report } = await survey({ family: 'stm32f4', readoutProtection: 'bootloader-disabled' });
    assert.equal(report.verdict, 'no-bootloader');
    assert.equal(report.bootloader.sync, null);
    assert.equal(report.problem?.code, 'BOOTLOADER_SYNC_FAILED');
    assert.match(renderDoctorReport(report), /RDP level 2/);
  });
});
