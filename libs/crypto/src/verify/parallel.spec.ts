import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { BundleExtras } from './bundle-verifier.js';
import type { VerificationBundleDocument } from './formats.js';
import { verifyBundlesInParallel } from './parallel.js';
import { buildFixture, type Fixture } from './testing/fixtures.js';

let fixture: Fixture;
let bundles: VerificationBundleDocument[];

before(async () => {
  fixture = await buildFixture(3);
  bundles = [await fixture.bundle(0), await fixture.bundle(1), await fixture.bundle(2)];
});

void describe('verifyBundlesInParallel (worker threads)', () => {
  void test('splits the batch over threads and merges counts and failure indices', async () => {
    const broken = JSON.parse(JSON.stringify(bundles[1])) as VerificationBundleDocument;
    broken.log.leafIndex = 0;
    const texts = [...bundles, ...bundles, broken, ...bundles].map((b) => JSON.stringify(b));
    texts.push('not json');
    const summary = await verifyBundlesInParallel(texts, fixture.trust, { threads: 2 });
    assert.equal(summary.total, 11);
    assert.equal(summary.passed, 9);
    assert.deepEqual(
      summary.failures.map((f) => [f.index, f.checks.map((c) => c.code)]),
      [
        [6, ['LOG_INCLUSION_PROOF_INVALID']],
        [10, ['VERIFY_BUNDLE_MALFORMED']],
      ],
    );
  });

  void test('an unusable trust input rejects instead of hanging', async () => {
    const trust = { ...fixture.trust, logPublicKeySpkiDer: new Uint8Array([1, 2, 3]) };
    await assert.rejects(verifyBundlesInParallel([JSON.stringify(bundles[0])], trust, { threads: 1 }));
  });

  void test('extras that cannot be sent to a worker reject, and no worker is left waiting', async () => {
    const extras = { deviceRead: { notCloneable: () => undefined } } as unknown as BundleExtras;
    await assert.rejects(
      verifyBundlesInParallel([JSON.stringify(bundles[0])], fixture.trust, { threads: 1, extras }),
      (error: unknown) => error instanceof Error && error.name === 'DataCloneError',
    );
  });
});
