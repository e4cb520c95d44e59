import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HealthRegistry } from './health-registry.js';

describe('HealthRegistry', () => {
  test('ready when every check answers', async () => {
    const registry = new HealthRegistry();
    registry.register('database', () => Promise.resolve());
    registry.register('redis', () => Promise.resolve('PONG'));
    const report = await registry.run();
    assert.equal(report.status, 'ok');
    assert.deepEqual(Object.keys(report.checks), ['database', 'redis']);
  });

  test('a failing or hanging check makes it unavailable, reported by code only', async () => {
    const registry = new HealthRegistry();
    const failure = Object.assign(new Error('connect ECONNREFUSED 10.0.0.9:6379'), { code: 'ECONNREFUSED' });
    registry.register('redis', () => Promise.reject(failure));
    registry.register('hsm', () => new Promise(() => {}), { timeoutMs: 20 });
    registry.register('odd', () => Promise.reject(new Error('internal detail')));
    registry.register('database', () => Promise.resolve());
    const failed: string[] = [];
    const report = await registry.run((name) => failed.push(name));
    assert.equal(report.status, 'unavailable');
    assert.equal(report.checks['redis']?.error, 'ECONNREFUSED');
    assert.equal(report.checks['hsm']?.error, 'TIMEOUT');
    assert.equal(report.checks['odd']?.error, 'FAILED');
    assert.equal(report.checks['database']?.status, 'ok');
    assert.deepEqual(failed.sort(), ['hsm', 'odd', 'redis']);
    assert.doesNotMatch(JSON.stringify(report), /10\.0\.0\.9|internal detail/);
  });

  test('names are unique', () => {
    const registry = new HealthRegistry();
    registry.register('database', () => Promise.resolve());
    assert.throws(() => registry.register('database', () => Promise.resolve()), /already registered/);
  });
});
