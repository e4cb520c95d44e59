// The HTTP backbone against the real app: auth (401/403/429), problem details, health, metrics,
// docs, the token lifecycle, and no secret in any log line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get, Module, Post } from '@nestjs/common';
import { LayoutValidationError } from '#ingrain/otp';
import type { Response } from 'supertest';
import { z } from 'zod';
import { CurrentPrincipal, Roles } from '../../apps/api/src/auth/auth.decorators.js';
import type { Principal } from '../../apps/api/src/auth/principal.js';
import { AppError } from '../../apps/api/src/errors/app-error.js';
import { requestModel, responseModel } from '../../apps/api/src/http/api-models.js';
import { ZodBody, ZodHeader, ZodQuery } from '../../apps/api/src/http/zod-params.decorator.js';
import { ZodResponse } from '../../apps/api/src/http/zod-response.decorator.js';
import { StationRepository } from '../../apps/api/src/repositories/station-repository.js';
import { startTestApi, type TestApi } from '../../testkit/api.js';
import { binPath } from '../../testkit/paths.js';

const MAX_AUTH_FAILURES = 3;
const INTERNAL_SECRET = 'password=hunter2 at 10.9.8.7';

const EchoRequest = requestModel(
  'TestEchoRequest',
  z.strictObject({ name: z.string().min(1), items: z.array(z.object({ count: z.int().min(0) })) }),
);
const Leaky = responseModel('TestLeaky', z.object({ id: z.string() }));

/** Routes that exist only in this test: roles, failures, response stripping. */
@Controller('test')
class DummyController {
  @Get('protected')
  @Roles('mes', 'station')
  whoAmI(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Post('echo')
  @Roles('admin')
  echo(@ZodBody(EchoRequest) body: z.output<typeof EchoRequest>): z.output<typeof EchoRequest> {
    return body;
  }

  @Get('search')
  @Roles('admin')
  search(
    @ZodQuery(z.object({ state: z.enum(['queued', 'claimed']), limit: z.coerce.number().int().max(100) }))
    query: unknown,
  ) {
    return query;
  }

  @Post('keyed')
  @Roles('admin')
  keyed(@ZodHeader('Idempotency-Key', z.string().min(8).max(64)) key: string): { key: string } {
    return { key };
  }

  @Get('boom')
  @Roles('admin')
  boom(): never {
    throw new Error(`database exploded: ${INTERNAL_SECRET}`);
  }

  @Get('conflict')
  @Roles('admin')
  conflict(): never {
    throw new AppError('CHIP_ALREADY_BOUND', 'the chip is bound to another device', {
      extensions: { deviceId: 'device-7' },
    });
  }

  @Get('layout')
  @Roles('admin')
  layout(): never {
    throw new LayoutValidationError([{ path: 'fields[1].offset', message: 'fields[1].offset overlaps fields[0]' }]);
  }

  @Get('leak')
  @Roles('admin')
  @ZodResponse(200, Leaky)
  leak(): { id: string } {
    return { id: 'x', tokenHash: 'deadbeef' } as { id: string };
  }
}

@Module({ controllers: [DummyController] })
class DummyModule {}

let api: TestApi;
/** Every token secret seen by this test, valid or not: none may appear in a log line. */
const secrets = new Set<string>();
let addressCounter = 0;

/** A client address of its own (the app trusts the loopback proxy), so failure counts stay apart. */
function freshAddress(): string {
  addressCounter += 1;
  return `198.51.100.${addressCounter}`;
}

const bearer = (token: string) => `Bearer ${token}`;

function assertProblem(response: Response, status: number, code: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.body as Record<string, unknown>;
  assert.equal(body['status'], status);
  assert.equal(body['code'], code);
  assert.equal(body['type'], `urn:ingrain:problem:${code}`);
  assert.equal(typeof body['title'], 'string');
  assert.equal(typeof body['detail'], 'string');
  assert.ok(Array.isArray(body['errors']));
  assert.equal(body['correlationId'], response.headers['x-request-id']);
}

async function tokenFor(role: 'admin' | 'mes' | 'station' | 'auditor'): Promise<string> {
  const token =
    role === 'station' ? await api.createToken('station', 'station-token', 'st-1') : await api.createToken(role);
  secrets.add(token);
  return token;
}

before(async () => {
  // PostgreSQL, so that bin/ingrain-admin (another process) can reach the API's database.
  api = await startTestApi({
    databaseKind: 'postgres',
    env: {
      INGRAIN_AUTH_FAILURE_LIMIT: String(MAX_AUTH_FAILURES),
      INGRAIN_AUTH_FAILURE_WINDOW_SECONDS: '600',
      INGRAIN_TRUST_PROXY: '127.0.0.1',
    },
    extraModules: [DummyModule],
  });
  secrets.add(api.adminToken);
  await new StationRepository(api.database.kysely).create({ id: 'st-1', name: 'Station 1', line: 'line-a' });
});

after(() => api?.close());

describe('health, metrics, docs', () => {
  test('liveness answers and echoes a caller-chosen correlation id', async () => {
    const response = await api.http().get('/health/live').set('x-request-id', 'trace-abc.123');
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { status: 'ok' });
    assert.equal(response.headers['x-request-id'], 'trace-abc.123');
  });

  test('an unacceptable X-Request-Id is replaced by a generated one', async () => {
    for (const given of ['bad id with spaces', 'x'.repeat(200), '{"level":60}']) {
      const response = await api.http().get('/health/live').set('x-request-id', given);
      assert.match(
        String(response.headers['x-request-id']),
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
  });

  test('readiness checks the database, the HSM, Redis, the job queues and the service keys', async () => {
    const response = await api.http().get('/health/ready');
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const body = response.body as { status: string; checks: Record<string, { status: string }> };
    assert.equal(body.status, 'ok');
    assert.deepEqual(Object.keys(body.checks).sort(), ['database', 'hsm', 'jobs', 'redis', 'trust']);
    for (const check of Object.values(body.checks)) assert.equal(check.status, 'ok');
  });

  test('/metrics exposes request latency by route template and status', async () => {
    await api.http().get('/health/live');
    await api
      .http()
      .delete('/v1/tokens/00000000-0000-4000-8000-000000000000')
      .set('authorization', bearer(api.adminToken));
    const response = await api.http().get('/metrics');
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    assert.match(
      response.text,
      /ingrain_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} [1-9]/,
    );
    assert.match(
      response.text,
      /ingrain_http_request_duration_seconds_count\{method="DELETE",route="\/v1\/tokens\/:id",status="404"\} 1/,
    );
    assert.match(response.text, /# TYPE ingrain_provisioning_outcomes_total counter/);
    assert.match(response.text, /ingrain_process_cpu_seconds_total/);
  });

  test('/docs serves the interactive docs and the OpenAPI document', async () => {
    const page = await api.http().get('/docs');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const script = /src="\.?\/?([^"]*swagger-ui-bundle\.js)"/.exec(page.text)?.[1];
    assert.ok(script, 'the page loads the Swagger UI bundle');
    const bundle = await api.http().get(`/docs/${script.replace(/^docs\//, '')}`);
    assert.equal(bundle.status, 200);
    const document = await api.http().get('/docs/openapi.json');
    assert.equal(document.status, 200);
    const body = document.body as { openapi: string; paths: Record<string, unknown> };
    assert.equal(body.openapi, '3.1.0');
    assert.ok('/v1/tokens/{id}' in body.paths);
  });
});

