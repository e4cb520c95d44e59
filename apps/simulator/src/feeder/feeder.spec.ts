import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SimulatedDevice } from '#ingrain/simulator';
import { Feeder, type ReleasedChip } from './feeder.js';
import { FixtureSlot } from './fixture-slot.js';

const SYNC = Uint8Array.of(0x7f);

function fixture(port: string, index: number) {
  const sent: Uint8Array[] = [];
  const slot = new FixtureSlot(
    index,
    new SimulatedDevice({ family: 'stm32f4' }),
    (bytes) => sent.push(bytes),
    undefined,
  );
  return { port, slot, sent, newChip: () => new SimulatedDevice({ family: 'stm32f4' }) };
}

describe('Feeder', () => {
  test('a release puts the chip in its bin and inserts a new blank chip, which must be synchronised', () => {
    const a = fixture('/dev/pts/1', 0);
    const archived: ReleasedChip[] = [];
    const feeder = new Feeder([a], { onReleased: (chip) => archived.push(chip) });
    const first = a.slot.chip;
    a.slot.receive(SYNC);
    assert.deepEqual([...(a.sent[0] ?? [])], [0x79], 'the first chip answers');
    assert.equal(
      feeder.release({ port: '/dev/pts/1', chipUid: first.uidHex, bin: 'done', reason: 'provisioned' }),
      'replaced',
    );
    assert.notEqual(a.slot.chip.uidHex, first.uidHex);
    assert.equal(a.slot.chip.status, 'awaiting-sync');
    assert.deepEqual(
      archived.map((chip) => [chip.uidHex, chip.bin, chip.slotIndex]),
      [[first.uidHex, 'done', 0]],
    );
    assert.equal(feeder.insertedCount(0), 2);
  });

  test('with a chip budget the fixture is left empty, and an empty fixture answers nothing', () => {
    const a = fixture('/dev/pts/1', 0);
    const feeder = new Feeder([a], { chipsPerFixture: 2 });
    feeder.release({ port: a.port, chipUid: null, bin: 'done', reason: 'x' });
    assert.equal(feeder.release({ port: a.port, chipUid: null, bin: 'quarantine', reason: 'x' }), 'emptied');
    assert.equal(a.slot.chipPresent, false);
    a.slot.receive(SYNC);
    assert.deepEqual(a.sent, []);
    assert.equal(feeder.release({ port: a.port, chipUid: null, bin: 'done', reason: 'x' }), 'ignored');
    assert.deepEqual(
      feeder.released().map((chip) => chip.bin),
      ['done', 'quarantine'],
    );
  });

  test('a stale release (another chip, another port) changes nothing', () => {
    const a = fixture('/dev/pts/1', 0);
    const b = fixture('/dev/pts/2', 1);
    const feeder = new Feeder([a, b]);
    const chip = a.slot.chip;
    assert.equal(
      feeder.release({ port: a.port, chipUid: 'ffffffffffffffffffffffff', bin: 'done', reason: 'x' }),
      'ignored',
    );
    assert.equal(feeder.release({ port: '/dev/pts/9', chipUid: chip.uidHex, bin: 'done', reason: 'x' }), 'ignored');
    assert.equal(a.slot.chip, chip);
    assert.equal(feeder.release({ port: b.port, chipUid: chip.uidHex, bin: 'done', reason: 'x' }), 'ignored');
    assert.deepEqual(feeder.released(), []);
  });

  test('a chip inserted by hand replaces the one in the fixture without a release', () => {
    const a = fixture('/dev/pts/1', 0);
    const feeder = new Feeder([a], { chipsPerFixture: 1 });
    const moved = new SimulatedDevice({ family: 'stm32f4' });
    feeder.insert(0, moved);
    assert.equal(a.slot.chip, moved);
    assert.equal(feeder.insertedCount(0), 1, 'the budget is not charged');
    assert.throws(() => feeder.insert(3, moved), RangeError);
  });
});
