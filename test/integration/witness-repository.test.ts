// WitnessRepository (migration 0003) on both real databases (PGlite and a throwaway PostgreSQL):
// cosignatures are stored once, each witness's size follows what it cosigned or reported, and the
// witnessed checkpoint served is the latest one every configured witness cosigned.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WitnessRepository } from '../../apps/api/src/repositories/index.js';
import { DATABASE_KINDS, useTestDatabases } from '../support/database.js';

const note = (size: number): string => `ingrain.example/log\n${size}\nAAAA\n\n\u2014 ingrain.example/log AAAAAQE=\n`;
const line = (who: string, size: number): string =>
  `\u2014 w.example/${who} ${Buffer.from(`${who}${size}`).toString('base64')}\n`;
const cosignature = (who: string, size: number) => ({
  witnessVkey: `w.example/${who}+00000000+BA`,
  signatureLine: line(who, size),
  cosignedAt: new Date(1_700_000_000_000 + size * 1000),
});

for (const kind of DATABASE_KINDS) {
  void describe(`WitnessRepository on ${kind}`, () => {
    const openDatabase = useTestDatabases(kind);

    void test('stores cosignatures once and serves the latest checkpoint all witnesses cosigned', async () => {
      const { database } = await openDatabase();
      const repository = new WitnessRepository(database.kysely);
      const [a, b] = [cosignature('a', 3), cosignature('b', 3)];
      assert.equal(await repository.witnessSize(a.witnessVkey), 0);
      assert.equal(await repository.latestWitnessed([a.witnessVkey, b.witnessVkey]), undefined);

      await repository.addCosignature(3, note(3), a);
      await repository.addCosignature(3, note(3), a); // a repeat changes nothing
      await repository.addCosignature(3, note(3), b);
      await repository.addCosignature(5, note(5), cosignature('a', 5)); // b has not cosigned 5 yet
      assert.equal(await repository.witnessSize(a.witnessVkey), 5);

      const both = await repository.latestWitnessed([a.witnessVkey, b.witnessVkey]);
      assert.equal(both?.treeSize, 3);
      assert.equal(both?.note, note(3));
      assert.deepEqual(
        both?.cosignatures.map((c) => [c.witnessVkey, c.signatureLine, c.cosignedAt.getTime()]),
        [
          [a.witnessVkey, a.signatureLine, a.cosignedAt.getTime()],
          [b.witnessVkey, b.signatureLine, b.cosignedAt.getTime()],
        ],
      );
      assert.equal((await repository.latestWitnessed([a.witnessVkey]))?.treeSize, 5);
      assert.equal(await repository.latestWitnessed(['w.example/other+00000000+BA']), undefined);

      await repository.setWitnessSize(b.witnessVkey, 4); // what a 409 reported
      assert.equal(await repository.witnessSize(b.witnessVkey), 4);
    });
  });
}