describe('authentication and roles', () => {
  test('no token → 401 AUTH_REQUIRED with WWW-Authenticate', async () => {
    const response = await api.http().get('/v1/tokens');
    assertProblem(response, 401, 'AUTH_REQUIRED');
    assert.equal(response.headers['www-authenticate'], 'Bearer realm="ingrain"');
  });

  test('unknown, malformed and non-bearer credentials → 401 AUTH_INVALID', async () => {
    const unknown = `ingr_${Buffer.alloc(32, 7).toString('base64url')}`;
    for (const header of [
      bearer(unknown),
      'Bearer not-a-token',
      `Basic ${Buffer.from('admin:admin').toString('base64')}`,
    ]) {
      secrets.add(header.replace(/^\w+ /, ''));
      const response = await api
        .http()
        .get('/v1/tokens')
        .set('authorization', header)
        .set('x-forwarded-for', freshAddress());
      assertProblem(response, 401, 'AUTH_INVALID');
      assert.match(String(response.headers['www-authenticate']), /error="invalid_token"/);
    }
  });

  test('token endpoints: admin only; every other role gets 403', async () => {
    for (const role of ['mes', 'station', 'auditor'] as const) {
      const token = await tokenFor(role);
      const requests = [
        api.http().get('/v1/tokens'),
        api.http().post('/v1/tokens').send({ name: 'x', role: 'mes' }),
        api.http().delete('/v1/tokens/00000000-0000-4000-8000-000000000000'),
      ];
      for (const pending of requests) {
        const response = await pending.set('authorization', bearer(token));
        assertProblem(response, 403, 'ROLE_FORBIDDEN');
        assert.match((response.body as { detail: string }).detail, new RegExp(`'${role}' token`));
      }
    }
    const admin = await api.http().get('/v1/tokens').set('authorization', bearer(api.adminToken));
    assert.equal(admin.status, 200);
  });

  test('a protected route admits exactly its roles and sees the principal', async () => {
    const mes = await api
      .http()
      .get('/test/protected')
      .set('authorization', bearer(await tokenFor('mes')));
    assert.equal(mes.status, 200);
    assert.equal((mes.body as Principal).role, 'mes');
    assert.equal((mes.body as Principal).stationId, null);
    const station = await api
      .http()
      .get('/test/protected')
      .set('authorization', bearer(await tokenFor('station')));
    assert.equal(station.status, 200);
    assert.equal((station.body as Principal).stationId, 'st-1');
    for (const role of ['admin', 'auditor'] as const) {
      const response = await api
        .http()
        .get('/test/protected')
        .set('authorization', bearer(await tokenFor(role)));
      assertProblem(response, 403, 'ROLE_FORBIDDEN');
    }
    assertProblem(await api.http().get('/test/protected'), 401, 'AUTH_REQUIRED');
  });

  test(`after ${MAX_AUTH_FAILURES} failures an address gets 429 with Retry-After for bad tokens; a valid one passes`, async () => {
    const attacker = freshAddress();
    for (let attempt = 0; attempt < MAX_AUTH_FAILURES; attempt++) {
      const guess = `ingr_${Buffer.alloc(32, attempt + 100).toString('base64url')}`;
      secrets.add(guess);
      const response = await api
        .http()
        .get('/v1/tokens')
        .set('authorization', bearer(guess))
        .set('x-forwarded-for', attacker);
      assertProblem(response, 401, 'AUTH_INVALID');
    }
    const nextGuess = `ingr_${Buffer.alloc(32, 99).toString('base64url')}`;
    secrets.add(nextGuess);
    const limited = await api
      .http()
      .get('/v1/tokens')
      .set('authorization', bearer(nextGuess))
      .set('x-forwarded-for', attacker);
    assertProblem(limited, 429, 'AUTH_RATE_LIMITED');
    // Issue 9, defect 4: failures are limited without punishing valid credentials.
    const valid = await api
      .http()
      .get('/v1/tokens')
      .set('authorization', bearer(api.adminToken))
      .set('x-forwarded-for', attacker);
    assert.equal(valid.status, 200);
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 600, String(retryAfter));
    const other = await api
      .http()
      .get('/v1/tokens')
      .set('authorization', bearer(api.adminToken))
      .set('x-forwarded-for', freshAddress());
    assert.equal(other.status, 200);
    const metrics = await api.http().get('/metrics');
    assert.match(metrics.text, /ingrain_auth_failures_total\{reason="rate-limited"\} [1-9]/);
  });
});

