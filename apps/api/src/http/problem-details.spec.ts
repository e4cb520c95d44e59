import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { describe, test } from 'node:test';
import { NotFoundException } from '@nestjs/common';
import { LayoutValidationError } from '#ingrain/otp';
import { z } from 'zod';
import { DatabaseError } from '../database/errors.js';
import { AppError } from '../errors/app-error.js';
import { ERROR_CATALOGUE } from '../errors/error-catalogue.js';
import { problemFromError } from './problem-details.js';
import { RequestValidationError } from './request-validation.error.js';

const ID = 'corr-1';

describe('problemFromError', () => {
  test('an AppError keeps its code, detail, field errors, extensions and headers, with its catalogue status', () => {
    const error = new AppError('CHIP_ALREADY_BOUND', 'chip is bound to another device', {
      extensions: { deviceId: 'd-1', status: 200, code: 'spoofed' },
      headers: { 'retry-after': '3' },
    });
    const { problem, headers, internal } = problemFromError(error, ID);
    assert.deepEqual(problem, {
      deviceId: 'd-1',
      type: 'urn:ingrain:problem:CHIP_ALREADY_BOUND',
      title: 'Conflict',
      status: 409,
      detail: 'chip is bound to another device',
      code: 'CHIP_ALREADY_BOUND',
      errors: [],
      correlationId: ID,
    });
    assert.deepEqual(headers, { 'retry-after': '3' });
    assert.equal(internal, false);
  });

  test('request validation names each field with its location', () => {
    const schema = z.object({ name: z.string(), items: z.array(z.object({ count: z.int() })) });
    const parsed = schema.safeParse({ name: 3, items: [{ count: 1 }, { count: 'x' }] });
    assert.ok(!parsed.success);
    const { problem } = problemFromError(new RequestValidationError('body', parsed.error), ID);
    assert.equal(problem.status, 400);
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.deepEqual(
      problem.errors.map((issue) => issue.path),
      ['body.name', 'body.items[1].count'],
    );
  });

  test('a bare ZodError is a 400 too', () => {
    const parsed = z.object({ a: z.string() }).safeParse({});
    assert.ok(!parsed.success);
    const { problem } = problemFromError(parsed.error, ID);
    assert.equal(problem.status, 400);
    assert.deepEqual(
      problem.errors.map((issue) => issue.path),
      ['a'],
    );
  });

  test('layout validation errors are 422 with their issues', () => {
    const error = new LayoutValidationError([
      { path: 'fields[2].length', message: 'fields[2].length must be positive' },
      { path: 'lock[0]', message: 'lock[0] is not a block' },
    ]);
    const { problem } = problemFromError(error, ID);
    assert.equal(problem.status, 422);
    assert.equal(problem.code, 'LAYOUT_INVALID');
    assert.equal(problem.detail, 'layout is invalid (2 issues)');
    assert.deepEqual(problem.errors, error.issues);
  });

  test('Nest HTTP exceptions keep their status', () => {
    const { problem } = problemFromError(new NotFoundException('Cannot GET /nope'), ID);
    assert.equal(problem.status, 404);
    assert.equal(problem.code, 'NOT_FOUND');
  });

  test('anything else is a 500 that reveals nothing', () => {
    const secret = new Error('connect ECONNREFUSED 10.1.2.3:5432 password=hunter2');
    const { problem, internal } = problemFromError(secret, ID);
    assert.equal(problem.status, 500);
    assert.equal(problem.code, 'INTERNAL_ERROR');
    assert.equal(internal, true);
    assert.doesNotMatch(JSON.stringify(problem), /ECONNREFUSED|hunter2|10\.1\.2\.3/);
    assert.equal(problem.correlationId, ID);
  });

  test('retryable database errors are 503 with Retry-After; others are 500', () => {
    const busy = problemFromError(new DatabaseError('CONNECTION_TIMEOUT', 'no free connection'), ID);
    assert.equal(busy.problem.status, 503);
    assert.equal(busy.problem.code, 'DATABASE_UNAVAILABLE');
    assert.deepEqual(busy.headers, { 'retry-after': '1' });
    const broken = problemFromError(new DatabaseError('UNIQUE_VIOLATION', 'devices_chip_uid_key'), ID);
    assert.equal(broken.problem.status, 500);
    assert.doesNotMatch(broken.problem.detail, /devices_chip_uid_key/);
  });

  test('every code with a status has an error status and, unless it has its own, the reason phrase as title', () => {
    for (const [code, { status, title }] of Object.entries(ERROR_CATALOGUE)) {
      if (status === null) continue;
      assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, code);
      if (code !== 'VALIDATION_FAILED') assert.equal(title, STATUS_CODES[status], code);
    }
    assert.equal(ERROR_CATALOGUE.VALIDATION_FAILED.title, 'Invalid request');
  });

  test('a code that is not an HTTP answer (start-up) is an internal error that reveals nothing', () => {
    const { problem, internal } = problemFromError(new AppError('TRUST_KEY_MISSING', 'key device-ca is missing'), ID);
    assert.equal(internal, true);
    assert.equal(problem.status, 500);
    assert.equal(problem.code, 'INTERNAL_ERROR');
    assert.doesNotMatch(problem.detail, /device-ca/);
  });
});
