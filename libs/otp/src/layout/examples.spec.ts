import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT } from '../../../../testkit/paths.js';
import { blankState } from '../image/image-helpers.js';
import { planProvisioning } from '../planner/plan-provisioning.js';
import { decodeImage } from './decode-image.js';
import { encodeImage } from './encode-image.js';
import { GENERATOR_SPECS } from './generators.js';
import { parseLayout } from './parse-layout.js';
import { type Layout } from './types.js';

/** Stand-ins for what the provisioning service generates with the HSM. */
function generatedValues(layout: Layout): Record<string, Uint8Array> {
  const values: Record<string, Uint8Array> = {};
  for (const field of layout.fields) {
    if (field.source !== 'generated') continue;
    const size = GENERATOR_SPECS[field.generator].sizeBytes ?? field.sizeBytes;
    values[field.name] = Uint8Array.from({ length: size }, (_, i) => (i * 7 + field.sizeBytes) & 0x7f);
  }
  return values;
}

for (const name of ['sensor-node', 'gateway-f7', 'motor-drive-g4']) {
  describe(`examples/layouts/${name}.yaml`, () => {
    test('parses, encodes its sample values, decodes them back and plans a write', async () => {
      const layout = parseLayout(await readFile(join(REPO_ROOT, 'examples/layouts', `${name}.yaml`), 'utf8'));
      const inputs = JSON.parse(await readFile(join(REPO_ROOT, 'examples/values', `${name}.json`), 'utf8')) as Record<
        string,
        unknown
      >;
      const inputNames = layout.fields.filter((f) => f.source === 'input').map((f) => f.name);
      assert.deepEqual(Object.keys(inputs).sort(), [...inputNames].sort(), 'sample values cover exactly the inputs');

      const image = encodeImage(layout, { ...inputs, ...generatedValues(layout) });
      const decoded = decodeImage(layout, image.data);
      assert.ok(decoded.every((f) => f.state === 'programmed'));
      for (const field of decoded) {
        if (field.redacted || !(field.name in inputs)) continue;
        const input = inputs[field.name];
        const expected = typeof input === 'number' && field.type.startsWith('f32') ? Math.fround(input) : input;
        assert.equal(field.value, expected, field.name);
      }
      const plan = planProvisioning(layout.profile, blankState(layout.profile), image);
      assert.equal(plan.kind, 'write');
    });
  });
}
