// A chip of another line's device in this station's fixture (issue 9, optional 7b): the binding
// lookup answers 409 DEVICE_OTHER_LINE. The chip goes to quarantine — a final, logged outcome — and
// the job goes on with the next chip instead of failing; the line's other jobs are not burnt on it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type SimulatedDeviceHandle } from '../support/simulator.js';
import {
  deviceId,
  otpHex,
  released,
  settled,
  startWorkerHarness,
  type WorkerHarness,
} from './station-worker-harness.js';

describe('station worker: a chip of another line in the fixture', () => {
  let harness: WorkerHarness;
  const fixture = (): SimulatedDeviceHandle => {
    const handle = harness.sim.devices[0];
    assert.ok(handle);
    return handle;
  };

  before(async () => {
    harness = await startWorkerHarness({ fixtures: 1, chipsPerFixture: 3 });
  });
  after(() => harness.close());

  test('is quarantined untouched, logged once, and the job is provisioned on the next chip', async () => {
    const { log } = await harness.startWorker();
    const foreignUid = fixture().uidHex;
    const foreignBefore = fixture().device.exportState();
    let refusals = 0;
    harness.api.refuse = (endpoint) =>
      endpoint === 'binding' && refusals++ === 0 ? { status: 409, code: 'DEVICE_OTHER_LINE' } : undefined;
    const id = deviceId(1);
    await harness.addJob(id, 1);
    const { state, job } = await settled(harness.queue, id);
    assert.equal(state, 'completed', job.failedReason);
    const foreign = await released(harness, foreignUid);
    assert.equal(foreign.bin, 'quarantine');
    assert.deepEqual(foreign.state, foreignBefore, 'nothing was written to the other line’s chip');
    const logged = log.named('chip-of-other-line');
    assert.equal(logged.length, 1);
    assert.equal(logged[0]?.['chipUid'], foreignUid);
    const device = harness.api.devices.get(id);
    assert.equal(device?.state, 'provisioned');
    assert.notEqual(device.chipUid, foreignUid);
    assert.equal((await released(harness, device.chipUid ?? '')).state.dataHex, otpHex(device.identity.data));
  });
});
