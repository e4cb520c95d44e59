// Builds the installable npm package @ingrain/api-client and packs it (`npm run client:pack <dir>`).
// Dev tooling: runs the repository's TypeScript compiler and npm; nothing here ships in the package.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nest-cli.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root (nest-cli.json) not found');
    dir = parent;
  }
  return dir;
}

/** The repository root (where nest-cli.json is). */
export const REPOSITORY_ROOT = repositoryRoot();
/** The package's manifest template; its version is replaced by the root package.json's. */
export const CLIENT_MANIFEST_PATH = join(REPOSITORY_ROOT, 'libs', 'api-client', 'package.json');

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

async function readManifest(path: string): Promise<Manifest> {
  return JSON.parse(await readFile(path, 'utf8')) as Manifest;
}

export interface PackedClient {
  /** Absolute path of the tarball, e.g. `<dir>/ingrain-api-client-0.1.0.tgz`. */
  readonly tarball: string;
  readonly name: string;
  readonly version: string;
  /** The files in the tarball, relative to the package root (`package.json`, `dist/index.js`, …). */
  readonly files: readonly string[];
}

/**
 * Compiles libs/api-client/src (index.ts + the generated schema.ts) to ES modules with .d.ts in a
 * staging directory, adds the manifest (version of the repository), openapi/openapi.json and the MES
 * guide as README.md, and runs `npm pack` into `destination` (created if missing). The staging
 * directory is removed afterwards; nothing is written inside the repository.
 */
export async function packApiClient(destination: string): Promise<PackedClient> {
  const outDir = resolve(destination);
  await mkdir(outDir, { recursive: true });
  const stage = await mkdtemp(join(tmpdir(), 'ingrain-api-client-'));
  try {
    const root = await readManifest(join(REPOSITORY_ROOT, 'package.json'));
    const manifest = { ...(await readManifest(CLIENT_MANIFEST_PATH)), version: root.version };
    await writeFile(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    await copyFile(join(REPOSITORY_ROOT, 'openapi', 'openapi.json'), join(stage, 'openapi.json'));
    await copyFile(join(REPOSITORY_ROOT, 'docs', 'mes-guide.md'), join(stage, 'README.md'));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const project = join(REPOSITORY_ROOT, 'libs', 'api-client', 'tsconfig.package.json');
    await run(process.execPath, [tsc, '-p', project, '--outDir', join(stage, 'dist')], { cwd: REPOSITORY_ROOT });
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: stage });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    if (packed === undefined) throw new Error('npm pack reported no package');
    return {
      tarball: join(outDir, packed.filename),
      name: manifest.name,
      version: manifest.version,
      files: packed.files.map((file) => file.path).sort(),
    };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