describe('problem details', () => {
  test('a malformed body names each field', async () => {
    const response = await api
      .http()
      .post('/v1/tokens')
      .set('authorization', bearer(api.adminToken))
      .send({ name: '', role: 'boss', extra: true });
    assertProblem(response, 400, 'VALIDATION_FAILED');
    const errors = (response.body as { errors: { path: string; message: string }[] }).errors;
    assert.deepEqual(errors.map((error) => error.path).sort(), ['body.extra', 'body.name', 'body.role']);
    for (const error of errors) assert.ok(error.message.length > 0);
  });

  test('nested paths, cross-field rules, path and query parameters are named too', async () => {
    const nested = await api
      .http()
      .post('/test/echo')
      .set('authorization', bearer(api.adminToken))
      .send({ name: 'n', items: [{ count: 1 }, { count: -1 }] });
    assertProblem(nested, 400, 'VALIDATION_FAILED');
    assert.deepEqual(
      (nested.body as { errors: { path: string }[] }).errors.map((error) => error.path),
      ['body.items[1].count'],
    );

    const station = await api
      .http()
      .post('/v1/tokens')
      .set('authorization', bearer(api.adminToken))
      .send({ name: 's', role: 'station' });
    assertProblem(station, 400, 'VALIDATION_FAILED');
    assert.deepEqual(
      (station.body as { errors: { path: string }[] }).errors.map((error) => error.path),
      ['body.stationId'],
    );

    const path = await api.http().delete('/v1/tokens/not-a-uuid').set('authorization', bearer(api.adminToken));
    assertProblem(path, 400, 'VALIDATION_FAILED');
    assert.deepEqual(
      (path.body as { errors: { path: string }[] }).errors.map((error) => error.path),
      ['path.id'],
    );

    const query = await api
      .http()
      .get('/test/search?state=lost&limit=1000')
      .set('authorization', bearer(api.adminToken));
    assertProblem(query, 400, 'VALIDATION_FAILED');
    assert.deepEqual((query.body as { errors: { path: string }[] }).errors.map((error) => error.path).sort(), [
      'query.limit',
      'query.state',
    ]);
    const ok = await api.http().get('/test/search?state=queued&limit=5').set('authorization', bearer(api.adminToken));
    assert.deepEqual(ok.body, { state: 'queued', limit: 5 });

    const header = await api.http().post('/test/keyed').set('authorization', bearer(api.adminToken));
    assertProblem(header, 400, 'VALIDATION_FAILED');
    assert.deepEqual(
      (header.body as { errors: { path: string }[] }).errors.map((error) => error.path),
      ['header.idempotency-key'],
    );
    const keyed = await api
      .http()
      .post('/test/keyed')
      .set('authorization', bearer(api.adminToken))
      .set('idempotency-key', 'key-12345');
    assert.deepEqual(keyed.body, { key: 'key-12345' });
  });

  test('malformed JSON and unknown routes are problems too', async () => {
    const json = await api
      .http()
      .post('/v1/tokens')
      .set('authorization', bearer(api.adminToken))
      .set('content-type', 'application/json')
      .send('{"name": ');
    assertProblem(json, 400, 'BAD_REQUEST');
    assertProblem(await api.http().get('/v1/nothing-here'), 404, 'NOT_FOUND');
  });

  test('typed errors keep their status, code and extension members; layout issues are 422', async () => {
    const conflict = await api.http().get('/test/conflict').set('authorization', bearer(api.adminToken));
    assertProblem(conflict, 409, 'CHIP_ALREADY_BOUND');
    assert.equal((conflict.body as { deviceId: string }).deviceId, 'device-7');
    const layout = await api.http().get('/test/layout').set('authorization', bearer(api.adminToken));
    assertProblem(layout, 422, 'LAYOUT_INVALID');
    assert.deepEqual((layout.body as { errors: unknown[] }).errors, [
      { path: 'fields[1].offset', message: 'fields[1].offset overlaps fields[0]' },
    ]);
  });

  test('an unknown error is a 500 without internals, logged with its correlation id', async () => {
    const response = await api
      .http()
      .get('/test/boom')
      .set('authorization', bearer(api.adminToken))
      .set('x-request-id', 'boom-1');
    assertProblem(response, 500, 'INTERNAL_ERROR');
    assert.doesNotMatch(response.text, /hunter2|10\.9\.8\.7|exploded|stack/);
    const logged = api.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry['correlationId'] === 'boom-1' && entry['level'] === 50);
    assert.ok(logged, 'the failure is logged at error level with the correlation id');
    assert.match(JSON.stringify(logged['err']), /database exploded/);
  });

  test('a response carries only what its schema names', async () => {
    const response = await api.http().get('/test/leak').set('authorization', bearer(api.adminToken));
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { id: 'x' });
  });
});

