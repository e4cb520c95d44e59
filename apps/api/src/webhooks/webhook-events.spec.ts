import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deviceRecord } from '../testing/fixtures.js';
import { deviceFailedEvent, deviceProvisionedEvent, deviceQuarantinedEvent } from './webhook-events.js';

describe('webhook event bodies', () => {
  test('a device event: stable id, type, ordering key, sequence and the device facts only', () => {
    const device = deviceRecord({ state: 'claimed', chipUid: Uint8Array.from([0xab, 0x01]), stationId: 'st-1' });
    const at = new Date('2030-01-02T03:04:05.678Z');
    const event = deviceProvisionedEvent(device, 'st-1', 42, at);
    const body = JSON.parse(event.render(3)) as Record<string, unknown>;
    assert.deepEqual(body, {
      id: event.id,
      type: 'device.provisioned',
      timestamp: '2030-01-02T03:04:05.678Z',
      orderingKey: `device:${device.id}`,
      sequence: 3,
      data: {
        deviceId: device.id,
        serial: device.serial,
        productId: device.productId,
        layoutVersion: device.layoutVersion,
        workOrderId: device.workOrderId,
        stationId: 'st-1',
        chipUid: 'ab01',
        state: 'provisioned',
        attestationLeafIndex: 42,
      },
    });
    assert.equal(event.render(3), event.render(3), 'the same bytes every time');
  });

  test('no secret material: no image, no secret fields, no keys', () => {
    const device = deviceRecord({ state: 'claimed', chipUid: Uint8Array.from([1]), stationId: 'st-1' });
    for (const event of [
      deviceProvisionedEvent(device, 'st-1', 1),
      deviceQuarantinedEvent(device, 'st-1', 'readback-mismatch'),
      deviceFailedEvent({ ...device, state: 'scrapped' }, 'claimed', 'chip cracked'),
    ]) {
      const text = event.render(1);
      for (const word of ['secret', 'image', 'offset', 'sealed', 'private', 'certificate', 'commitment']) {
        assert.ok(!text.toLowerCase().includes(word), `${event.type} body mentions ${word}`);
      }
    }
  });

  test('the body around its sequence is the rendered body, cut at the sequence: the outbox numbers it in SQL', () => {
    const device = deviceRecord({ state: 'claimed', chipUid: null, stationId: null, workOrderId: null });
    const at = new Date('2030-01-02T03:04:05.678Z');
    for (const event of [
      deviceProvisionedEvent(device, 'st-"1"', 0, at),
      deviceQuarantinedEvent(device, 'st-1', 'reason with \u2028 and "quotes"', at),
      deviceFailedEvent({ ...device, state: 'scrapped' }, 'queued', 'ünïcödé ✓', at),
    ]) {
      assert.ok(event.bodyAround !== undefined);
      for (const sequence of [1, 9, 10, 123456789]) {
        const body = JSON.parse(event.render(sequence)) as Record<string, unknown>;
        assert.equal(event.render(sequence), JSON.stringify(body), 'JSON.stringify of the body object');
        assert.deepEqual(Object.keys(body), ['id', 'type', 'timestamp', 'orderingKey', 'sequence', 'data']);
        assert.equal(body['sequence'], sequence);
        assert.equal(`${event.bodyAround.before}${sequence}${event.bodyAround.after}`, event.render(sequence));
      }
      assert.throws(() => event.render(1.5), RangeError);
    }
  });
});
