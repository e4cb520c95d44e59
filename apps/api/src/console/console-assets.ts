import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { sendProblem } from '../http/send-problem.js';
import { CONSOLE_SECURITY_HEADERS, isConsoleUrl } from './security-headers.js';

/** Where scripts/build-console.mjs writes the console: dist/console (this file is dist/apps/api/src/console/). */
export const CONSOLE_DIST_DIR = fileURLToPath(new URL('../../../../console/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/**
 * Serves the console built by scripts/build-console.mjs, from memory: `/` (index.html, never
 * cached: it names the current assets) and `/console/assets/<name>-<hash>.<ext>` (immutable). Adds
 * the security headers to every console response (also the session's and the live stream's).
 */
@Injectable()
export class ConsoleAssets implements OnModuleInit {
  readonly #logger = new Logger('Console');

  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const { index, assets } = loadConsole(CONSOLE_DIST_DIR);
    if (index === undefined) this.#logger.warn(`the console is not built (${CONSOLE_DIST_DIR}): run npm run build`);
    fastify.addHook('onSend', (request, reply, payload, done) => {
      if (isConsoleUrl(request.url)) void reply.headers(CONSOLE_SECURITY_HEADERS);
      done(null, payload);
    });
    fastify.get('/', (request, reply) => {
      if (index === undefined) return notBuilt(reply, request.url);
      return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
    });
    fastify.get<{ Params: { name: string } }>('/console/assets/:name', (request, reply) => {
      const asset = assets.get(request.params.name);
      if (asset === undefined) {
        sendProblem(request, reply, new AppError('NOT_FOUND', 'no such console asset'));
        return reply;
      }
      return reply.header('cache-control', 'public, max-age=31536000, immutable').type(asset.type).send(asset.body);
    });
  }
}

function notBuilt(reply: FastifyReply, url: string): FastifyReply {
  return reply.code(404).type('text/plain; charset=utf-8').send(`the console is not built (${url}): run npm run build`);
}

/** index.html and the files of assets/, read once at start (a few hundred kilobytes). */
function loadConsole(dir: string): { index: Buffer | undefined; assets: Map<string, Asset> } {
  const assets = new Map<string, Asset>();
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) return { index: undefined, assets };
  const assetsDir = join(dir, 'assets');
  for (const name of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
    const type = TYPES[extname(name)];
    if (type !== undefined) assets.set(name, { body: readFileSync(join(assetsDir, name)), type });
  }
  return { index: readFileSync(indexPath), assets };
}