describe('token lifecycle', () => {
  test('create → use → list (no secret) → revoke → 401; revoking again succeeds; unknown id is 404', async () => {
    const created = await api
      .http()
      .post('/v1/tokens')
      .set('authorization', bearer(api.adminToken))
      .send({ name: 'line-1 MES', role: 'mes' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const token = created.body as { id: string; token: string; role: string; name: string; revokedAt: null };
    secrets.add(token.token);
    assert.match(token.token, /^ingr_[A-Za-z0-9_-]{43}$/);
    assert.equal(token.role, 'mes');
    assert.equal(token.revokedAt, null);

    assert.equal((await api.http().get('/test/protected').set('authorization', bearer(token.token))).status, 200);

    const list = await api.http().get('/v1/tokens').set('authorization', bearer(api.adminToken));
    assert.equal(list.status, 200);
    assert.doesNotMatch(list.text, /ingr_/);
    const listed = (list.body as { tokens: { id: string; lastUsedAt: string | null }[] }).tokens.find(
      (entry) => entry.id === token.id,
    );
    assert.ok(listed);
    assert.equal(Object.keys(listed).includes('token'), false);

    const revoked = await api.http().delete(`/v1/tokens/${token.id}`).set('authorization', bearer(api.adminToken));
    assert.equal(revoked.status, 204);
    assert.equal(revoked.text, '');
    const after = await api
      .http()
      .get('/test/protected')
      .set('authorization', bearer(token.token))
      .set('x-forwarded-for', freshAddress());
    assertProblem(after, 401, 'AUTH_INVALID');
    assert.equal(
      (await api.http().delete(`/v1/tokens/${token.id}`).set('authorization', bearer(api.adminToken))).status,
      204,
    );
    const unknown = await api
      .http()
      .delete('/v1/tokens/00000000-0000-4000-8000-000000000000')
      .set('authorization', bearer(api.adminToken));
    assertProblem(unknown, 404, 'TOKEN_NOT_FOUND');
  });

  test('a station token needs a registered station', async () => {
    const response = await api
      .http()
      .post('/v1/tokens')
      .set('authorization', bearer(api.adminToken))
      .send({ name: 'ghost', role: 'station', stationId: 'no-such-station' });
    assertProblem(response, 404, 'STATION_NOT_FOUND');
  });
});

/** Runs the compiled bin/ingrain-admin on the API's database. */
function admin(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['INGRAIN_DATA_DIR'];
  if (api.databaseConfig.kind === 'postgres') env['DATABASE_URL'] = api.databaseConfig.url;
  return new Promise((resolve) => {
    execFile(process.execPath, [binPath('ingrain-admin'), ...args], { env }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('ingrain-admin token (runs the compiled dist/)', () => {
  test('create prints the secret once; the API accepts it; list shows no secret; revoke ends it', async () => {
    const created = await admin(['token', 'create', '--role', 'admin', '--name', 'bootstrap', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const token = JSON.parse(created.stdout) as { id: string; token: string; role: string };
    secrets.add(token.token);
    assert.equal(token.role, 'admin');
    const used = await api.http().get('/v1/tokens').set('authorization', bearer(token.token));
    assert.equal(used.status, 200);

    const listed = await admin(['token', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`id ${token.id}, role admin, name 'bootstrap' — active`));
    assert.doesNotMatch(listed.stdout, /ingr_/);

    const revoked = await admin(['token', 'revoke', '--id', token.id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    // Revoked by another process: the API's cached entry (read before it) ends within INGRAIN_AUTH_CACHE_TTL_MS.
    await sleep(api.config.authCacheTtlMs);
    const rejected = await api
      .http()
      .get('/v1/tokens')
      .set('authorization', bearer(token.token))
      .set('x-forwarded-for', freshAddress());
    assertProblem(rejected, 401, 'AUTH_INVALID');
  });

  test('refuses bad arguments (exit 2) and unknown ids (exit 1) with the error code', async () => {
    const role = await admin(['token', 'create', '--role', 'boss', '--name', 'x']);
    assert.equal(role.code, 2);
    assert.match(role.stderr, /error \[ADMIN_USAGE\]: --role: /);
    const station = await admin(['token', 'create', '--role', 'station', '--name', 'x']);
    assert.equal(station.code, 2);
    assert.match(station.stderr, /--station-id: a station token needs a stationId/);
    const unknown = await admin(['token', 'revoke', '--id', '00000000-0000-4000-8000-000000000000']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /error \[TOKEN_NOT_FOUND\]/);
  });
});

describe('logs', () => {
  test('are JSON lines with correlation ids and never contain a token secret or an Authorization header', () => {
    assert.ok(api.logs.length > 20);
    const entries = api.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(
      entries.some((entry) => entry['msg'] === 'request completed' && typeof entry['correlationId'] === 'string'),
    );
    assert.ok(entries.some((entry) => entry['msg'] === 'authentication failed'));
    const text = api.logs.join('');
    for (const secret of secrets) assert.equal(text.includes(secret), false, 'a token secret reached the logs');
    assert.doesNotMatch(text, /Bearer |"authorization"/i);
  });
});

describe('readiness without Redis', () => {
  test('reports Redis as failed with 503, the others still ok', async () => {
    await api.redis.stop();
    const response = await api.http().get('/health/ready');
    assert.equal(response.status, 503);
    const body = response.body as { status: string; checks: Record<string, { status: string; error?: string }> };
    assert.equal(body.status, 'unavailable');
    assert.equal(body.checks['redis']?.status, 'failed');
    assert.equal(body.checks['database']?.status, 'ok');
    assert.equal(body.checks['hsm']?.status, 'ok');
  });
});
