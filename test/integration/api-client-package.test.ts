// @ingrain/api-client as an MES team gets it: `npm run client:pack` makes the tarball, a fresh
// project installs it without the internet, tsc type-checks a small MES program against the
// installed declarations (and rejects a wrong field name in a request and in a response), and the
// program requests a device from a real API.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createIngrainClient, expectData } from '#ingrain/api-client';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { REPO_ROOT } from '../../testkit/paths.js';

const run = promisify(execFile);

interface Manifest {
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

async function manifest(path: string): Promise<Manifest> {
  return JSON.parse(await readFile(path, 'utf8')) as Manifest;
}

/**
 * The package's registry dependencies as tarballs packed from the repository's node_modules (the
 * versions `npm ci` installed), so `npm install --offline` needs neither the internet nor the npm
 * cache. Follows their own dependencies.
 */
async function packDependencies(names: readonly string[], into: string): Promise<string[]> {
  const tarballs: string[] = [];
  const seen = new Set<string>();
  for (const queue = [...names]; queue.length > 0;) {
    const name = queue.shift() ?? '';
    if (seen.has(name)) continue;
    seen.add(name);
    const directory = join(REPO_ROOT, 'node_modules', name);
    queue.push(...Object.keys((await manifest(join(directory, 'package.json'))).dependencies ?? {}));
    const { stdout } = await run('npm', ['pack', directory, '--json', '--ignore-scripts', '--pack-destination', into]);
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    tarballs.push(join(into, packed?.filename ?? ''));
  }
  return tarballs;
}

// What an MES team writes: create a work order, request a device with an idempotency key, print it.
const SAMPLE = `import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createIngrainClient, expectData, IngrainApiError } from '@ingrain/api-client';

const client = createIngrainClient({ baseUrl: process.env['INGRAIN_URL'] ?? '', token: process.env['INGRAIN_TOKEN'] });
const inputs = JSON.parse(await readFile(process.argv[2] ?? '', 'utf8')) as Record<string, unknown>;
try {
  const order = expectData(await client.POST('/v1/work-orders', { body: { productId: 'sensor-node', quantity: 1 } }));
  const device = expectData(
    await client.POST('/v1/devices', {
      params: { header: { 'Idempotency-Key': randomUUID() } },
      body: { workOrderId: order.id, inputs },
    }),
  );
  const state: string = device.state;
  process.stdout.write(JSON.stringify({ workOrderId: order.id, deviceId: device.id, serial: device.serial, state }));
} catch (error) {
  if (error instanceof IngrainApiError) process.stderr.write(\`\${error.code} (\${error.status})\\n\`);
  throw error;
}
`;

// The same program with one field name wrong, in a request body and in a response: the installed
// declarations must reject each.
const WRONG_SAMPLES = {
  'wrong-request.ts': SAMPLE.replace("body: { productId: 'sensor-node'", "body: { productID: 'sensor-node'"),
  'wrong-response.ts': SAMPLE.replace('const state: string = device.state;', 'const state: string = device.status;'),
} as const;
const WRONG_NAMES = { 'wrong-request.ts': 'productID', 'wrong-response.ts': 'status' } as const;

describe('@ingrain/api-client as an installable package', () => {
  let work: string;
  let project: string;
  let tarball: string;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'ingrain-client-package-'));
    project = join(work, 'mes-sample');
    await mkdir(project);
  });
  after(() => rm(work, { recursive: true, force: true }));

  test('npm run client:pack makes a tarball with ES modules, declarations and the contract', async () => {
    const destination = join(work, 'packages');
    const { stdout } = await run('npm', ['run', '--silent', 'client:pack', '--', destination], { cwd: REPO_ROOT });
    tarball = stdout.trim();
    const root = await manifest(join(REPO_ROOT, 'package.json'));
    assert.equal(tarball, join(destination, `ingrain-api-client-${root.version}.tgz`));
    const listed = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter((line) => line !== '');
    assert.deepEqual(listed.sort(), [
      'package/README.md',
      'package/dist/index.d.ts',
      'package/dist/index.js',
      'package/dist/schema.d.ts',
      'package/dist/schema.js',
      'package/openapi.json',
      'package/package.json',
    ]);
    const packaged = JSON.parse((await run('tar', ['-xzOf', tarball, 'package/package.json'])).stdout) as Manifest & {
      name: string;
    };
    assert.equal(packaged.name, '@ingrain/api-client');
    assert.equal(packaged.version, root.version);
    const client = await manifest(join(REPO_ROOT, 'libs', 'api-client', 'package.json'));
    assert.deepEqual(client.dependencies, { 'openapi-fetch': root.dependencies?.['openapi-fetch'] });
    assert.match(client.dependencies?.['openapi-fetch'] ?? '', /^\d+\.\d+\.\d+$/, 'openapi-fetch is pinned');
  });

  test('installs offline into a fresh project; a sample MES program type-checks, a misspelt field does not', async () => {
    const client = await manifest(join(REPO_ROOT, 'libs', 'api-client', 'package.json'));
    const dependencies = await packDependencies(Object.keys(client.dependencies ?? {}), join(work, 'packages'));
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'mes-sample', version: '1.0.0', private: true, type: 'module' }),
    );
    await run(
      'npm',
      ['install', tarball, ...dependencies, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'],
      {
        cwd: project,
      },
    );
    const installed = await manifest(join(project, 'node_modules', '@ingrain', 'api-client', 'package.json'));
    assert.equal(installed.version, (await manifest(join(REPO_ROOT, 'package.json'))).version);

    const compilerOptions = {
      target: 'ES2023',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: false,
      outDir: 'out',
      // @types/node of the repository (a real project installs its own).
      typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
      types: ['node'],
    };
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['request-device.ts'] }));
    await writeFile(join(project, 'request-device.ts'), SAMPLE);
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project });

    for (const [file, text] of Object.entries(WRONG_SAMPLES)) {
      assert.notEqual(text, SAMPLE, `${file} differs from the sample`);
      await writeFile(join(project, file), text);
      await writeFile(join(project, `tsconfig.${file}.json`), JSON.stringify({ compilerOptions, files: [file] }));
      const rejected = await run(process.execPath, [tsc, '-p', `tsconfig.${file}.json`, '--noEmit'], {
        cwd: project,
      }).then(
        () => undefined,
        (error: unknown) => error as { code: number; stdout: string },
      );
      assert.ok(rejected, `${file} must not compile`);
      assert.notEqual(rejected.code, 0);
      const name = WRONG_NAMES[file as keyof typeof WRONG_NAMES];
      assert.match(rejected.stdout, new RegExp(`${file.replace('.', '\\.')}\\(\\d+,\\d+\\): error TS\\d+:.*'${name}'`));
    }
  });

  describe('against a real API', () => {
    let api: TestApi;
    let baseUrl: string;

    before(async () => {
      api = await startTestApi();
      await api.app.listen(0, '127.0.0.1');
      baseUrl = await api.app.getUrl();
    });
    after(() => api.close());

    test('the compiled sample, using only the installed package, requests a device', async () => {
      const admin = createIngrainClient({ baseUrl, token: api.adminToken });
      const source = await readFile(join(REPO_ROOT, 'examples', 'layouts', 'sensor-node.yaml'), 'utf8');
      expectData(
        await admin.POST('/v1/products', {
          body: { id: 'sensor-node', name: 'Sensor node', line: 'line-1', serialPrefix: 'SN-' },
        }),
      );
      expectData(
        await admin.POST('/v1/products/{id}/layouts', { params: { path: { id: 'sensor-node' } }, body: { source } }),
      );
      const { serial: _serial, ...inputs } = JSON.parse(
        await readFile(join(REPO_ROOT, 'examples', 'values', 'sensor-node.json'), 'utf8'),
      ) as Record<string, unknown>;
      const inputsPath = join(project, 'inputs.json');
      await writeFile(inputsPath, JSON.stringify(inputs));
      const mesToken = await api.createToken('mes', `mes-${randomUUID()}`);

      const { stdout } = await run(process.execPath, [join(project, 'out', 'request-device.js'), inputsPath], {
        cwd: project,
        env: { ...process.env, INGRAIN_URL: baseUrl, INGRAIN_TOKEN: mesToken },
      });
      const printed = JSON.parse(stdout) as { workOrderId: string; deviceId: string; serial: string; state: string };
      const mes = createIngrainClient({ baseUrl, token: mesToken });
      const device = expectData(await mes.GET('/v1/devices/{id}', { params: { path: { id: printed.deviceId } } }));
      assert.equal(device.workOrderId, printed.workOrderId);
      assert.equal(device.serial, printed.serial);
      assert.match(device.serial, /^SN-/);

      // docs/mes-guide.md: a misspelt field the types let through is refused by the API, naming it.
      const misspelt = await mes.POST('/v1/devices', {
        params: { header: { 'Idempotency-Key': randomUUID() } },
        body: { workOrderID: printed.workOrderId, inputs } as never,
      });
      assert.equal(misspelt.response.status, 400);
      assert.equal(misspelt.error?.code, 'VALIDATION_FAILED');
      assert.match(JSON.stringify(misspelt.error.errors), /workOrderID/);
    });
  });
});
