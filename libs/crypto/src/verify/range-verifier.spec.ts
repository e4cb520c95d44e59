import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attestationLeafBytes } from '../attestation/index.js';
import { TreeFrontier } from '../log/tiles/tree-frontier.js';
import { verifyLogRange } from './range-verifier.js';
import { buildFixture } from './testing/fixtures.js';

void describe('verifyLogRange', () => {
  test('rebuilds the tree once from the entries, verifies every attestation, on this thread or on workers', async () => {
    const fixture = await buildFixture(3);
    const entries = fixture.devices.map((device) => attestationLeafBytes(device.envelope));
    const note = (await fixture.log.latestCheckpoint())!.note;
    for (const threads of [1, 2]) {
      const result = await verifyLogRange({ checkpointNote: note, entries }, fixture.trust, { threads });
      assert.deepEqual([result.verified, result.failed, result.checkpoint.treeSize], [3, 0, 3]);
    }

    const tampered = entries.map((entry, i) => (i === 1 ? new Uint8Array([...entry.subarray(0, -1), 0x20]) : entry));
    await assert.rejects(verifyLogRange({ checkpointNote: note, entries: tampered }, fixture.trust), {
      code: 'LOG_TILE_INVALID',
    });
    await assert.rejects(verifyLogRange({ checkpointNote: note, entries: entries.slice(1) }, fixture.trust), {
      code: 'LOG_TILE_INVALID',
    });
    const otherOrigin = { ...fixture.trust, origin: 'elsewhere.example/log' };
    await assert.rejects(verifyLogRange({ checkpointNote: note, entries }, otherOrigin), {
      code: 'LOG_CHECKPOINT_ORIGIN_MISMATCH',
    });
  });

  test('resumes from a kept frontier; a checkpoint behind it is inconsistent; bad entries are reported by index', async () => {
    const fixture = await buildFixture(2);
    const entries = fixture.devices.map((device) => attestationLeafBytes(device.envelope));
    const first = await verifyLogRange(
      { checkpointNote: (await fixture.log.latestCheckpoint())!.note, entries },
      fixture.trust,
      { threads: 1 },
    );
    const reformatted = new TextEncoder().encode(JSON.stringify(fixture.devices[0]!.envelope, null, 1));
    const garbage = new TextEncoder().encode('not json');
    await fixture.log.append([reformatted, garbage]);
    const later = (await fixture.log.checkpoint()).note;
    const kept = new TreeFrontier(first.frontier.size, first.frontier.hashes);
    const result = await verifyLogRange(
      { checkpointNote: later, entries: [reformatted, garbage], start: kept },
      fixture.trust,
      {
        threads: 1,
      },
    );
    assert.equal(result.verified, 0);
    assert.deepEqual(
      result.failures.map((failure) => [failure.leafIndex, failure.code]),
      [
        [2, 'LOG_TILE_INVALID'],
        [3, 'ENTRY_MALFORMED'],
      ],
    );
    const ahead = new TreeFrontier();
    for (const entry of [...entries, reformatted, garbage, garbage]) ahead.appendLeaf(entry);
    await assert.rejects(verifyLogRange({ checkpointNote: later, entries: [], start: ahead }, fixture.trust), {
      code: 'LOG_CONSISTENCY_PROOF_INVALID',
    });
  });
});
